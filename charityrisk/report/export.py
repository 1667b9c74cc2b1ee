"""Results as CSV that opens cleanly in Excel: UTF-8 with a byte-order mark, CRLF line ends,
plain numbers (no thousands separators, no £ signs) so that they can be charted and summed.

One file, three sections: the key results (one measure a row, with the organisation without
its contracts beside them), the month by month flows and balances, then the balance by month.
``key_results_rows``, ``monthly_table``, ``period_summary`` and ``balance_table_rows`` give
the same figures to the app's own tables and to the report.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import APP_NAME, __version__
from ..engine.results import PERCENTILES, Results
from ..model.calendar import month_name
from ..model.fields import spec_of
from ..model.fileformat import write_bytes_atomic
from ..model.scenario import Scenario
from .formats import money_cell, percent_cell
from .glossary import result_tooltip

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


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _month(month: int, first_month: str | None) -> int | str:
    """A month as the CSV gives it: its number, or with the scenario's first month its name
    ("Apr 2027"), which Excel reads as a date."""
    return month_name(first_month, month) if first_month else month


def _without(results: Results) -> str:
    return "Without the contract" if len(results.contract_names) == 1 else "Without the contracts"


def key_results_rows(scenario: Scenario, results: Results) -> list[list[Any]]:
    """[measure, value, unit] rows, header first; money in pounds, chances in per cent.  With
    contracts, a column beside the value gives the same measure for the organisation without
    them, on the same futures (blank where it has no such measure): [measure, value, without,
    unit]."""
    r = results
    b = r.baseline if r.contract_names else None
    month = r.most_likely_run_out_month
    rows: list[list[Any]] = [
        [f"Chance of running out within {r.horizon_months} months", percent_cell(r.p_run_out), "%",
         None if b is None else percent_cell(b.p_run_out)],
        ["Monte Carlo standard error of that chance", percent_cell(r.p_run_out_se), "percentage points",
         None if b is None else percent_cell(b.p_run_out_se)],
        ["Most likely month to run out", _month(month, scenario.first_month) if month else "",
         "month (blank: none ran out)", None],
        ["Chance of breaching the reserves floor", percent_cell(r.p_below_floor), "%",
         None if b is None else percent_cell(b.p_below_floor)],
        ["Extra working capital for 95% safety", money_cell(r.working_capital_needed_95), "£",
         None if b is None else money_cell(b.working_capital_needed_95)],
        ["Still owed at the end (average)", money_cell(r.expected_owed_after_horizon), "£", None],
    ]
    for q in PERCENTILES:
        rows.append([f"Lowest balance, {q}th percentile of futures",
                     money_cell(r.lowest_balance_percentiles[str(q)]), "£",
                     None if b is None else money_cell(b.lowest_balance_percentiles[str(q)])])
    for name, margin in zip(r.contract_names, r.contract_margin):
        rows.append([f"Contract margin within the period (average): {name}", money_cell(margin), "£", None])
    rows += [
        [_label("paths"), r.paths, "futures", None],
        [_label("seed"), r.seed, "", None],
        [_label("risk_appetite"), percent_cell(scenario.settings.risk_appetite), "%", None],
    ]
    if b is None:
        return [["Measure", "Value", "Unit"]] + [row[:3] for row in rows]
    return [["Measure", "Value", _without(r), "Unit"]] + [
        [measure, value, "" if without is None else without, unit]
        for measure, value, unit, without in rows]


def balance_header(results: Results) -> list[str]:
    """BALANCE_HEADER, and with contracts two columns for the organisation without them."""
    if not results.contract_names or results.baseline is None:
        return list(BALANCE_HEADER)
    without = _without(results).lower()
    return list(BALANCE_HEADER) + [f"Balance {without}, median (typical) (£)",
                                   f"Chance of having run out by this month {without} (%)"]


def balance_table_rows(results: Results, first_month: str | None = None) -> list[list[Any]]:
    """Header, then one row a month: month, balance percentiles 5..95, chance run out by then
    (and, with contracts, the median balance and the chance without them)."""
    header = balance_header(results)
    rows: list[list[Any]] = [header]
    bp = results.balance_percentiles
    b = results.baseline if len(header) > len(BALANCE_HEADER) else None
    for i in range(results.horizon_months):
        row = ([_month(i + 1, first_month)] + [money_cell(bp[str(q)][i]) for q in PERCENTILES]
               + [percent_cell(results.p_run_out_by_month[i])])
        if b is not None:
            row += [money_cell(b.balance_percentiles["50"][i]), percent_cell(b.p_run_out_by_month[i])]
        rows.append(row)
    return rows


# ------------------------------------------------------------------------ month by month

@dataclass(frozen=True)
class MonthlyRow:
    """One row of the month-by-month table: its label, a sentence saying what it is, and one
    figure a month (pounds; flows as positive amounts, costs included)."""

    label: str
    tooltip: str
    values: np.ndarray  # (horizon,)
    kind: str  # "flow" (summed over a period) or "balance" (taken at a period's end)


MONTHLY_LABELS = ("Income", "Costs", "Contract receipts", "Contract costs", "Average balance",
                  "1 in 20 worst balance", "Typical balance")


def monthly_table(results: Results) -> list[MonthlyRow]:
    """The month-by-month figures a finance lead checks against their cash-flow forecast: the
    average of each month's flows and closing balance over the futures, and the 1 in 20 worst
    and typical closing balance.  Empty for results without the flows."""
    flows, mean = results.mean_flows_by_month, results.mean_balance_by_month
    if flows is None or mean is None:
        return []
    bp = results.balance_percentiles
    sources = [
        (flows["income"], "mean_flows_by_month.income", "flow"),
        (flows["costs"], "mean_flows_by_month.costs", "flow"),
        (flows["contract_receipts"], "mean_flows_by_month.contract_receipts", "flow"),
        (flows["contract_costs"], "mean_flows_by_month.contract_costs", "flow"),
        (mean, "mean_balance_by_month", "balance"),
        (bp["5"], "balance_percentiles.5", "balance"),
        (bp["50"], "balance_percentiles.50", "balance"),
    ]
    return [MonthlyRow(label, result_tooltip(key), np.asarray(values, dtype=float), kind)
            for label, (values, key, kind) in zip(MONTHLY_LABELS, sources)]


INTEREST_LABEL = "Interest on the overdraft"


def without_label(results: Results) -> str:
    return f"Average balance {_without(results).lower()}"


def month_by_month(results: Results) -> list[MonthlyRow]:
    """``monthly_table`` with the rows version 3 adds where they apply: the interest on the
    overdraft after the contract costs (when any was charged: a row of noughts says nothing),
    and the average balance without the contracts after the average balance (when there are
    contracts).  The app's Month by month tab and the CSV show this table."""
    table = monthly_table(results)
    if not table:
        return table
    flows = results.mean_flows_by_month or {}
    interest = flows.get("interest")
    if interest is not None and np.any(np.asarray(interest) != 0):
        at = MONTHLY_LABELS.index("Contract costs") + 1
        table.insert(at, MonthlyRow(INTEREST_LABEL, result_tooltip("mean_flows_by_month.interest"),
                                    np.asarray(interest, dtype=float), "flow"))
    b = results.baseline
    without = getattr(b, "mean_balance_by_month", None) if results.contract_names else None
    if without is not None:
        at = next(i for i, row in enumerate(table) if row.label == "Average balance") + 1
        table.insert(at, MonthlyRow(without_label(results), result_tooltip("baseline.mean_balance_by_month"),
                                    np.asarray(without, dtype=float), "balance"))
    return table


