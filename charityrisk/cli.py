"""Command line: ``charityrisk [FILE]`` opens the app; subcommands work without a window.

A user's mistake (a bad file, a bad value) is one line on standard error naming the key,
and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
import time
from collections.abc import Sequence
from typing import NoReturn

from . import __version__
from .model import Problem, ScenarioError, load_scenario
from .model.fields import default_levers, goal_seek_names, lever_names, spec_of
from .model.scenario import MAX_PATHS, run_size_problem
from .textsafety import escaped

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl+C (128 + SIGINT)
SUBCOMMANDS = ("simulate", "report", "compare", "solve", "negotiate", "import")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's own error prints usage too
        print(terminal_safe(f"{self.prog}: {message}"), file=sys.stderr)
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
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {value})")
    if value >= 2**63:
        raise argparse.ArgumentTypeError(f"must be at most {2**63 - 1:,} "
                                         f"(got a number of {len(str(value))} digits)")
    return value


def _sim_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--paths", type=_paths, help="number of simulated futures (default: the file's, else 20,000)")
    p.add_argument("--seed", type=_seed, help="random seed (default: the file's, else 1)")


# The inputs ``solve --for`` accepts: engine.decisions.SOLVABLE, read here from the field
# table so that the parser does not import numpy.
SOLVABLE = goal_seek_names("contracts[]") + goal_seek_names("organisation")


# The terms ``negotiate --levers`` accepts (engine.decisions.negotiate.LEVERS), from the
# field table; a unique part of a name will do ("overdraft", "share", "guarantee").
LEVERS = lever_names("contracts[]") + lever_names("organisation")
DEFAULT_LEVERS = default_levers(with_contract=True)  # the field table's Lever.pair


def _since(name: str) -> int:
    owner = "contracts[]" if name in lever_names("contracts[]") else "organisation"
    return spec_of(owner, name).since


# One lever per item of a list (engine.decisions.negotiate.item_lever): a rate-card stage's
# price, a budget line's scale; the engine checks that the item exists.
_ITEM_LEVER = re.compile(r"(outcome_payments\[\d+\]\.price|budget\[\d+\]\.scale)")


def _lever(word: str) -> str:
    word = word.strip()
    if word in LEVERS or _ITEM_LEVER.fullmatch(word):
        return word
    for match in (lambda n: n.startswith(word), lambda n: word in n):
        found = [n for n in LEVERS if word and match(n)]
        if len(found) > 1:
            # A word keeps the term it meant before newer terms shared it ("overdraft" is
            # the facility, not version 3's interest on it).
            first = min(_since(n) for n in found)
            found = [n for n in found if _since(n) == first]
        if len(found) == 1:
            return found[0]
    raise argparse.ArgumentTypeError(f"{word!r} is not a term to negotiate; choose from {', '.join(LEVERS)}, "
                                     "or a stage's outcome_payments[N].price or a budget line's budget[N].scale")


def _levers(text: str) -> tuple[str, str]:
    names = [_lever(w) for w in text.split(",")]
    if len(names) != 2 or names[0] == names[1]:
        raise argparse.ArgumentTypeError(f"give two different terms separated by a comma, e.g. "
                                         f"{','.join(DEFAULT_LEVERS)} (got {text!r})")
    return names[0], names[1]


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


def _precision(text: str) -> float:
    """A half-width such as 0.005 or 0.5%, within the field table's bounds."""
    from .model.fields import MAX_PRECISION, MIN_PRECISION

    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a share such as 0.005 or 0.5% (got {text!r})") from None
    if not MIN_PRECISION <= value <= MAX_PRECISION:
        raise argparse.ArgumentTypeError(f"must be between {MIN_PRECISION} and {MAX_PRECISION}, or "
                                         f"{MIN_PRECISION:.1%} and {MAX_PRECISION:.0%} (got {text!r})")
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
    sim.add_argument("--precision", type=_precision, metavar="SHARE",
                     help="run until the chance of running out is known to within +/- this (95%%), e.g. "
                          "0.005 or 0.5%%; --paths (else the file's simulation.paths) is then the most "
                          "futures to run (default: the file's simulation.precision, else none)")
    sim.add_argument("--json", action="store_true", help="print the results as one JSON object")
    rep = sub.add_parser("report", help="write the trustees' report as PDF")
    rep.add_argument("file")
    rep.add_argument("-o", "--output", required=True)
    rep.add_argument("--csv", metavar="FILE", help="also write the figures by month as CSV for Excel")
    rep.add_argument("--no-decisions", action="store_true",
                     help="leave out what would make it safe, what drives the risk, the payment "
                          "structures and the file's variants compared, which take a few seconds")
    _sim_options(rep)
    cmp_ = sub.add_parser("compare", help="compare payment structures on the same simulated futures")
    cmp_.add_argument("files", nargs="+", metavar="FILE", help="scenario files; the first is the baseline")
    cmp_.add_argument("--presets", action="store_true",
                      help="also compare the source document's presets applied to the first file's contract")
    cmp_.add_argument("--variants", action="store_true",
                      help="compare the file's terms with its named variants (saved in the app with "
                           "Try different terms): chance of running out, worst month, working capital, margin")
    cmp_.add_argument("--contract", type=_contract_index, default=0,
                      help="with --presets: which contract takes the preset terms (from 0; default 0)")
    cmp_.add_argument("--preset-guesses", action="store_true",
                      help="with --presets: also take each preset's own guesses of referrals, success "
                           "rates, late payment and the chance of no referrals (default: keep the "
                           "first file's, so only the payment terms differ)")
    _decision_options(cmp_)
    sol = sub.add_parser("solve", help="find the values of an input that keep the risk within the appetite")
    sol.add_argument("file")
    sol.add_argument("--for", dest="target", choices=SOLVABLE, metavar="INPUT",
                     help=f"the input to solve for: {', '.join(SOLVABLE)} (default: all of them)")
    sol.add_argument("--contract", type=_contract_index, default=0,
                     help="which contract's terms to solve for (from 0; default 0)")
    _decision_options(sol)
    neg = sub.add_parser("negotiate", help="the chance of running out over a grid of two terms to negotiate")
    neg.add_argument("file")
    neg.add_argument("--levers", type=_levers, default=DEFAULT_LEVERS, metavar="A,B",
                     help=f"the two terms, separated by a comma, from: {', '.join(LEVERS)}; a unique part of "
                          f"a name will do (default: {','.join(DEFAULT_LEVERS)})")
    neg.add_argument("--contract", type=_contract_index, default=0,
                     help="which contract's terms to vary (from 0; default 0)")
    _decision_options(neg)
    from .importcmd import add_parser as add_import_parser  # the forecast importer's own options

    add_import_parser(sub)
    return parser


