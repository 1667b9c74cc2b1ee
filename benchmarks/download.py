"""The download: its size zipped, its largest parts, and the first paint from a fresh unzip.

    scripts/build-app && .venv/bin/python benchmarks/download.py [--repeats 3] [--zip ZIP]

Reads dist/CharityRisk.zip (scripts/build-app makes it), or --zip.  Prints what it measured with the
date and the load average, asserts nothing, exits by itself.
1. The zip's size in MiB and bytes (issue 27: under 70 MiB) and its largest parts, by the
   package folder they ship in, compressed as they are in the zip.
2. `CharityRisk --smoke` (the window built, 2,000 futures simulated and shown, then exit;
   offscreen Qt), each run from a folder freshly unzipped and with an empty app-data folder,
   as the first start after a download: wall seconds of each run (goal: under 2 s).
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import platform
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ZIP = REPO / "dist" / "CharityRisk.zip"
MiB = 1024 * 1024


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def part_of(name: str) -> str:
    """The package folder a file ships in: CharityRisk/_internal/PySide6/Qt/lib/x -> PySide6."""
    parts = name.split("/")
    if len(parts) > 2 and parts[1] == "_internal":
        return parts[2] if len(parts) > 3 else "_internal (loose files)"
    return parts[1] if len(parts) > 1 else name


def sizes(archive: Path, largest: int = 8) -> None:
    total = archive.stat().st_size
    print(f"zip: {total / MiB:.1f} MiB ({total:,} bytes)  [goal: under 70 MiB]")
    by_part: collections.Counter[str] = collections.Counter()
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            by_part[part_of(info.filename)] += info.compress_size
    print("largest parts, compressed: " + ", ".join(
        f"{name} {size / MiB:.1f}" for name, size in by_part.most_common(largest)) + " (MiB)")


def first_paints(archive: Path, repeats: int) -> None:
    print(f"CharityRisk --smoke from a fresh unzip and empty app data, {repeats} runs:")
    for run in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            # unzip, not zipfile: the zip holds symbolic links, which zipfile writes as files
            subprocess.run(["unzip", "-q", str(archive), "-d", folder], check=True)
            app = Path(folder) / "CharityRisk" / "CharityRisk"
            env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=folder,
                       XDG_DATA_HOME=str(Path(folder) / "data"))
            start = time.perf_counter()
            subprocess.run([str(app), "--smoke"], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"  run {run + 1}: {time.perf_counter() - start:.2f} s  [goal: under 2 s]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--zip", type=Path, default=ZIP, help="the zipped bundle (default: dist/CharityRisk.zip)")
    args = parser.parse_args()
    if not args.zip.is_file():
        raise SystemExit(f"{args.zip} is missing: run scripts/build-app first")
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} CPUs; load average {load()} at the start")
    print(f"bundle: {args.zip}")
    sizes(args.zip)
    first_paints(args.zip, args.repeats)
    print(f"load average {load()} at the end")


if __name__ == "__main__":
    main()
