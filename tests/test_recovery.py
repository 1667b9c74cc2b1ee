"""Crash recovery: unsaved work survives a crash (a real SIGKILL of a running app), is offered
back at the next start, restores even when invalid, and disappears once saved or discarded."""
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication

from charityrisk.gui import recovery as recovery_module
from charityrisk.gui.recovery import RecoveryManager, read_recovery
from charityrisk.gui.window import MainWindow
from charityrisk.model import load_scenario, save_scenario, validate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def saved(tmp_path, example):
    """The example saved as a user's file."""
    path = tmp_path / "docs" / "bid.json"
    path.parent.mkdir()
    save_scenario(example, path)
    return path


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "recovery"


@pytest.fixture(autouse=True)
def no_simulation(monkeypatch):
    """Recovery is about the form and files: skip the simulations and chart drawing."""
    monkeypatch.setattr(MainWindow, "run_simulation", lambda self: None)


def spin(window, name):
    widget = window.form.findChild(QAbstractSpinBox, name)
    assert widget is not None, name
    return widget


def settle(qtbot, window):
    qtbot.waitUntil(lambda: not window._debounce.isActive(), timeout=5_000)


def session_files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_unsaved_edit_is_kept_then_removed_on_save(qtbot, make_window, saved, folder):
    w = make_window(saved)
    m = RecoveryManager(w, folder=folder, interval_ms=50)
    assert not m.path.exists()  # nothing unsaved yet
    spin(w, "organisation.opening_reserves").setValue(424242)
    qtbot.waitUntil(m.path.exists, timeout=5_000)
    record = read_recovery(m.path)
    assert record.scenario["organisation"]["opening_reserves"] == 424242
    assert record.original_path == saved
    assert record.last_valid["organisation"]["opening_reserves"] == 424242
    assert not any(n.endswith(".tmp") for n in session_files(folder))

    assert w.save()
    assert not m.path.exists()  # removed at once, not at the next tick
    assert load_scenario(saved).organisation.opening_reserves == 424242
    qtbot.wait(200)
    assert not m.path.exists()  # and not written again while nothing is unsaved


def test_invalid_work_is_kept_too(qtbot, make_window, saved, folder):
    w = make_window(saved)
    m = RecoveryManager(w, folder=folder, interval_ms=50)
    spin(w, "contract.success_rate.low").setValue(99)  # low above likely: invalid
    settle(qtbot, w)
    assert w.is_modified()
    qtbot.waitUntil(m.path.exists, timeout=5_000)
    record = read_recovery(m.path)
    assert record.scenario["contracts"][0]["success_rate"]["low"] == pytest.approx(0.99)
    assert validate(record.scenario)  # kept as typed, problems and all
    assert validate(record.last_valid) == []


def test_autosave_only_rewrites_when_the_work_changes(qtbot, make_window, saved, folder):
    w = make_window(saved)
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)
    spin(w, "organisation.opening_reserves").setValue(1234)
    settle(qtbot, w)
    assert m.autosave()
    assert not m.autosave()  # the same work: no second write
    spin(w, "organisation.opening_reserves").setValue(4321)
    settle(qtbot, w)
    assert m.autosave()