def _more(n: int) -> str:
    return "" if n < 1 else f" (and {n} more problem{'' if n == 1 else 's'})"


def _problem_line(problem: Problem) -> str:
    """One line naming the key at fault (from the Problem's path, whatever its wording)."""
    return problem.text


def _fail(message: str) -> int:
    # One line, whatever a file name in it holds (a newline would split it in two).
    print(terminal_safe(f"charityrisk: {message}"), file=sys.stderr)
    return EXIT_USAGE


def _load(path: str):
    warnings: list = []
    try:
        scenario = load_scenario(path, warnings)
    except ScenarioError as error:
        error.file = path  # compare reads several files: say which one
        raise
    for warning in warnings:  # a mistyped key is used by nobody: say so, and carry on
        print(terminal_safe(f"charityrisk: warning: {path}: {warning}"), file=sys.stderr)
    return scenario


def _check_contract(path: str, scenario, index: int) -> None:
    count = len(scenario.contracts)
    if index >= count:
        which = "has no contracts" if count == 0 else (
            f"has {count} contract{'s' if count != 1 else ''} (use --contract 0"
            + (f" to {count - 1})" if count > 1 else ")"))
        raise UsageError(f"--contract {index}: {path} {which}")


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file: through symbolic links and hard links (same inode),
    or, for files not there yet, the same absolute path once links in the folders resolve."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def check_output(path: str, option: str, inputs: Sequence[str] = (), others: Sequence[str] = ()) -> None:
    """Refuse an output path that would destroy something: the scenario being read, another
    output of the same command, or anything that exists and is not a regular file (a folder,
    a named pipe, a device such as /dev/null).  An existing regular file is replaced, since
    the user named it (atomically, by the writer).  Checked before the simulation runs, so
    a mistake costs no waiting."""
    for source in inputs:
        if _same_file(path, source):
            raise UsageError(f"{option} {path}: that is the scenario file being read; "
                             "choose another name for the output")
    for other in others:
        if other and _same_file(path, other):
            raise UsageError(f"{option} {path}: the same file is given for two outputs")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise UsageError(f"{option} {path}: the folder {folder} does not exist") from None
        return
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot write there ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{option} {path}: is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{option} {path}: is not a regular file (a device or a named pipe); "
                         "give a file name")


