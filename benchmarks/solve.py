"""Every goal seek against one simulation, whole processes side by side: prints figures, asserts nothing.

    .venv/bin/python benchmarks/solve.py [--paths 20000] [--rounds 5] [--against REV] [--file FILE]

For resources/scenarios/example.json (or ``--file``) at 20,000 futures, in turn, ``--rounds`` times:
1. ``charityrisk simulate FILE --paths N --json`` (one simulation, as a user runs it);
2. ``charityrisk solve FILE --paths N --json`` (every goal seek the contract's payment mode
   reads, as a user runs it);
3. with ``--against REV``, the same ``solve`` from that commit's code (``git archive``,
   unpacked to a temporary folder, run with this .venv's Python), side by side with 1 and 2.
Wall time and CPU (user + system, all threads) of each process; the ratio of the best
solve to the best simulate against issue 27's goal (at most 6 times; moonshot 3).  Then
the answers: each against REV's (the same within one grid step, its or this code's), and each answer's
scenario simulated on fresh futures (another seed, 50,000 futures): within the appetite plus
4 Monte Carlo standard errors.  Prints the date, the load average before and after, and
exits by itself.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from charityrisk.engine import simulate  # noqa: E402
from charityrisk.engine.decisions import solve  # noqa: E402
from charityrisk.model import load_scenario  # noqa: E402

EXAMPLE = REPO / "resources" / "scenarios" / "example.json"
GOAL = 6.0
MOONSHOT = 3.0


def run(code: Path, args: list[str]) -> tuple[float, float, str]:
    """(wall s, CPU s, stdout) of one ``python -m charityrisk`` process from ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "charityrisk", *args], cwd=code, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(code)}, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def unpack(rev: str, into: Path) -> Path:
    """The code of commit ``rev`` (charityrisk/ and resources/), unpacked into a folder."""
    archive = into / "code.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(REPO), "archive", rev, "charityrisk", "resources"], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "code", filter="data")
    return into / "code"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def figures(name: str, runs: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in runs]
    cpus = [c for _, c in runs]
    return (f"   {name:28s} wall best {min(walls):6.2f} s, median {statistics.median(walls):6.2f} s;"
            f"  CPU best {min(cpus):6.2f} s, median {statistics.median(cpus):6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", metavar="REV", help="also time `solve` from this commit, side by side")
    parser.add_argument("--fresh", type=int, default=50_000, help="futures of the fresh-seed check")
    parser.add_argument("--file", type=Path, default=EXAMPLE, help="the scenario (default: the shipped example)")
    args = parser.parse_args()
    example = args.file.resolve()
    paths = str(args.paths)
    s = load_scenario(example)
    print(f"CharityRisk goal seeks against one simulation, whole processes  "
          f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"python {platform.python_version()}, {platform.machine()} {platform.system()}, "
          f"{os.cpu_count()} CPUs; load average before: {load()}")
    shown = example.relative_to(REPO) if example.is_relative_to(REPO) else example
    print(f"scenario: {shown}, {args.paths:,} futures, seed {s.settings.seed}, "
          f"appetite {s.settings.risk_appetite:.0%}; {args.rounds} rounds, each process in turn\n")
    with tempfile.TemporaryDirectory() as tmp:
        old = unpack(args.against, Path(tmp)) if args.against else None
        file = str(example)
        sims: list[tuple[float, float]] = []
        solves: list[tuple[float, float]] = []
        olds: list[tuple[float, float]] = []
        answer = before = ""
        run(REPO, ["simulate", file, "--paths", "1000", "--json"])  # warm the file cache
        for _ in range(args.rounds):
            w, c, _ = run(REPO, ["simulate", file, "--paths", paths, "--json"])
            sims.append((w, c))
            w, c, answer = run(REPO, ["solve", file, "--paths", paths, "--json"])
            solves.append((w, c))
            if old is not None:
                w, c, before = run(old, ["solve", file, "--paths", paths, "--json"])
                olds.append((w, c))
        print(figures("charityrisk simulate", sims))
        print(figures("charityrisk solve (this code)", solves))
        if olds:
            print(figures(f"charityrisk solve ({args.against})", olds))
        best_sim = min(w for w, _ in sims)
        ratio = min(w for w, _ in solves) / best_sim
        cpu_ratio = min(c for _, c in solves) / min(c for _, c in sims)
        verdict = "met" if ratio <= GOAL else "MISSED"
        print(f"\n   solve / simulate, best wall: {ratio:.1f} times (CPU {cpu_ratio:.1f} times)  "
              f"[goal <= {GOAL:g}: {verdict}; moonshot <= {MOONSHOT:g}: {'met' if ratio <= MOONSHOT else 'not met'}]")
        if olds:
            old_ratio = min(w for w, _ in olds) / best_sim
            print(f"   {args.against} solve / simulate: {old_ratio:.1f} times; this code is "
                  f"{min(w for w, _ in olds) / min(w for w, _ in solves):.1f} times as fast (wall), "
                  f"{min(c for _, c in olds) / min(c for _, c in solves):.1f} times (CPU)")
        print(f"   load average after: {load()}")

    now = json.loads(answer)
    was = {g["input"]: g for g in json.loads(before)["goals"]} if before else {}
    a = s.settings.risk_appetite
    fresh_seed = s.settings.seed + 1_000_003
    tol = 4 * math.hypot(math.sqrt(a * (1 - a) / args.paths), math.sqrt(a * (1 - a) / args.fresh))
    print(f"\nAnswers (this code{', against ' + args.against if was else ''}); each answer's scenario on "
          f"{args.fresh:,} fresh futures (seed {fresh_seed}) against {a:.0%} + {tol:.4f}:")
    # Each answer's scenario, from the same search in this process (its answers are the
    # process's: checked), for the fresh futures.
    same_run = solve(s, paths=args.paths)
    at_answer = {g.input: g.safe_scenario for g in same_run.goals}
    for g in now["goals"]:
        shown = "-" if g["value"] is None else f"{g['value']:g}"
        line = f"   {g['input']:32s} {g['status']:9s} {shown:>10s}"
        if g["input"] in was:
            w = was[g["input"]]
            old_shown = "-" if w["value"] is None else f"{w['value']:g}"
            same = (g["status"] == w["status"] and (g["value"] is None) == (w["value"] is None)
                    and (g["value"] is None or abs(g["value"] - w["value"]) <= max(w["step"], g["step"]) + 1e-9))
            line += f"  was {w['status']:9s} {old_shown:>10s} (step {w['step']:g})  {'same' if same else 'DIFFERS'}"
        if g["value"] is not None:
            safe = at_answer[g["input"]]
            assert safe is not None and same_run.goal(g["input"]).value == g["value"]
            p = simulate(safe, args.fresh, fresh_seed).p_run_out
            line += f"  fresh {p:.4f} {'ok' if p <= a + tol else 'CHECK'}"
        print(line)


if __name__ == "__main__":
    main()
