"""Results as CSV that opens cleanly in Excel: UTF-8 with a byte-order mark, CRLF line ends,
plain numbers (no thousands separators, no £ signs) so that they can be charted and summed.

One file, two sections: the key results (one measure a row), then the balance by month.
``key_results_rows`` and ``balance_table_rows`` give the same rows for the app's own tables.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import os
from typing import Any

from .. import APP_NAME, __version__
from ..engine.results import PERCENTILES, Results
from ..model.fields import spec_of
from ..model.fileformat import write_bytes_atomic
from ..model.scenario import Scenario

BALANCE_HEADER = ["Month"] + [
    f"Balance, {label} (£)" for label in
    ("5th percentile (1 in 20 worst)", "25th percentile", "median (typical)", "75th percentile",
     "95th percentile (1 in 20 best)")
] + ["Chance of having run out by this month (%)"]

# Excel runs a cell that starts with one of these as a formula: a scenario or contract name
# must never do that (CSV injection), so text cells starting with them get a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _label(setting: str) -> str:
    return spec_of("simulation", setting).report_name


def _money(x: float) -> float:
    return round(float(x), 2)


def _pct(p: float) -> float:
    return round(100 * float(p), 4)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def key_results_rows(scenario: Scenario, results: Results) -> list[list[Any]]:
    """[measure, value, unit] rows, header first; money in pounds, chances in per cent."""
    r = results
    month = r.most_likely_run_out_month
    rows: list[list[Any]] = [
        ["Measure", "Value", "Unit"],
        [f"Chance of running out within {r.horizon_months} months", _pct(r.p_run_out), "%"],
        ["Monte Carlo standard error of that chance", _pct(r.p_run_out_se), "percentage points"],
        ["Most likely month to run out", month if month else "", "month (blank: none ran out)"],
        ["Chance of breaching the reserves floor", _pct(r.p_below_floor), "%"],
        ["Extra working capital for 95% safety", _money(r.working_capital_needed_95), "£"],
        ["Still owed at the end (average)", _money(r.expected_owed_after_horizon), "£"],
    ]
    for q in PERCENTILES:
        rows.append([f"Lowest balance, {q}th percentile of futures",
                     _money(r.lowest_balance_percentiles[str(q)]), "£"])
    for name, margin in zip(r.contract_names, r.contract_margin):
        rows.append([f"Contract margin within the period (average): {name}", _money(margin), "£"])
    rows += [
        [_label("paths"), r.paths, "futures"],
        [_label("seed"), r.seed, ""],
        [_label("risk_appetite"), _pct(scenario.settings.risk_appetite), "%"],
    ]
    return rows


def balance_table_rows(results: Results) -> list[list[Any]]:
    """Header, then one row a month: month, balance percentiles 5..95, chance run out by then."""
    rows: list[list[Any]] = [list(BALANCE_HEADER)]
    bp = results.balance_percentiles
    for i in range(results.horizon_months):
        rows.append([i + 1] + [_money(bp[str(q)][i]) for q in PERCENTILES]
                    + [_pct(results.p_run_out_by_month[i])])
    return rows


def csv_rows(scenario: Scenario, results: Results, day: _dt.date | None = None) -> list[list[Any]]:
    day = day or _dt.date.today()
    rows: list[list[Any]] = [
        [f"{APP_NAME} results"],
        ["Scenario", scenario.name],
        ["Produced", day.isoformat()],
        [f"{APP_NAME} version", __version__],
        [],
        ["Key results"],
    ]
    rows += key_results_rows(scenario, results)
    rows += [[], ["Balance at the end of each month"]]
    rows += balance_table_rows(results)
    return rows


def write_csv(scenario: Scenario, results: Results, path: str | os.PathLike,
              day: _dt.date | None = None) -> None:
    """Write the results CSV atomically; on failure the old file is untouched and OSError propagates."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # excel dialect: CRLF line ends, minimal quoting
    for row in csv_rows(scenario, results, day):
        writer.writerow([_cell(v) for v in row])
    # A byte-order mark tells Excel the file is UTF-8 (else "£" turns into "Â£").
    write_bytes_atomic(path, buffer.getvalue().encode("utf-8-sig"))


__all__ = ["write_csv", "csv_rows", "key_results_rows", "balance_table_rows", "BALANCE_HEADER"]
