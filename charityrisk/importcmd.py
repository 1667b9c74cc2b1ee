"""``charityrisk import FORECAST.(xlsx|csv) -o SCENARIO.json``: a cash-flow forecast into a scenario.

The forecast is only read.  The scenario is written through the project's atomic writer, as
the current format version (budget lines), with no contracts yet: the finance lead adds the contract under
consideration in the app.  Nothing is written unless the loader opens the very bytes about to
be written without a problem; an existing file is replaced only with ``--force`` (and never the
forecast itself).  Every refusal is one line on standard error and exit 2; names read from the
sheet are escaped before they reach the terminal.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .model.fields import MAX_TEXT, example_dict
from .model.fileformat import FORMAT_NAME, parse_scenario_bytes, write_text_atomic
from .model.migration import FORMAT_VERSION
from .model.problems import ScenarioError
from .model.scenario import SimulationSettings
from .report.formats import money_pence
from .textsafety import escaped

if TYPE_CHECKING:
    from .model.forecast import ForecastImport

SCENARIO_VERSION = FORMAT_VERSION  # the app writes one version, the newest (docs/model.md, 6)
EXIT_USAGE = 2



def scenario_dict(forecast: ForecastImport, name: str, opening_reserves: float | None = None) -> dict:
    """A scenario (the current version) holding the forecast's lines and opening balance, no contracts."""
    settings = SimulationSettings()
    reserves = opening_reserves if opening_reserves is not None else (forecast.opening_balance or 0)
    return {
        "format": FORMAT_NAME,
        "version": SCENARIO_VERSION,
        "name": name[:MAX_TEXT],
        "horizon_months": forecast.horizon_months,
        # the field table's example organisation: nothing but the forecast's lines and balance
        "organisation": {**example_dict("organisation"), "opening_reserves": reserves,
                         "budget": [dict(line) for line in forecast.lines]},
        "contracts": [],
        "simulation": {"paths": settings.paths, "seed": settings.seed,
                       "risk_appetite": settings.risk_appetite},
        # Month 1 named as the sheet names it; left out when the headings give no year.
        **({"first_month": forecast.first_month} if forecast.first_month else {}),
    }


def _amount(line: dict) -> str:
    """ "£4,000.00", or for a line listing its months (version 3) "£80.00 to £600.00 by month"
    or "£100.00 to £300.00 in 3 of 12 months"."""
    listed = line.get("monthly_amounts")
    if listed is not None:
        from .model.forecast import pattern_amount_text
        return pattern_amount_text(listed, money_pence)
    amount = line["amount"]
    return money_pence(amount["likely"] if isinstance(amount, dict) else amount)


def summary_lines(forecast: ForecastImport, opening_reserves: float | None = None) -> list[str]:
    """What was imported, in a few plain lines (escaped for a terminal)."""
    incomes = sum(1 for line in forecast.lines if line["kind"] == "income")
    costs = len(forecast.lines) - incomes
    start = forecast.month_label(1)
    reserves = opening_reserves if opening_reserves is not None else forecast.opening_balance
    lines = [f"Read sheet '{forecast.sheet}': {forecast.months} months from {start}.",
             f"{incomes} income line{'s' * (incomes != 1)} and {costs} cost line{'s' * (costs != 1)}.",
             "Opening reserves: " + (money_pence(reserves) if reserves is not None
                                     else "not in the forecast (set to £0)")]
    if forecast.differences:
        lines.append(f"The sheet's own totals differ from the imported lines in "
                     f"{len(forecast.differences)} row(s): see the Check notes below.")
    for line, source in zip(forecast.lines, forecast.sources):
        end = line.get("end_month")
        months = (f"{forecast.month_label(line['start_month'])} to "
                  f"{'the end' if end is None else forecast.month_label(end)}")
        lines.append(f"  {line['kind']:<6}  {line['name']}  {_amount(line)}  {source.how}  "
                     f"{months}  (row {source.row})")
    lines += [f"  {note}" for note in forecast.notes]
    return [escaped(line) for line in lines]


def add_parser(sub) -> None:
    p = sub.add_parser("import", help="turn a month-by-month cash-flow forecast (.xlsx or .csv) "
                                      "into a scenario file")
    p.add_argument("forecast", metavar="FORECAST", help="the forecast: .xlsx workbook or .csv file")
    p.add_argument("-o", "--output", required=True, metavar="SCENARIO.json", help="the scenario file to write")
    p.add_argument("--sheet", help="the workbook's sheet to read (default: the cash-flow sheet, found by "
                                   "its name and content; yearly sheets are read as one forecast)")
    p.add_argument("--force", action="store_true", help="replace SCENARIO.json if it exists (a backup is kept)")
    p.add_argument("--opening-reserves", type=float, metavar="POUNDS",
                   help="the free cash at the start, when the forecast gives two different opening balances")


def _fail(message: str) -> int:
    print(escaped(f"charityrisk: {' '.join(message.split())}"), file=sys.stderr)  # one line, whatever the names hold
    return EXIT_USAGE


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def cmd_import(args: argparse.Namespace) -> int:
    if _same_file(args.forecast, args.output) or os.path.abspath(args.forecast) == os.path.abspath(args.output):
        return _fail(f"-o {args.output}: that is the forecast itself; choose another file name")
    if os.path.lexists(args.output) and not args.force:
        return _fail(f"-o {args.output}: the file exists; choose another name, or add --force to replace it")
    if os.path.isdir(args.output):
        return _fail(f"-o {args.output}: that is a folder; give a file name")
    # Imported here, not at the top: every command builds this one's options, and the reader
    # was a tenth of a short `simulate` process's start.
    from .model.forecast import FileRefused, ForecastError, read_forecast
    try:
        forecast = read_forecast(args.forecast, sheet=args.sheet)
    except FileRefused as error:
        return _fail(f"{args.forecast}: {error.reason}")
    except ForecastError as error:
        return _fail(f"{args.forecast}: {error.message}")
    except OSError as error:
        return _fail(f"cannot read {args.forecast}: {error.strerror or error}")
    reserves = args.opening_reserves
    if forecast.opening_conflict and reserves is None:
        a, b = forecast.opening_candidates[:2]
        return _fail(f"{args.forecast}: the opening balance is {money_pence(a.amount)} in {a.cell} but "
                     f"{money_pence(b.amount)} in {b.cell}; say which with --opening-reserves POUNDS")
    data = scenario_dict(forecast, Path(args.forecast).stem, reserves)
    text = json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    warnings: list = []
    try:  # the very bytes about to be written, through the app's own loader
        parse_scenario_bytes(text.encode("utf-8"), warnings)
    except ScenarioError as error:
        first = error.problems[0] if error.problems else "not a scenario the app opens"
        return _fail(f"{args.forecast}: the scenario made from it would not open in the app "
                     f"({first}); nothing was written")
    if warnings:
        return _fail(f"{args.forecast}: the scenario made from it would open with a warning "
                     f"({warnings[0]}); nothing was written")
    try:
        write_text_atomic(args.output, text, backup=True)
    except OSError as error:
        return _fail(f"cannot write {args.output}: {error.strerror or error}")
    print("\n".join(summary_lines(forecast, reserves)))
    print(escaped(f"Scenario written to {args.output}"))
    return 0