def monthly_rows(results: Results, first_month: str | None = None) -> list[list[Any]]:
    """The month-by-month table for the CSV: a header, then one row a month (months down, as
    Excel charts and sums them best)."""
    table = month_by_month(results)
    rows: list[list[Any]] = [["Month"] + [f"{row.label} (£)" for row in table]]
    for i in range(results.horizon_months if table else 0):
        rows.append([_month(i + 1, first_month)] + [money_cell(row.values[i]) for row in table])
    return rows


@dataclass(frozen=True)
class Period:
    """A year or a quarter of the month-by-month table: flows summed over its months and
    balances at its last month's end, in the order of ``monthly_table``."""

    label: str
    first: int  # 1-based months
    last: int
    values: tuple[float, ...]


def period_summary(results: Results, table: list[MonthlyRow] | None = None,
                   first_month: str | None = None) -> tuple[str, list[Period]]:
    """("year" or "quarter", periods): quarters for horizons up to 24 months, else years; the
    last period may be shorter.  Of ``table``'s rows (``monthly_table``'s when not given)."""
    table = monthly_table(results) if table is None else table
    horizon = results.horizon_months
    kind, size = ("quarter", 3) if horizon <= 24 else ("year", 12)
    periods: list[Period] = []
    if not table:
        return kind, periods
    for number, first in enumerate(range(1, horizon + 1, size), start=1):
        last = min(first + size - 1, horizon)
        values = tuple(float(np.sum(row.values[first - 1:last])) if row.kind == "flow"
                       else float(row.values[last - 1]) for row in table)
        if first_month:  # "Apr 2027 - Mar 2028"
            months = " - ".join(dict.fromkeys((month_name(first_month, first), month_name(first_month, last))))
        else:
            months = f"month {first}" if first == last else f"months {first}-{last}"
        periods.append(Period(f"{kind.title()} {number} ({months})", first, last, values))
    return kind, periods


