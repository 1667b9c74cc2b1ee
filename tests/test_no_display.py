"""A display that cannot be opened (issue 21): one line and exit 2, not Qt's abort (134).

A stale DISPLAY is common over ssh; Qt's xcb plugin then aborts.  The app checks the display
as the plugin would before Qt starts, and catches Qt's own fatal message while the
application is made for what the check cannot foresee."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from charityrisk.gui.main import display_problem, xcb_connects


def test_a_stale_display_is_one_line_before_qt_starts():
    said = display_problem({"DISPLAY": ":99", "QT_QPA_PLATFORM": "xcb"}, "linux", lambda d: False)
    assert said is not None and "':99'" in said and "\n" not in said
    assert display_problem({"DISPLAY": ":0"}, "linux", lambda d: True) is None
    assert display_problem({"QT_QPA_PLATFORM": "xcb"}, "linux", lambda d: True).startswith("no display")
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", lambda d: False) is None
    assert display_problem({"DISPLAY": ":99"}, "darwin", lambda d: False) is None
    # Only libxcb can tell: then Qt is left to say it (its fatal message is caught too).
    assert display_problem({"DISPLAY": ":99"}, "linux", lambda d: None) is None


def free_display() -> str:
    for number in range(97, 90, -1):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and xcb_connects(f":{number}") is False:
            return f":{number}"
    pytest.skip("no free X display number to try")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 displays are a Linux matter")
def test_the_app_on_a_stale_display_says_one_line_and_exits_2():
    display = free_display()
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    done = subprocess.run([sys.executable, "-m", "charityrisk"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr  # was 134: Qt's abort
    assert done.stderr.count("\n") == 1 and f"cannot open the display '{display}'" in done.stderr


def test_a_qt_platform_that_cannot_start_is_one_line_and_exit_2():
    """What the check before Qt cannot foresee: Qt's own fatal message, caught while the
    application is made."""
    env = dict(os.environ, QT_QPA_PLATFORM="nosuchplatform")
    done = subprocess.run([sys.executable, "-m", "charityrisk"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("charityrisk: the window cannot open:")
