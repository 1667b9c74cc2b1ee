"""Command line: ``charityrisk [FILE]`` opens the app; subcommands work without a window.

A user's mistake (a bad file, a bad value) is one line on standard error naming the key,
and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from . import __version__
from .model import ScenarioError, load_scenario
from .model.scenario import MAX_PATHS

EXIT_USAGE = 2
SUBCOMMANDS = ("simulate", "report", "compare", "solve")


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
    _sim_options(rep)
    return parser


def _fail(message: str) -> int:
    print(f"charityrisk: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load(path: str):
    return load_scenario(path)


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
    from .report.pdf import write_report

    scenario = _load(args.file)
    write_report(scenario, args.output, paths=args.paths, seed=args.seed)
    print(f"Report written to {args.output}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version"):
        from .app import run_app

        return run_app(argv)
    args = build_parser().parse_args(argv)
    handlers = {"simulate": cmd_simulate, "report": cmd_report}
    try:
        return handlers[args.command](args)
    except ScenarioError as error:
        return _fail(f"{args.file}: {error.problems[0]}"
                     + (f" (and {len(error.problems) - 1} more problems)" if len(error.problems) > 1 else ""))
    except OSError as error:
        return _fail(f"cannot write {getattr(error, 'filename', '') or 'the output'}: {error.strerror or error}")


if __name__ == "__main__":
    sys.exit(main())