def _write(target: str, write) -> None:
    """Run write(), naming target (not the temporary file the atomic write used) if it fails."""
    try:
        write()
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None


def _decision_paths(args: argparse.Namespace, scenario) -> int:
    from .engine.decisions import MAX_DECISION_PATHS

    if args.paths is not None:
        if args.paths > MAX_DECISION_PATHS:
            raise UsageError(f"--paths: {args.command} uses at most {MAX_DECISION_PATHS:,} futures "
                             f"(got {args.paths:,})")
        return args.paths
    return min(scenario.settings.paths, MAX_DECISION_PATHS)


def _run_paths(args: argparse.Namespace, scenarios) -> int:
    """The futures to run (--paths, else the first file's), refused when the run would take
    more than about a minute (model.scenario.run_size_problem, the app's rule too) rather than
    leave the user waiting."""
    paths = args.paths if args.paths is not None else scenarios[0].settings.paths
    for scenario in scenarios:
        found = run_size_problem(scenario, paths)
        if found is not None:
            where = "--paths" if args.paths is not None else found.path
            raise UsageError(f"{where}: {found.message} (try --paths {found.limits['max']})")
    return paths


class Progress:
    """How far a long run has got, on one line of standard error rewritten in place.

    Only on a terminal: where standard error is a file or a pipe, a script reads it for the
    one-line error message, and a log fills with carriage returns.  Only after ``delay``
    seconds, so quick runs print nothing; the line is wiped when the run ends.
    """

    def __init__(self, stream=None, delay: float = 1.0, clock=time.monotonic) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.start = clock()
        self.delay = delay
        self.last = -1.0
        self.width = 0
        try:
            self.enabled = self.stream.isatty()
        except (AttributeError, ValueError):
            self.enabled = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.start < self.delay or (now - self.last < 0.2 and done < total):
            return
        self.last = now
        text = f"Simulating: {done / total:.0%} ({done:,} of {total:,} futures; Ctrl+C stops)"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def _simulate(scenario, paths: int, seed, precision: float | None = None):
    from .engine import simulate

    with Progress() as progress:
        return simulate(scenario, paths, seed, progress=progress, precision=precision)


