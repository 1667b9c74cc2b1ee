"""Save never freezes the window (issue 15): a scenario that takes more than a few milliseconds
to serialise is serialised and written on a worker thread, with every promise of a save kept.

Each test holds the worker's write at a gate, does what a user might do meanwhile (type, Save
again, Save As, close the window), then lets the write finish and checks the file and the
window.  The gate's wait has a time limit so that, were the save back on the GUI thread, the
tests would fail rather than hang.
"""
from __future__ import annotations

import errno
import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import QAbstractSpinBox

from charityrisk.gui import document as document_module
from charityrisk.gui import filesafety
from charityrisk.gui.window import MainWindow
from charityrisk.model import save_scenario


@pytest.fixture(autouse=True)
def no_simulation(monkeypatch):
    monkeypatch.setattr(MainWindow, "run_simulation", lambda self: None)


@pytest.fixture
def big(tmp_path, example) -> Path:
    """A scenario file with big unknown keys (within the loader's limits): too large to
    serialise on the GUI thread (recovery.is_small_data)."""
    path = tmp_path / "docs" / "bid.json"
    path.parent.mkdir()
    save_scenario(example, path)
    data = json.loads(path.read_text())
    data["contracts"][0]["history"] = [f"month {i:04}: a note another tool wrote here, kept as it is"
                                       for i in range(6_000)]
    path.write_text(json.dumps(data, indent=2))
    save_scenario(load(path), path)  # as the app writes it, so that .bak comparisons are exact
    return path


def load(path):
    from charityrisk.model import load_scenario

    return load_scenario(path)


class Gate:
    """Holds the window's file writes (its save_scenario) until opened; records their threads."""

    def __init__(self, monkeypatch):
        self.entered = threading.Event()
        self.open = threading.Event()
        self.threads: list[threading.Thread] = []
        real = document_module.save_scenario

        def held(scenario, path, **kw):
            self.threads.append(threading.current_thread())
            self.entered.set()
            self.open.wait(10)  # never for ever: a save on the GUI thread fails the test instead
            real(scenario, path, **kw)

        monkeypatch.setattr(document_module, "save_scenario", held)

    def release(self):
        self.open.set()


@pytest.fixture
def gate(monkeypatch):
    return Gate(monkeypatch)


def edit(window, name, value):
    spin = window.form.findChild(QAbstractSpinBox, name)
    assert spin is not None, name
    spin.setValue(value)
    window.settle_now()


def reserves(path: Path) -> float:
    return json.loads(path.read_text())["organisation"]["opening_reserves"]


def done(qtbot, window):
    qtbot.waitUntil(lambda: window.saving is None, timeout=30_000)


def test_a_large_save_runs_on_a_worker_while_the_window_stays_usable(qtbot, make_window, big, gate):
    w = make_window(big)
    edit(w, "organisation.opening_reserves", 1_111)
    assert w.save()  # returns at once: the write is held at the gate
    assert gate.entered.wait(10)
    assert gate.threads[0] is not threading.main_thread()
    assert w.saving == big and w.isWindowModified()
    assert "Saving bid.json" in w.statusBar().currentMessage()
    edit(w, "organisation.opening_reserves", 2_222)  # the window answers while it is written
    gate.release()
    done(qtbot, w)
    assert reserves(big) == 1_111  # what the save took, not the later edit
    assert w.isWindowModified()  # the later edit is not on disk: still unsaved
    assert len(load(big).contracts[0].extra["history"]) == 6_000

    assert w.save()
    done(qtbot, w)
    assert reserves(big) == 2_222 and not w.isWindowModified()


def test_an_undo_while_saving_leaves_the_work_unsaved(qtbot, make_window, big, gate):
    w = make_window(big)
    edit(w, "organisation.opening_reserves", 1_111)
    edit(w, "organisation.opening_reserves", 2_222)
    assert w.save()
    assert gate.entered.wait(10)
    w.undo_stack.undo()  # back to 1,111 while 2,222 is written
    gate.release()
    done(qtbot, w)
    assert reserves(big) == 2_222
    assert w.isWindowModified() and w.form.to_dict()["organisation"]["opening_reserves"] == 1_111


def test_a_second_save_while_one_is_written_follows_it(qtbot, make_window, big, gate, prompts):
    w = make_window(big)
    edit(w, "organisation.opening_reserves", 1_111)
    assert w.save()
    assert gate.entered.wait(10)
    edit(w, "organisation.opening_reserves", 3_333)
    assert w.save()  # queued, and said
    assert "saved when it has finished" in w.statusBar().currentMessage()
    assert not w.save_as()  # Save As cannot be queued: refused, with the reason
    assert "still being saved" in prompts.messages("show_info")[-1]
    gate.release()
    qtbot.waitUntil(lambda: w.saving is None and not w.isWindowModified(), timeout=30_000)
    assert reserves(big) == 3_333
    assert len(gate.threads) == 2 and prompts.questions("ask_save_path") == []