CRASHING_SESSION = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QAbstractSpinBox, QApplication
    from charityrisk.gui.recovery import RecoveryManager
    from charityrisk.gui.window import MainWindow

    folder, scenario, settings = sys.argv[1:4]
    app = QApplication([])
    w = MainWindow(QSettings(settings, QSettings.Format.IniFormat))
    assert w.open_path(Path(scenario))
    w.show()
    m = RecoveryManager(w, folder=folder, interval_ms=100)
    w.form.findChild(QAbstractSpinBox, "organisation.opening_reserves").setValue(777777)
    w.form.findChild(QAbstractSpinBox, "contract.success_rate.low").setValue(99)
    deadline = time.time() + 30
    while not m.path.exists() and time.time() < deadline:
        app.processEvents()
        time.sleep(0.01)
    print("kept" if m.path.exists() else "not kept", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: no clean-up code runs
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_work_survives_a_real_crash_and_is_restored(qtbot, make_window, saved, folder, tmp_path,
                                                    monkeypatch):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CRASHING_SESSION, str(folder), str(saved),
                           str(tmp_path / "crashed.ini")], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.strip() == "kept", done.stderr
    left = session_files(folder)
    assert any(n.endswith(".json") for n in left) and any(n.endswith(".lock") for n in left)

    asked = []
    w = make_window(None)  # the next start: the example is open
    m = RecoveryManager(w, folder=folder, interval_ms=60_000,
                        ask=lambda parent, record: asked.append(record) or True)
    assert m.offer_restore()
    assert len(asked) == 1 and asked[0].original_path == saved
    assert "bid.json" in asked[0].title
    settle(qtbot, w)
    data = w.form.to_dict()
    assert data["organisation"]["opening_reserves"] == 777777
    assert data["contracts"][0]["success_rate"]["low"] == pytest.approx(0.99)
    assert w.path == saved  # Save goes back to the file being edited
    assert w.is_modified() and w.isWindowModified()
    assert "contract.success_rate" in w.form.problem_fields()  # shown as a problem to fix
    # The crashed session's file is gone; the work now lives in this session's file.
    assert session_files(folder) == sorted([m.path.name, Path(m.store.lock.fileName()).name])
    assert read_recovery(m.path).scenario["organisation"]["opening_reserves"] == 777777

    # Fix the problem and save: the file gets the recovered work, the recovery file goes.
    spin(w, "contract.success_rate.low").setValue(10)
    settle(qtbot, w)
    assert w.save()
    assert load_scenario(saved).organisation.opening_reserves == 777777
    assert not m.path.exists()


def crash(manager):
    """What a crash leaves: the recovery file, and a lock nobody holds."""
    manager.release()


def restart_and_restore(make_window, folder):
    """The next start after a crash: a new window that is offered the work and takes it."""
    window = make_window(None)
    manager = RecoveryManager(window, folder=folder, interval_ms=60_000, ask=lambda *_: True)
    assert manager.offer_restore()
    return window, manager


def test_valid_work_restores_as_an_undoable_edit(qtbot, make_window, saved, folder, example):
    a = make_window(saved)
    ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
    spin(a, "organisation.opening_reserves").setValue(55555)
    settle(qtbot, a)
    assert ma.autosave()
    crash(ma)

    b, mb = restart_and_restore(make_window, folder)
    assert b.scenario.organisation.opening_reserves == 55555
    assert b.path == saved and b.isWindowModified()
    b.undo_stack.undo()  # back to the file as saved
    assert b.scenario == load_scenario(saved)
    assert not b.isWindowModified()
    assert not mb.path.exists()  # nothing unsaved any more


def test_untitled_work_restores_without_a_path(qtbot, make_window, folder):
    a = make_window(None)
    ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
    spin(a, "organisation.monthly_core_costs").setValue(31337)
    settle(qtbot, a)
    assert ma.autosave()
    crash(ma)
    b, _ = restart_and_restore(make_window, folder)
    assert b.path is None and b.isWindowModified()
    assert b.scenario.organisation.monthly_core_costs == 31337


def test_restore_when_the_original_file_is_gone(qtbot, make_window, saved, folder):
    a = make_window(saved)
    ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
    spin(a, "organisation.opening_reserves").setValue(8888)
    settle(qtbot, a)
    assert ma.autosave()
    crash(ma)
    saved.unlink()  # moved or deleted since
    b, _mb = restart_and_restore(make_window, folder)
    assert b.scenario.organisation.opening_reserves == 8888
    assert b.path == saved
    assert b.save()  # written again where it was
    assert load_scenario(saved).organisation.opening_reserves == 8888


def test_declining_deletes_the_recovery_file(qtbot, make_window, saved, folder):
    a = make_window(saved)
    ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
    spin(a, "organisation.opening_reserves").setValue(1)
    settle(qtbot, a)
    ma.autosave()
    crash(ma)
    b = make_window(None)
    before = b.scenario
    mb = RecoveryManager(b, folder=folder, interval_ms=60_000, ask=lambda *_: False)
    assert not mb.offer_restore()
    assert not ma.path.exists()
    assert b.scenario is before and not b.isWindowModified()
    assert not mb.offer_restore()  # and it is not offered again


