"""``charityrisk import FORECAST.(xlsx|csv) -o SCENARIO.json``: a cash-flow forecast into a scenario.

The forecast is only read; the scenario is written through the project's atomic writer, as
the current format version (budget lines), with no contracts yet: the finance lead adds the contract
under consideration in the app.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .model.fileformat import FORMAT_NAME, write_text_atomic
from .model.forecast import ForecastError, ForecastImport, read_forecast
from .model.migration import FORMAT_VERSION
from .model.scenario import SimulationSettings
from .textsafety import escaped

SCENARIO_VERSION = FORMAT_VERSION  # the app writes one version, the newest (domain.md)
EXIT_USAGE = 2


def scenario_dict(forecast: ForecastImport, name: str) -> dict:
    """A scenario (the current version) holding the forecast's lines and opening balance, no contracts."""
    settings = SimulationSettings()
    return {
        "format": FORMAT_NAME,
        "version": SCENARIO_VERSION,
        "name": name,
        "horizon_months": forecast.horizon_months,
        "organisation": {
            "opening_reserves": forecast.opening_balance or 0,
            "monthly_other_income": 0,
            "monthly_core_costs": 0,
            "overdraft_facility": 0,
            "reserves_floor": 0,
            "budget": [dict(line) for line in forecast.lines],
        },
        "contracts": [],
        "simulation": {"paths": settings.paths, "seed": settings.seed,
                       "risk_appetite": settings.risk_appetite},
    }


def summary_lines(forecast: ForecastImport) -> list[str]:
    """What was imported, in a few plain lines."""
    incomes = sum(1 for line in forecast.lines if line["kind"] == "income")
    costs = len(forecast.lines) - incomes
    start = forecast.month_label(1)
    lines = [f"Read sheet '{forecast.sheet}': {forecast.months} months from {start}.",
             f"{incomes} income line{'s' * (incomes != 1)} and {costs} cost line{'s' * (costs != 1)}.",
             "Opening reserves: " + (f"£{forecast.opening_balance:,.2f}" if forecast.opening_balance
                                     is not None else "not in the forecast (set to £0)")]
    lines += [f"  {note}" for note in forecast.notes]
    return lines


def add_parser(sub) -> None:
    p = sub.add_parser("import", help="turn a month-by-month cash-flow forecast (.xlsx or .csv) "
                                      "into a scenario file")
    p.add_argument("forecast", metavar="FORECAST", help="the forecast: .xlsx workbook or .csv file")
    p.add_argument("-o", "--output", required=True, metavar="SCENARIO.json", help="the scenario file to write")
    p.add_argument("--sheet", help="the workbook's sheet to read (default: the one open when it was saved)")


def _fail(message: str) -> int:
    print(escaped(f"charityrisk: {message}"), file=sys.stderr)  # one line, whatever the names hold
    return EXIT_USAGE


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def cmd_import(args: argparse.Namespace) -> int:
    if _same_file(args.forecast, args.output):
        return _fail(f"-o {args.output}: that is the forecast itself; choose another file name")
    try:
        forecast = read_forecast(args.forecast, sheet=args.sheet)
    except ForecastError as error:
        return _fail(f"{args.forecast}: {error.message}")
    except OSError as error:
        return _fail(f"cannot read {args.forecast}: {error.strerror or error}")
    data = scenario_dict(forecast, Path(args.forecast).stem)
    try:
        write_text_atomic(args.output, json.dumps(data, indent=2, allow_nan=False) + "\n", backup=True)
    except OSError as error:
        return _fail(f"cannot write {args.output}: {error.strerror or error}")
    print("\n".join(summary_lines(forecast)))
    print(escaped(f"Scenario written to {args.output}"))
    return 0
