"""How long `scripts/run` takes to put the app on screen: prints figures, asserts nothing.

    .venv/bin/python benchmarks/startup.py [--repeat 3]

Times, each the median of --repeat runs, in fresh processes (offscreen Qt):
1. `scripts/setup-stamp --check`: what scripts/run now costs before starting the app.
2. `scripts/setup`: what scripts/run used to cost on every launch (apt check and pip install).
3. The window on screen: interpreter start, imports, window built and shown, up to the first
   turn of the event loop (the real `charityrisk.gui.main.main`, started without a file).
4. `scripts/run --smoke`: launch, a 2,000-future simulation shown, and exit.
Run it on a quiet machine: other work on the CPUs inflates every figure.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# In a fresh interpreter: the event loop's first turn comes once main() has built and shown
# the window; leave then (the example's background simulation is not waited for).
WINDOW_UP = r"""
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
QTimer.singleShot(0, lambda: os._exit(0))
from charityrisk.gui.main import main
main([])
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a command.  On a busy machine the CPU time is the better
    guide to what a user with an idle computer sees, as start-up runs on one core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def median(f, repeat: int) -> tuple[float, float]:
    runs = [f() for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-setup", action="store_true", help="do not time scripts/setup")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        # A scratch home: no saved window state or crash-recovery files change what starts.
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": home,
               "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}
        subprocess.run([str(REPO / "scripts/setup-stamp"), "--check"], check=True)  # set up first
        rows = [("scripts/setup-stamp --check (run's own cost now)",
                 median(lambda: timed([str(REPO / "scripts/setup-stamp"), "--check"]), args.repeat))]
        if not args.skip_setup:
            rows.append(("scripts/setup (run's own cost before)",
                         median(lambda: timed([str(REPO / "scripts/setup")]), args.repeat)))
        python = str(REPO / ".venv/bin/python")
        rows.append(("window on screen (fresh interpreter)", median(lambda: timed([python, "-c", WINDOW_UP], env),
                            args.repeat)))
        rows.append(("scripts/run --smoke (2,000 futures shown, exit)",
                     median(lambda: timed([str(REPO / "scripts/run"), "--smoke"], env), args.repeat)))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, median of {args.repeat}; {os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"  {'':<52} {'wall':>7} {'CPU':>7}")
    for name, (seconds, cpu) in rows:
        print(f"  {name:<52} {seconds:6.2f}s {cpu:6.2f}s")


if __name__ == "__main__":
    sys.exit(main())
