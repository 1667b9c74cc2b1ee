import os
import shutil
import tempfile

# Before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
# The first-start question would wait for an answer; tests of it unset this.
os.environ.setdefault("CHARITYRISK_NO_START", "1")
# The app's data (recovery files above all) in a folder of this test process's own, never the
# user's: scripts/test runs two processes (pytest-xdist), and one's windows must never find the
# other's work to recover.  Tests that need their own folder still set XDG_DATA_HOME.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="charityrisk-test-data-")

from dataclasses import replace  # after the environment is set for Qt

import pytest

SMALL_PATHS = 2_000
_DATA_HOME = os.environ["XDG_DATA_HOME"]


def pytest_unconfigure(config):
    shutil.rmtree(_DATA_HOME, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """In a pytest-xdist worker (scripts/test: --dist loadfile, each file on one worker, in the
    order the files first appear), the slow tests come first, so their files (the frozen build's,
    a minute or more, above all) start at once beside the rest instead of being left for the
    end while the other worker waits.  A plain pytest keeps file order."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable


@pytest.fixture
def example():
    """The built-in example at 2,000 futures: quick enough for GUI and robustness tests.
    Test files that need another 'example' (full size, or results) define their own."""
    from charityrisk.model import load_scenario
    from charityrisk.resources import example_scenario_path

    s = load_scenario(example_scenario_path())
    return replace(s, settings=replace(s.settings, paths=SMALL_PATHS))


@pytest.fixture
def prompts():
    """A fake of the app's prompts: records questions and messages, answers from a script
    (unscripted: Discard to 'save the changes?', No to the rest); see fake_prompts."""
    from fake_prompts import FakePrompts

    return FakePrompts()


@pytest.fixture
def created_windows(monkeypatch, prompts):
    """Every MainWindow that charityrisk.gui.main creates during the test, in order; each
    asks its questions of the ``prompts`` fake."""
    from charityrisk.gui.window import MainWindow

    windows = []

    class Recorded(MainWindow):
        def __init__(self, *a, **k):
            k.setdefault("prompts", prompts)
            super().__init__(*a, **k)
            windows.append(self)

    monkeypatch.setattr("charityrisk.gui.window.MainWindow", Recorded)
    return windows


def shut_down(window) -> None:
    """Stop every worker a test's window may have started: a thread still running when the
    test ends would outlive its widgets."""
    if getattr(window, "start_wizard", None) is not None:
        window.start_wizard.reject()
    for runner in (window.runner, window.save_runner, window.export_runner):
        runner.shutdown()
    window.decisions_panel.shutdown()
    window.variants_panel.shutdown()


@pytest.fixture
def window(qtbot, example, tmp_path, prompts):
    """The main window on the example (2,000 futures), shown, its first results in.  Its
    settings are the test's own file, and its questions go to the ``prompts`` fake (a modal
    prompt would wait for a click forever).  Test files needing another window define their own."""
    from PySide6.QtCore import QSettings

    from charityrisk.gui.window import MainWindow

    w = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), prompts=prompts)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.results_shown, timeout=30_000):
        w.load(example, None)
    w.show()
    yield w
    shut_down(w)


@pytest.fixture
def make_window(qtbot, tmp_path, prompts, example):
    """Main windows made when the test asks: ``make()`` on the example (2,000 futures),
    ``make(path)`` opening a file, ``make(None, scenario)`` on another scenario; each shown,
    its settings the test's own file, its questions to the ``prompts`` fake.  None of their
    results is waited for.  At the end each one's recovery file is let go and its workers
    are stopped."""
    from PySide6.QtCore import QSettings

    from charityrisk.gui.window import MainWindow

    made = []

    def make(path=None, scenario=None):
        w = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), prompts=prompts)
        qtbot.addWidget(w)
        if path is None:
            w.load(example if scenario is None else scenario, None)
        else:
            assert w.open_path(path)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        if w.recovery is not None:
            w.recovery.release()
        shut_down(w)


@pytest.fixture
def answered_window(qtbot, tmp_path, prompts, example):
    """Main windows as the app starts them: ``make(width, height)`` sizes one, answers the
    example (or ``scenario``) before it is shown, then shows it.  Stopped at the end."""
    from PySide6.QtCore import QSettings

    from charityrisk.gui.window import MainWindow

    made = []

    def make(width, height, scenario=None):
        w = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), prompts=prompts)
        qtbot.addWidget(w)
        w.resize(width, height)
        with qtbot.waitSignal(w.results_shown, timeout=30_000):
            w.load(example if scenario is None else scenario, None)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        shut_down(w)