def test_closing_waits_for_the_save_and_says_so(qtbot, make_window, big, gate, prompts):
    w = make_window(big)
    edit(w, "organisation.opening_reserves", 4_444)
    assert w.save()
    assert gate.entered.wait(10)
    assert not w.close()  # not while it is written...
    assert w.isVisible()
    assert "closes when it is done" in w.statusBar().currentMessage()
    assert prompts.questions("ask_save_discard_cancel") == []  # nothing to ask: it is being saved
    gate.release()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=30_000)  # ...then it closes
    assert reserves(big) == 4_444


def test_save_chosen_on_close_writes_then_closes(qtbot, make_window, big, gate, prompts):
    w = make_window(big)
    edit(w, "organisation.opening_reserves", 5_555)
    prompts.script("ask_save_discard_cancel", "save")
    assert not w.close()
    assert gate.entered.wait(10) and w.isVisible()
    gate.release()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=30_000)
    assert reserves(big) == 5_555
    assert len(prompts.questions("ask_save_discard_cancel")) == 1


def test_a_failed_save_names_the_file_and_reason_and_the_window_stays_open(qtbot, make_window, big,
                                                                          monkeypatch, prompts):
    w = make_window(big)
    before = big.read_bytes()
    edit(w, "organisation.opening_reserves", 6_666)
    threads = []

    def full_disk(scenario, path, **kw):
        threads.append(threading.current_thread())
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(document_module, "save_scenario", full_disk)
    prompts.script("ask_save_discard_cancel", "save")
    assert not w.close()
    qtbot.waitUntil(lambda: bool(prompts.messages("show_error")), timeout=30_000)
    [said] = prompts.messages("show_error")
    assert "bid.json" in said and str(big.parent) in said and "No space left on device" in said
    assert "not changed" in said
    qtbot.wait(50)
    assert w.isVisible() and w.isWindowModified() and w.saving is None  # nothing lost
    assert big.read_bytes() == before and threads[0] is not threading.main_thread()


def test_the_changed_on_disk_check_still_applies(qtbot, make_window, big, prompts):
    w = make_window(big)
    other = json.loads(big.read_text())
    other["organisation"]["opening_reserves"] = 9_999
    big.write_text(json.dumps(other, indent=2))  # another window or program saved meanwhile
    edit(w, "organisation.opening_reserves", 7_777)
    prompts.script("ask_changed_on_disk", "cancel", "save")
    assert w.save()
    qtbot.waitUntil(lambda: len(prompts.questions("ask_changed_on_disk")) == 1, timeout=30_000)
    done(qtbot, w)
    assert reserves(big) == 9_999 and w.isWindowModified()  # Cancel: nothing written

    assert w.save()  # Save anyway: written, the other version kept as .bak
    qtbot.waitUntil(lambda: len(prompts.questions("ask_changed_on_disk")) == 2, timeout=30_000)
    done(qtbot, w)
    assert reserves(big) == 7_777 and not w.isWindowModified()
    assert reserves(big.with_name("bid.json.bak")) == 9_999


def test_the_backup_holds_the_version_before_the_save(qtbot, make_window, big):
    w = make_window(big)
    before = big.read_bytes()
    edit(w, "organisation.opening_reserves", 8_888)
    assert w.save()
    done(qtbot, w)
    assert big.with_name("bid.json.bak").read_bytes() == before
    assert reserves(big) == 8_888


def test_a_save_in_progress_elsewhere_is_waited_for_then_refused_clearly(qtbot, make_window, big,
                                                                        monkeypatch, prompts):
    w = make_window(big)
    before = big.read_bytes()
    edit(w, "organisation.opening_reserves", 1_234)
    monkeypatch.setattr(filesafety, "SAVE_LOCK_WAIT_MS", 200)
    lock = QLockFile(str(big.with_name(".bid.json.lock")))  # another window's save, holding it
    assert lock.tryLock(0)
    try:
        assert w.save()
        qtbot.waitUntil(lambda: bool(prompts.messages("show_error")), timeout=30_000)
    finally:
        lock.unlock()
    assert "saving it right now" in prompts.messages("show_error")[0]
    assert big.read_bytes() == before and w.isWindowModified()


def test_opening_another_file_while_saving_waits_then_opens_it(qtbot, make_window, big, gate, example,
                                                               tmp_path):
    other = tmp_path / "other.json"
    save_scenario(example.with_organisation(opening_reserves=42.0), other)
    w = make_window(big)
    edit(w, "organisation.opening_reserves", 3_210)
    assert w.save()
    assert gate.entered.wait(10)
    w.open_path_checked(str(other))  # Open Recent while the save is written: not yet...
    assert w.path == big
    gate.release()
    qtbot.waitUntil(lambda: w.path == other, timeout=30_000)  # ...then, the work safe, it opens
    assert reserves(big) == 3_210 and w.scenario.organisation.opening_reserves == 42.0
