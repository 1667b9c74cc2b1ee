"""The double-clickable app: build.spec makes a one-folder bundle that starts and simulates.

Slow (about a minute): PyInstaller analyses numpy, matplotlib and Qt.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_frozen_app_builds_and_passes_smoke(tmp_path):
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    if not pyinstaller.exists():
        pytest.skip("PyInstaller is not installed (pip install -e .[build])")
    build = subprocess.run(
        [str(pyinstaller), "--noconfirm", "--log-level", "ERROR", "--distpath", str(tmp_path / "dist"),
         "--workpath", str(tmp_path / "build"), str(ROOT / "build.spec")],
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert build.returncode == 0, build.stderr[-3000:]
    folder = tmp_path / "dist" / "CharityRisk"
    exe = folder / ("CharityRisk.exe" if sys.platform == "win32" else "CharityRisk")
    assert (folder / "_internal" / "resources" / "scenarios" / "example.json").is_file()
    assert (folder / "_internal" / "resources" / "icon.png").is_file()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    smoke = subprocess.run([str(exe), "--smoke"], capture_output=True, text=True, timeout=120, env=env)
    assert smoke.returncode == 0, smoke.stderr[-3000:]
    assert "smoke: window built, 2,000 futures simulated" in smoke.stdout
    simulated = subprocess.run([str(exe), "simulate", str(ROOT / "resources" / "scenarios" / "example.json"),
                                "--paths", "1000", "--json"], capture_output=True, text=True, timeout=120, env=env)
    assert simulated.returncode == 0, simulated.stderr[-3000:]
    assert '"p_run_out"' in simulated.stdout
