"""scripts/run sets up only when something setup depends on changed: the app starts at once
on every later launch, and still picks up a changed pyproject.toml or setup script.

Runs the real scripts/run and scripts/setup-stamp in a copy of the checkout's layout, with a
stand-in setup (the real one installs with apt and pip) and a stand-in app."""
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(sys.platform == "win32" or shutil.which("bash") is None,
                                reason="the scripts are for bash")


def _script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def checkout(tmp_path):
    (tmp_path / "scripts").mkdir()
    for name in ("run", "setup-stamp"):
        shutil.copy2(ROOT / "scripts" / name, tmp_path / "scripts" / name)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "charityrisk"\n')
    # Stands in for scripts/setup: logs each call, makes the venv, then ends as the real one does.
    _script(tmp_path / "scripts" / "setup", '#!/usr/bin/env bash\nset -euo pipefail\n'
            'cd "$(dirname "$0")/.."\necho setup >> setup.log\n'
            '[ -z "${FAIL_SETUP:-}" ] || exit 3\n'
            'mkdir -p .venv/bin\n'
            'printf \'#!/usr/bin/env bash\\necho "app $*"\\n\' > .venv/bin/charityrisk\n'
            'cp .venv/bin/charityrisk .venv/bin/python\n'
            'chmod +x .venv/bin/charityrisk .venv/bin/python\n'
            'scripts/setup-stamp --write\n')
    return tmp_path


def run(checkout: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(checkout / "scripts" / "run"), *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def setups(checkout: Path) -> int:
    log = checkout / "setup.log"
    return len(log.read_text().split()) if log.exists() else 0


def test_first_run_sets_up_later_runs_go_straight_to_the_app(checkout):
    first = run(checkout, "--smoke", "my file.json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "app --smoke my file.json\n"
    assert setups(checkout) == 1
    for _ in range(2):
        again = run(checkout)
        assert again.returncode == 0 and again.stdout == "app \n"
    assert setups(checkout) == 1


@pytest.mark.parametrize("change", ["pyproject.toml", "scripts/setup"])
def test_a_changed_dependency_or_setup_script_sets_up_again(checkout, change):
    run(checkout)
    with open(checkout / change, "a") as f:
        f.write("\n# a change\n")
    assert run(checkout).returncode == 0
    assert setups(checkout) == 2
    run(checkout)
    assert setups(checkout) == 2


def test_a_missing_app_sets_up_again(checkout):
    run(checkout)
    (checkout / ".venv" / "bin" / "charityrisk").unlink()
    assert run(checkout).stdout == "app \n"
    assert setups(checkout) == 2


def test_a_failed_setup_stops_the_launch_and_is_tried_again(checkout):
    failed = run(checkout, FAIL_SETUP="1")
    assert failed.returncode != 0 and failed.stdout == ""
    assert run(checkout).returncode == 0
    assert setups(checkout) == 2


def test_the_real_setup_records_its_stamp_last():
    lines = [ln for ln in (ROOT / "scripts" / "setup").read_text().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert lines[-1] == "scripts/setup-stamp --write"