def test_default_prompt_asks_the_windows_prompts(qtbot, make_window, saved, folder, prompts):
    a = make_window(saved)
    ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
    spin(a, "organisation.opening_reserves").setValue(2)
    settle(qtbot, a)
    ma.autosave()
    crash(ma)
    b = make_window(None)
    prompts.script("ask_yes_no", True)
    mb = RecoveryManager(b, folder=folder, interval_ms=60_000)
    assert mb.offer_restore()
    asked = prompts.questions("ask_yes_no")
    assert "bid.json" in asked[0] and "Restore" in asked[0]


def test_a_running_session_is_never_offered(qtbot, make_window, saved, folder):
    a = make_window(saved)
    ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
    spin(a, "organisation.opening_reserves").setValue(3)
    settle(qtbot, a)
    assert ma.autosave()
    b = make_window(None)  # a second copy of the app, while the first still runs
    asked = []
    mb = RecoveryManager(b, folder=folder, interval_ms=60_000, ask=lambda *r: asked.append(r) or True)
    assert mb.orphans() == []
    assert not mb.offer_restore() and asked == []
    assert ma.path.exists()  # the other session's work is untouched


def test_clean_close_removes_the_recovery_file(qtbot, make_window, saved, folder, prompts):
    w = make_window(saved)
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)
    spin(w, "organisation.opening_reserves").setValue(4)
    settle(qtbot, w)
    assert m.autosave()
    prompts.script("ask_save_discard_cancel", "cancel", "discard")
    assert not w.close()  # cancelled: the work is still there, so is its recovery file
    assert m.path.exists()
    assert w.close()
    assert session_files(folder) == []  # recovery file and lock both gone


def test_discard_then_opening_another_file_removes_it(qtbot, make_window, saved, folder, tmp_path,
                                                      example):
    w = make_window(saved)
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)
    spin(w, "organisation.opening_reserves").setValue(5)
    settle(qtbot, w)
    assert m.autosave()
    other = tmp_path / "other.json"
    save_scenario(example, other)
    w.open_path_checked(str(other))  # the prompt answers Discard
    assert not m.path.exists()


def test_failing_autosave_does_not_stop_work(qtbot, make_window, saved, folder, monkeypatch):
    w = make_window(saved)
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)
    spin(w, "organisation.opening_reserves").setValue(6)
    settle(qtbot, w)

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    assert not m.autosave()
    assert "No space left" in m.last_error
    assert not any(n.endswith(".tmp") for n in session_files(folder))
    monkeypatch.undo()
    assert m.autosave() and m.last_error is None


@pytest.mark.parametrize("content", [
    b"not json at all",
    b"\xff\xfe\x00garbage",
    b'{"format": "charityrisk-recovery", "version": 1, "scenario": "nope"}',
    b'{"format": "charityrisk-recovery", "version": 99, "scenario": {}}',
    b'{"format": "something-else", "version": 1, "scenario": {}}',
    b'{"format": "charityrisk-recovery", "version": 1, "scenario": {"a": NaN}}',
    b'{"format": "charityrisk-recovery", "version": 1, "scenario": {}, "original_path": 7}',
    b'{"format": "charityrisk-recovery", "version": 1, "scenario": {"x": "\\ud800"}}',
    b'{"format": "charityrisk-recovery", "version": 1, "scenario": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"format": "charityrisk-recovery", "version": 1, "scenario": {"a": ' + b"[" * 40 + b"]" * 40 + b"}}",
])
def test_unreadable_recovery_files_are_set_aside_not_offered(qtbot, make_window, folder, content):
    folder.mkdir()
    (folder / "session-dead-1.json").write_bytes(content)
    w = make_window(None)
    before = w.scenario
    asked = []
    m = RecoveryManager(w, folder=folder, interval_ms=60_000, ask=lambda *r: asked.append(r) or True)
    assert not m.offer_restore()
    assert asked == [] and w.scenario is before
    assert (folder / "session-dead-1.unreadable").exists()


