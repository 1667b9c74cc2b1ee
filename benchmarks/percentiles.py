"""Percentiles by selection against the sort, then whole runs against an earlier commit's code.

    .venv/bin/python benchmarks/percentiles.py [--against 703dfa8] [--repeats 3]

1. One month's order statistics at 2,000 to 100,000 futures: a full sort, np.partition on the
   ranks wanted and the engine's selection by counting (best of 7 each, taken in turn), and
   whether the ranks hold the same values (they must: the engine's answer is the same bit
   for bit).
2. Whole `python -m charityrisk simulate FILE --paths 100000 --json` processes, 120 months with
   the baseline, on the single-line example and on the shipped example, this checkout's code
   against the code at --against (checked out beside it with `git worktree`), runs taken in
   turn so that both see the same machine.  Best of --repeats, wall and CPU time (the process's
   user + system time, which a loaded machine distorts less than wall time).

Prints what it measured with the date and the load average, asserts nothing, exits by itself.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
PERCENTILES = (5, 25, 50, 75, 95)
SCENARIOS = {"single-line example": REPO / "tests" / "data" / "example_v1.json",
             "shipped example": REPO / "resources" / "scenarios" / "example.json"}
GOAL = 0.75  # issue 27: at most 0.75 times the earlier code's time


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "n/a"


def ranks(n: int) -> tuple[np.ndarray, np.ndarray]:
    at = np.asarray(PERCENTILES, dtype=np.float64) / 100 * (n - 1)
    lower = np.floor(at).astype(np.intp)
    return lower, np.minimum(lower + 1, n - 1)


def month_orders(repeats: int = 7) -> None:
    """A month's ranks three ways: a full sort, np.partition on the ranks, and the engine's
    selection by counting (charityrisk.engine.ranks), on a month shaped like the example's
    (most futures near the plan, a twentieth far below it)."""
    from charityrisk.engine.ranks import Work, row_at_ranks

    rng = np.random.default_rng(1)
    print(f"One month's order statistics (ms, best of {repeats}, a copy of the month included):")
    print(f"  {'futures':>8}  {'sort':>7}  {'partition':>9}  {'counting':>8}  same ranks")
    for n in (2_000, 5_000, 10_000, 100_000):
        month = np.concatenate([rng.normal(6e4, 3e4, n - n // 20), rng.normal(-4e5, 3e5, n // 20)])
        lower, upper = ranks(n)
        wanted = np.unique(np.concatenate([lower, upper]))
        work = Work(n, month.dtype)  # made once, as the engine makes it once for a run of months
        ways = {"sort": lambda x, at: np.sort(x)[at],
                "partition": lambda x, at: np.partition(x, at)[at],
                "counting": lambda x, at, work=work: row_at_ranks(x.copy(), at, work)}
        times: dict[str, list[float]] = {way: [] for way in ways}
        answers = {}
        for _ in range(repeats):
            for way, f in ways.items():  # in turn: each sees the same machine
                start = time.perf_counter()
                answers[way] = f(month, wanted)
                times[way].append(time.perf_counter() - start)
        same = all(np.array_equal(answers["sort"], a) for a in answers.values())
        print(f"  {n:>8,}  {min(times['sort']) * 1e3:7.2f}  {min(times['partition']) * 1e3:9.2f}  "
              f"{min(times['counting']) * 1e3:8.2f}  {same}")


def at_120_months(source: Path, folder: Path) -> Path:
    data = json.loads(source.read_text(encoding="utf-8"))
    data["horizon_months"] = 120
    path = folder / f"{source.stem}-120.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def checkout(rev: str) -> Path:
    tree = Path(tempfile.gettempdir()) / f"charityrisk-bench-{rev}"
    if not (tree / "charityrisk").is_dir():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev],
                       check=True, capture_output=True)
    return tree


def run_once(tree: Path, scenario: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process on ``tree``'s code."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    before = os.times()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "charityrisk", "simulate", str(scenario), "--paths", "100000",
                    "--json"], cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def whole_runs(against: str, repeats: int) -> None:
    old = checkout(against)
    trees = {f"code at {against}": old, "this checkout": REPO}
    with tempfile.TemporaryDirectory() as folder:
        print(f"\nWhole processes, 100,000 futures x 120 months with the baseline (best of {repeats}):")
        print(f"  {'scenario':<22} {'code':<18} {'wall s':>7} {'CPU s':>7}")
        for name, source in SCENARIOS.items():
            scenario = at_120_months(source, Path(folder))
            best: dict[str, tuple[float, float]] = {}
            for _ in range(repeats):
                for label, tree in trees.items():  # in turn: both see the same machine
                    wall, cpu = run_once(tree, scenario)
                    w, c = best.get(label, (float("inf"), float("inf")))
                    best[label] = (min(w, wall), min(c, cpu))
            for label, (wall, cpu) in best.items():
                print(f"  {name:<22} {label:<18} {wall:7.2f} {cpu:7.2f}")
            (old_wall, old_cpu), (new_wall, new_cpu) = best.values()
            print(f"  {'':<22} {'ratio':<18} {new_wall / old_wall:7.2f} {new_cpu / old_cpu:7.2f}"
                  f"   goal <= {GOAL} (moonshot 0.6)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="703dfa8", help="the commit to compare with")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {load()} at the start, {os.cpu_count()} CPUs, "
          f"numpy {np.__version__}")
    month_orders()
    whole_runs(args.against, args.repeats)
    print(f"load average {load()} at the end")


if __name__ == "__main__":
    main()
