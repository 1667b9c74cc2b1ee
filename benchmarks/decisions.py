"""Decision tools benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/decisions.py [--paths 20000] [--repeats 3]

Times, for resources/scenarios/example.json at 20,000 futures:
1. the full sensitivity run and every goal seek together (``engine.decisions.analyse``: one
   set of futures shared), the figure with the goal of under 5 s on a 2-core machine;
2. each part on its own: sensitivity; each goal seek (with its own base run);
   (the goal of issue 27, every goal seek against one simulation as whole processes, is
   benchmarks/solve.py's)
3. a check of the answers: each goal seek's scenario, re-simulated by ``engine.simulate``
   with the same seed, gives the same chance of running out, and with a fresh seed stays
   within 4 Monte Carlo standard errors of the appetite.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from charityrisk.engine import simulate  # noqa: E402
from charityrisk.engine.decisions import analyse, goal_seek, sensitivity  # noqa: E402
from charityrisk.model import load_scenario  # noqa: E402
from charityrisk.report.decision_text import advice  # noqa: E402

EXAMPLE = REPO / "tests" / "data" / "example_v1.json"  # the README's figures were measured on it
GOAL_S = 5.0


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan'):.1f}")
    s = load_scenario(EXAMPLE)
    paths, seed = args.paths, s.settings.seed
    print(f"CharityRisk decision tools benchmark  python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()} {platform.system()}, {os.cpu_count()} CPUs")
    print(f"scenario: {EXAMPLE.relative_to(REPO)} ({s.name!r}, horizon {s.horizon_months} months), "
          f"{paths:,} futures, seed {seed}, risk appetite {s.settings.risk_appetite:.0%}")
    analyse(s, paths=2_000, seed=seed)  # warm up imports and numpy

    times = []
    for _ in range(args.repeats):
        t, result = timed(lambda: analyse(s, paths=paths, seed=seed))
        times.append(t)
    verdict = "met" if min(times) < GOAL_S else "MISSED"
    print(f"\n1. Full sensitivity + all {len(result.solutions.goals)} goal seeks (shared futures): "
          + ", ".join(f"{t:.2f} s" for t in times)
          + f"  -> best {min(times):.2f} s, median {statistics.median(times):.2f} s"
          + f"  [goal < {GOAL_S:.0f} s: {verdict}]")

    print("\n2. Parts on their own (each with its own base run)")
    t, sens = timed(lambda: sensitivity(s, paths=paths, seed=seed))
    print(f"   sensitivity ({len(sens.bars)} inputs, low and high): {t:.2f} s")
    parts = t
    for name in [g.input for g in result.solutions.goals]:  # those the contract's payment mode reads
        t, g = timed(lambda name=name: goal_seek(s, name, paths=paths, seed=seed))
        parts += t
        shown = "-" if g.value is None else f"{g.value:g}"
        print(f"   goal seek {name:20s} {t:5.2f} s  {g.evaluations:2d} evaluations  {g.status:9s} {shown}")
    print(f"   sum of the parts: {parts:.2f} s")

    print("\n3. Answers checked against engine.simulate")
    a = s.settings.risk_appetite
    fresh_paths, fresh_seed = 50_000, seed + 1_000_003
    for g in result.solutions.goals:
        if g.safe_scenario is None:
            print(f"   {g.input:20s} {g.status}: nothing to check")
            continue
        same = simulate(g.safe_scenario, paths, seed).p_run_out
        fresh = simulate(g.safe_scenario, fresh_paths, fresh_seed)
        tol = 4 * math.hypot(math.sqrt(a * (1 - a) / paths), math.sqrt(a * (1 - a) / fresh_paths))
        ok = same == g.p_run_out_at_value and fresh.p_run_out <= a + tol
        print(f"   {g.input:20s} value {g.value:>10g}: same seed {same:.4f} (search said {g.p_run_out_at_value:.4f}); "
              f"fresh seed, {fresh_paths:,} futures {fresh.p_run_out:.4f} <= {a} + {tol:.4f}  "
              f"{'ok' if ok else 'CHECK'}")
    print(f"\n   {advice(result.solutions)}")
    print("\n   Largest effects: " + "; ".join(
        f"{b.key} {b.p_low:.1%} to {b.p_high:.1%}" for b in result.sensitivity.bars[:4]))


if __name__ == "__main__":
    main()