def test_damaged_form_values_fall_back_to_the_saved_file(qtbot, make_window, saved, folder, prompts):
    folder.mkdir()
    scenario = json.loads(saved.read_text())
    scenario["contracts"] = [{"name": "x", "start_month": "soon", "referrals_per_month": [1]}]
    (folder / "session-dead-2.json").write_text(json.dumps({
        "format": "charityrisk-recovery", "version": 1, "saved_at": "2024-01-01T10:00:00+00:00",
        "original_path": str(saved), "scenario": scenario, "last_valid": None}))
    w = make_window(None)
    m = RecoveryManager(w, folder=folder, interval_ms=60_000, ask=lambda *_: True)
    assert not m.offer_restore()
    shown = prompts.messages("show_problems")
    assert [title for title, _ in shown] == ["The recovered changes could not be restored",
                                            "Some unsaved work from last time could not be restored"]
    assert "kept as session-dead-2.unreadable" in shown[1][1][0]  # and where it is now
    assert w.scenario == load_scenario(saved)  # the saved file is shown instead
    assert (folder / "session-dead-2.unreadable").exists()  # kept for a human


def test_newest_orphan_first_and_older_ones_wait(qtbot, make_window, folder, saved, prompts):
    records = []
    for n, value in enumerate((111, 222)):
        a = make_window(saved)
        ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
        spin(a, "organisation.opening_reserves").setValue(value)
        settle(qtbot, a)
        ma.autosave()
        os.utime(ma.path, (1_000_000 + n, 1_000_000 + n))
        crash(ma)
        records.append(ma.path)
    b = make_window(None)
    prompts.script("ask_recovery_choice", ("restore", 0))  # the first offered: the newest
    mb = RecoveryManager(b, folder=folder, interval_ms=60_000)
    assert mb.offer_restore()
    assert len(prompts.questions("ask_recovery_choice")) == 1 and prompts.questions("ask_yes_no") == []
    assert len(prompts.offered) == 2 and all("bid.json" in item for item in prompts.offered)
    assert b.scenario.organisation.opening_reserves == 222
    assert records[0].exists() and not records[1].exists()  # the older waits for next start


def test_unwritable_recovery_folder_disables_recovery_quietly(qtbot, make_window, tmp_path, capsys):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    w = make_window(None)
    m = RecoveryManager(w, folder=blocker / "recovery", interval_ms=60_000)
    assert not m.enabled and "cannot create" in m.last_error
    assert "will not be kept" in capsys.readouterr().err
    assert not m.autosave(force=True) and not m.offer_restore()


def test_the_app_start_offers_restore(qtbot, tmp_path, monkeypatch, saved, request, created_windows,
                                     prompts):
    windows = created_windows
    """main() wires it: AppDataLocation/recovery, offered at start, released at exit."""
    from charityrisk.gui import main as gui_main

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = QApplication.instance()
    names = app.applicationName(), app.organizationName()
    request.addfinalizer(lambda: (app.setApplicationName(names[0]), app.setOrganizationName(names[1])))
    app.setApplicationName("CharityRisk")  # as main() names it
    app.setOrganizationName("CharityRisk")
    folder = recovery_module.default_folder()
    assert str(folder).startswith(str(tmp_path / "data"))
    folder.mkdir(parents=True)
    scenario = json.loads(saved.read_text())
    scenario["organisation"]["opening_reserves"] = 98765
    (folder / "session-4242-dead.json").write_text(json.dumps({
        "format": "charityrisk-recovery", "version": 1, "saved_at": "2024-01-01T10:00:00+00:00",
        "original_path": str(saved), "scenario": scenario, "last_valid": scenario}))
    prompts.script("ask_yes_no", True)  # Restore
    seen = {}

    def session(*_):
        w = windows[0]
        seen.update(reserves=w.form.to_dict()["organisation"]["opening_reserves"], path=w.path,
                    modified=w.isWindowModified(), files=session_files(folder))
        return 0

    monkeypatch.setattr(QApplication, "exec", session)
    assert gui_main.main([]) == 0
    w = windows[0]
    qtbot.addWidget(w)
    asked = prompts.questions("ask_yes_no")
    assert len(asked) == 1 and "bid.json" in asked[0]
    assert seen["reserves"] == 98765 and seen["path"] == saved and seen["modified"]
    assert not (folder / "session-4242-dead.json").exists()
    assert w.recovery.path.exists()  # unsaved at exit: kept for the next start
    assert not w.recovery.store.lock.isLocked()  # released, so the next start can offer it
    w.recovery.finish()
    w.recovery = None
    w.runner.shutdown()