def variants_rows(comparison: Any) -> list[list[Any]]:
    """The variants side by side (an engine.decisions Comparison of the scenario and its
    variants) as numbers for a spreadsheet: a header, then one row a variant."""
    from ..engine.decisions import variant_figures
    from .variants import VERDICT_WORDS

    rows: list[list[Any]] = [["Terms", "Chance of running out (%)", "Standard error (percentage points)",
                              "Change from the first, same futures (percentage points)",
                              "Within the appetite?", "Worst month", "Worst month is",
                              "Working capital needed (£)", "Margin with payments owed (£)"]]
    for f in variant_figures(comparison):
        rows.append([f.label, percent_cell(f.p_run_out), percent_cell(f.p_run_out_se),
                     percent_cell(f.p_run_out_difference),
                     VERDICT_WORDS[f.verdict], f.worst_month,
                     "when most futures run out" if f.worst_month_runs_out else "lowest typical balance",
                     money_cell(f.working_capital_needed_95), money_cell(f.margin)])
    return rows


def csv_rows(scenario: Scenario, results: Results, day: _dt.date | None = None,
             variants: Any = None) -> list[list[Any]]:
    """The CSV's rows; ``variants``: a Comparison of the scenario and its named variants
    (engine.decisions.compare_variants) adds them side by side after the key results."""
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
    if variants is not None:
        rows += [[], [f"Variants side by side (the same {variants.paths:,} futures, seed {variants.seed}; "
                      "margin: the contracts' receipts for the work done in the period, including "
                      "payments still owed at its end, less their costs)"]]
        rows += variants_rows(variants)
    if monthly_table(results):
        title = (f"Month by month (averages over the {results.paths:,} futures; balances at "
                 "the end of each month)")
        rows += [[], [title]]
        rows += monthly_rows(results, scenario.first_month)
    rows += [[], ["Balance at the end of each month"]]
    rows += balance_table_rows(results, scenario.first_month)
    return rows


def write_csv(scenario: Scenario, results: Results, path: str | os.PathLike,
              day: _dt.date | None = None, variants: Any = None) -> None:
    """Write the results CSV atomically (``variants``: see csv_rows); on failure the old file
    is untouched and OSError propagates."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # excel dialect: CRLF line ends, minimal quoting
    for row in csv_rows(scenario, results, day, variants):
        writer.writerow([_cell(v) for v in row])
    # A byte-order mark tells Excel the file is UTF-8 (else "£" turns into "Â£").
    write_bytes_atomic(path, buffer.getvalue().encode("utf-8-sig"))


__all__ = [
    "BALANCE_HEADER",
    "MONTHLY_LABELS",
    "MonthlyRow",
    "Period",
    "balance_header",
    "balance_table_rows",
    "csv_rows",
    "key_results_rows",
    "monthly_rows",
    "monthly_table",
    "month_by_month",
    "period_summary",
    "variants_rows",
    "write_csv",
]
