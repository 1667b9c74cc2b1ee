"""Command line: ``charityrisk [FILE]`` opens the app; subcommands work without a window.

A user's mistake (a bad file, a bad value) is one line on standard error naming the key,
and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from . import __version__
from .model import ScenarioError, load_scenario
from .model.scenario import MAX_PATHS

EXIT_USAGE = 2
SUBCOMMANDS = ("simulate", "report", "compare", "solve", "import")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own error prints usage too
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _paths(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if not 1 <= value <= MAX_PATHS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_PATHS:,} (got {value})")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {value})")
    return value


def _sim_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--paths", type=_paths, help="number of simulated futures (default: the file's, else 20,000)")
    p.add_argument("--seed", type=_seed, help="random seed (default: the file's, else 1)")


# The inputs ``solve --for`` accepts (engine.decisions.SOLVABLE; listed here so that the
# parser does not import numpy).
SOLVABLE = ("share_at_risk", "outcome_lag_months", "referrals_per_month", "price_per_referral",
            "overdraft_facility", "opening_reserves")


class UsageError(Exception):
    """A mistake in the command's options found after parsing (exit 2, one line)."""


def _contract_index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {value}); contracts count from 0")
    return value


def _appetite(text: str) -> float:
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a share such as 0.05 or 5% (got {text!r})") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, or 0% and 100% (got {text!r})")
    return value