def _print_json(data: dict) -> None:
    json.dump(data, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")


def terminal_safe(text: str) -> str:
    """Text from a file as a terminal will show it literally: each character that would move
    the cursor, recolour or reorder the line is written as its escape (\\n, \\x1b, \\u202e)."""
    return escaped(text)


def _safe_lines(lines: Sequence[str]) -> str:
    return "\n".join(terminal_safe(line) for line in lines)


def summary_text(scenario, results) -> str:
    """The headline and key figures.  A contract's name (the only text from the file here)
    gets a line of its own, escaped, below its figure: a name such as "x: 1%" followed by
    spaces or a carriage return can then never pass for, or overwrite, a figure."""
    from .report.text import contract_margins, headline, key_figures, money

    names = set(contract_margins(results))
    lines = [headline(scenario, results), ""]
    lines += [f"  {label}: {value}" for label, value in key_figures(scenario, results)
              if (label, value) not in names]
    if results.contract_names:
        lines.append("  Margin by contract (average receipts less costs within the horizon):")
    for number, (name, margin) in enumerate(zip(results.contract_names, results.contract_margin), 1):
        lines.append(f"    contract {number}: {money(float(margin))}")
        lines.append(f"      named {terminal_safe(name)}")
    return "\n".join(lines)


def cmd_simulate(args: argparse.Namespace) -> int:
    scenario = _load(args.file)
    precision = args.precision if args.precision is not None else scenario.settings.precision
    # With a precision, the futures (--paths, else the file's) are the most to run.
    results = _simulate(scenario, _run_paths(args, [scenario]), args.seed, precision)
    if args.json:
        data = results.to_json_dict()
        # A list in contract order: keyed by name, two contracts of one name became one.
        data["contract_margin"] = [{"name": name, "margin": float(margin)} for name, margin
                                   in zip(results.contract_names, results.contract_margin)]
        _print_json(data)
    else:
        print(summary_text(scenario, results))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .engine.simulate import run_steps
    from .report.export import write_csv
    from .report.pdf import pack_steps, write_report

    check_output(args.output, "-o", [args.file], [args.csv])
    if args.csv:
        check_output(args.csv, "--csv", [args.file])
    scenario = _load(args.file)
    results = _simulate(scenario, _run_paths(args, [scenario]), args.seed)
    # What would make it safe, what drives the risk, the payment structures and the file's
    # variants compared, on the same futures: the same code as the app's File > Export.
    parts = run_steps(pack_steps(scenario, results, decisions=not args.no_decisions))
    _write(args.output, lambda: write_report(scenario, args.output, results=results, analysis=parts.analysis,
                                             comparison=parts.comparison, variants=parts.variants))
    print(terminal_safe(f"Report written to {args.output}"))
    if args.csv:
        _write(args.csv, lambda: write_csv(scenario, results, args.csv, variants=parts.variants))
        print(terminal_safe(f"Figures written to {args.csv}"))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .engine.decisions import compare, preset_options
    from .engine.decisions.compare import risk_guesses_of
    from .report.decision_text import comparison_lines

    if args.variants:
        return _compare_variants(args)
    scenarios = [_load(path) for path in args.files]
    if len(scenarios) < 2 and not args.presets:
        raise UsageError("compare: give at least two scenario files, or one file with --presets")
    if args.preset_guesses and not args.presets:
        raise UsageError("--preset-guesses: only with --presets (the files carry their own guesses)")
    stems = [Path(path).stem for path in args.files]
    labels = [stem if stems.count(stem) == 1 else path for stem, path in zip(stems, args.files)]
    options = list(zip(labels, scenarios))
    files: list[str | None] = list(args.files)
    if args.presets:
        _check_contract(args.files[0], scenarios[0], args.contract)
        try:
            presets = preset_options(scenarios[0], args.contract, args.preset_guesses)[1:]
        except (OSError, ScenarioError) as error:
            raise UsageError(f"--presets: cannot read the preset scenarios ({error})") from None
        options += presets
        files += [None] * len(presets)
    paths = _run_paths(args, scenarios)
    comparison = compare(options, paths, args.seed, args.risk_appetite,
                         risk_guesses=risk_guesses_of(args.preset_guesses) if args.presets else None)
    if args.json:
        data = comparison.to_json_dict()
        for option, path in zip(data["options"], files):
            option["file"] = path
        _print_json(data)
    else:
        print(_safe_lines(comparison_lines(comparison)))
    return 0


def _compare_variants(args: argparse.Namespace) -> int:
    """``compare --variants FILE``: the file's terms beside its named variants."""
    from .engine.decisions import compare_variants
    from .report.variants import variant_lines, variants_json

    if len(args.files) != 1 or args.presets:
        raise UsageError("compare --variants: give one scenario file (its variants are inside it), "
                         "without --presets")
    scenario = _load(args.files[0])
    if not scenario.variants:
        raise UsageError(f"compare --variants: {args.files[0]} has no variants; save some with "
                         "Scenario > Try different terms in the app")
    paths = _run_paths(args, [scenario, *scenario.variants])
    comparison = compare_variants(scenario, paths, args.seed, args.risk_appetite)
    if args.json:
        _print_json(variants_json(comparison))
    else:
        print(_safe_lines(variant_lines(comparison)))
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    from .engine.decisions import CONTRACT_INPUTS, solve
    from .report.decision_text import advice, goal_lines, goal_sentence

    scenario = _load(args.file)
    targets = [args.target] if args.target else None
    if args.target is None and not scenario.contracts:
        targets = [t for t in SOLVABLE if t not in CONTRACT_INPUTS  # an overdraft's interest if it costs some
                   and (t != "overdraft_interest_per_year" or scenario.organisation.overdraft_interest_per_year > 0)]
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
        print(_safe_lines(goal_lines(solutions)))
    return 0


def cmd_negotiate(args: argparse.Namespace) -> int:
    from .engine.decisions.negotiate import NEGOTIATION_PATHS, is_contract_lever, negotiate, resolve_levers
    from .report.negotiate_text import negotiation_lines, negotiation_sentence, precision_sentence

    scenario = _load(args.file)
    if any(is_contract_lever(lever) for lever in args.levers):
        _check_contract(args.file, scenario, args.contract)
    try:  # a stage or a budget line the scenario does not have, or a term its mode does not read
        resolve_levers(scenario, args.levers, args.contract)
    except ValueError as e:
        raise UsageError(f"--levers: {e}") from None
    # The grid is read cell by cell: a few thousand futures answer in a second or two, and
    # its precision is printed with it; --paths asks for more.
    paths = _decision_paths(args, scenario)
    if args.paths is None:
        paths = min(paths, NEGOTIATION_PATHS)
    result = negotiate(scenario, args.levers, args.contract, paths, args.seed, args.risk_appetite)
    several = len(scenario.contracts) > 1
    if args.json:
        data = result.to_json_dict()
        data["file"] = args.file
        data["sentence"] = negotiation_sentence(result, several)
        data["precision"] = precision_sentence(result)
        _print_json(data)
    else:
        print(_safe_lines(negotiation_lines(result, several)))
    return 0


def _mistyped_command(argv: Sequence[str]) -> str | None:
    """The message for a first word that is neither a command nor a file to open (``simulat
    x.json``), which the app would otherwise answer with "unrecognized arguments"."""
    import difflib

    word = argv[0]
    if word.startswith("-") or os.path.exists(word) or word.lower().endswith(".json"):
        return None
    close = difflib.get_close_matches(word.lower(), SUBCOMMANDS, n=1, cutoff=0.6)
    if close:
        return f"unknown command {terminal_safe(word)!r}; did you mean {close[0]!r}?"
    if len(argv) > 1:
        return f"unknown command {terminal_safe(word)!r} (commands: {', '.join(SUBCOMMANDS)})"
    return None  # one word: a file name to open, which the app says is missing


def _no_display() -> str | None:
    """Why the window cannot open here (Linux with no X11 or Wayland display and no Qt
    platform chosen), for one line instead of Qt's abort (exit 134)."""
    if not sys.platform.startswith("linux"):
        return None
    if any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return None
    return ("no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            f"the commands work without one: charityrisk {{{','.join(SUBCOMMANDS)}}} --help")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        problem = (_mistyped_command(argv) if argv else None) or _no_display()
        if problem:
            return _fail(problem)
        from .app import run_app

        return run_app(argv)
    args = build_parser().parse_args(argv)
    from .importcmd import cmd_import

    handlers = {"simulate": cmd_simulate, "report": cmd_report, "compare": cmd_compare, "solve": cmd_solve,
                "negotiate": cmd_negotiate, "import": cmd_import}
    try:
        return handlers[args.command](args)
    except ScenarioError as error:
        where = error.file or getattr(args, "file", "")
        return _fail(f"{where}: {_problem_line(error.problems[0])}" + _more(len(error.problems) - 1))
    except UsageError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        # Ctrl+C during a long run: the user asked for it, so no traceback.
        _fail(f"{args.command}: stopped (Ctrl+C)")
        return EXIT_INTERRUPTED
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