def _decision_options(p: argparse.ArgumentParser) -> None:
    _sim_options(p)
    p.add_argument("--risk-appetite", type=_appetite, metavar="SHARE",
                   help="the trustees' risk appetite, e.g. 0.05 or 5%% (default: the file's, else 5%%)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="charityrisk", description="Cash-flow risk of Payment by Results contracts.")
    parser.add_argument("--version", action="version", version=f"CharityRisk {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sim = sub.add_parser("simulate", help="simulate a scenario file and print the results")
    sim.add_argument("file")
    _sim_options(sim)
    sim.add_argument("--json", action="store_true", help="print the results as one JSON object")
    rep = sub.add_parser("report", help="write the trustees' report as PDF")
    rep.add_argument("file")
    rep.add_argument("-o", "--output", required=True)
    rep.add_argument("--csv", metavar="FILE", help="also write the figures by month as CSV for Excel")
    rep.add_argument("--no-decisions", action="store_true",
                     help="leave out the goal seeks (what would make it safe), which take a few seconds")
    _sim_options(rep)
    cmp_ = sub.add_parser("compare", help="compare payment structures on the same simulated futures")
    cmp_.add_argument("files", nargs="+", metavar="FILE", help="scenario files; the first is the baseline")
    cmp_.add_argument("--presets", action="store_true",
                      help="also compare the source document's presets applied to the first file's contract")
    cmp_.add_argument("--contract", type=_contract_index, default=0,
                      help="with --presets: which contract takes the preset terms (from 0; default 0)")
    _decision_options(cmp_)
    sol = sub.add_parser("solve", help="find the values of an input that keep the risk within the appetite")
    sol.add_argument("file")
    sol.add_argument("--for", dest="target", choices=SOLVABLE, metavar="INPUT",
                     help=f"the input to solve for: {', '.join(SOLVABLE)} (default: all of them)")
    sol.add_argument("--contract", type=_contract_index, default=0,
                     help="which contract's terms to solve for (from 0; default 0)")
    _decision_options(sol)
    from .importcmd import add_parser as add_import_parser  # the forecast importer's own options

    add_import_parser(sub)
    return parser


def _more(n: int) -> str:
    return "" if n < 1 else f" (and {n} more problem{'' if n == 1 else 's'})"


def _fail(message: str) -> int:
    print(f"charityrisk: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load(path: str):
    try:
        return load_scenario(path)
    except ScenarioError as error:
        error.path = path  # compare reads several files: say which one
        raise


def _check_contract(path: str, scenario, index: int) -> None:
    count = len(scenario.contracts)
    if index >= count:
        which = "has no contracts" if count == 0 else (
            f"has {count} contract{'s' if count != 1 else ''} (use --contract 0"
            + (f" to {count - 1})" if count > 1 else ")"))
        raise UsageError(f"--contract {index}: {path} {which}")


def _decision_paths(args: argparse.Namespace, scenario) -> int:
    from .engine.decisions import MAX_DECISION_PATHS

    if args.paths is not None:
        if args.paths > MAX_DECISION_PATHS:
            raise UsageError(f"--paths: {args.command} uses at most {MAX_DECISION_PATHS:,} futures "
                             f"(got {args.paths:,})")
        return args.paths
    return min(scenario.settings.paths, MAX_DECISION_PATHS)


def _print_json(data: dict) -> None:
    json.dump(data, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")


def summary_text(scenario, results) -> str:
    from .report.text import headline, key_figures

    lines = [headline(scenario, results), ""]
    lines += [f"  {label}: {value}" for label, value in key_figures(scenario, results)]
    return "\n".join(lines)


def cmd_simulate(args: argparse.Namespace) -> int:
    from .engine import simulate

    scenario = _load(args.file)
    results = simulate(scenario, args.paths, args.seed)
    if args.json:
        json.dump(results.to_json_dict(), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(summary_text(scenario, results))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .engine import simulate
    from .engine.decisions import MAX_DECISION_PATHS, solve
    from .report.decision_text import decision_sentences
    from .report.export import write_csv
    from .report.pdf import write_report

    scenario = _load(args.file)
    results = simulate(scenario, args.paths, args.seed)
    decisions = None
    if scenario.contracts and not args.no_decisions:
        solutions = solve(scenario, paths=min(results.paths, MAX_DECISION_PATHS), seed=results.seed)
        decisions = decision_sentences(solutions)
    write_report(scenario, args.output, results=results, decisions=decisions)
    print(f"Report written to {args.output}")
    if args.csv:
        write_csv(scenario, results, args.csv)
        print(f"Figures written to {args.csv}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .engine.decisions import compare, preset_options
    from .report.decision_text import comparison_lines

    scenarios = [_load(path) for path in args.files]
    if len(scenarios) < 2 and not args.presets:
        raise UsageError("compare: give at least two scenario files, or one file with --presets")
    stems = [Path(path).stem for path in args.files]
    labels = [stem if stems.count(stem) == 1 else path for stem, path in zip(stems, args.files)]
    options = list(zip(labels, scenarios))
    files: list[str | None] = list(args.files)
    if args.presets:
        _check_contract(args.files[0], scenarios[0], args.contract)
        try:
            presets = preset_options(scenarios[0], args.contract)[1:]
        except (OSError, ScenarioError) as error:
            raise UsageError(f"--presets: cannot read the preset scenarios ({error})") from None
        options += presets
        files += [None] * len(presets)
    paths = args.paths if args.paths is not None else scenarios[0].settings.paths
    comparison = compare(options, paths, args.seed, args.risk_appetite)
    if args.json:
        data = comparison.to_json_dict()
        for option, path in zip(data["options"], files):
            option["file"] = path
        _print_json(data)
    else:
        print("\n".join(comparison_lines(comparison)))
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    from .engine.decisions import CONTRACT_INPUTS, solve
    from .report.decision_text import advice, goal_lines, goal_sentence

    scenario = _load(args.file)
    targets = [args.target] if args.target else None
    if args.target is None and not scenario.contracts:
        targets = [t for t in SOLVABLE if t not in CONTRACT_INPUTS]
    if any(t in CONTRACT_INPUTS for t in (targets or SOLVABLE)):
        _check_contract(args.file, scenario, args.contract)
    solutions = solve(scenario, targets, args.contract, _decision_paths(args, scenario), args.seed,
                      args.risk_appetite)
    if args.json:
        data = solutions.to_json_dict()
        data["file"] = args.file
        data["advice"] = advice(solutions)
        for goal, entry in zip(solutions.goals, data["goals"]):
            entry["sentence"] = goal_sentence(goal)
        _print_json(data)
    else:
        print("\n".join(goal_lines(solutions)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version"):
        from .app import run_app

        return run_app(argv)
    args = build_parser().parse_args(argv)
    from .importcmd import cmd_import

    handlers = {"simulate": cmd_simulate, "report": cmd_report, "compare": cmd_compare, "solve": cmd_solve,
                "import": cmd_import}
    try:
        return handlers[args.command](args)
    except ScenarioError as error:
        where = getattr(error, "path", None) or getattr(args, "file", "")
        return _fail(f"{where}: {error.problems[0]}"
                     + _more(len(error.problems) - 1))
    except UsageError as error:
        return _fail(str(error))
    except BrokenPipeError:
        # e.g. "charityrisk simulate F | head": the reader has gone; nothing is wrong.  Point
        # stdout at devnull so Python's flush at exit does not complain a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        # Name what the user asked for, not the temporary file the atomic write used.
        target = getattr(args, "output", None) or getattr(error, "filename", None) or "the output"
        return _fail(f"cannot write {target}: {error.strerror or error}")


if __name__ == "__main__":
    sys.exit(main())
