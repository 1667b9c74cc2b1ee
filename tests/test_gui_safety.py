"""The window never loses or silently changes a user's data (issue 15, the app's part).

Each test is one way the hostile review found to lose work, played as a user would: open,
type, save, crash, start again.  Questions go to the fake prompts (tests/fake_prompts.py).
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit

from charityrisk.gui import document as document_module
from charityrisk.gui import filesafety
from charityrisk.gui import recovery as recovery_module
from charityrisk.gui.recovery import RecoveryManager, read_recovery
from charityrisk.gui.window import UNDO_LIMIT, MainWindow
from charityrisk.model import load_scenario, save_scenario, scenario_to_dict
from charityrisk.resources import example_scenario_path


@pytest.fixture(autouse=True)
def no_simulation(monkeypatch, request):
    """Files, questions and recovery: no figures needed (unless the test asks for real_runs)."""
    if "real_runs" not in request.fixturenames:
        monkeypatch.setattr(MainWindow, "run_simulation", lambda self: None)


@pytest.fixture
def real_runs():
    """Asked for by tests that need the window's own run_simulation."""


@pytest.fixture
def saved(tmp_path, example):
    path = tmp_path / "docs" / "bid.json"
    path.parent.mkdir()
    save_scenario(example, path)
    return path


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "recovery"


def spin(window, name):
    widget = window.form.findChild(QAbstractSpinBox, name)
    assert widget is not None, name
    return widget


def edit(window, name, value):
    spin(window, name).setValue(value)
    window.settle_now()


def reserves(path: Path) -> float:
    return json.loads(path.read_text())["organisation"]["opening_reserves"]


def crash(manager):
    """What a crash leaves: the recovery file, and a lock nobody holds."""
    manager.wait()
    manager.release()


# ----- 1. fixing a file in the app keeps what is its own -----------------------------------------
def test_correcting_a_file_keeps_its_name_notes_and_unknown_keys(make_window, tmp_path, prompts):
    w = make_window(None)  # the built-in example is open: its name must not leak into the file
    data = json.loads(example_scenario_path().read_text())
    data["name"] = "Our own bid"
    data["description"] = "Written for the March board"
    data["organisation"]["notes"] = "Reserves agreed by the trustees"
    data["made_by"] = {"tool": "another version", "values": [1, 2, 3]}
    data["contracts"][0]["share_at_risk"] = 1.4  # a typing slip: out of range
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(data))
    assert w.scenario.name != "Our own bid"

    prompts.script("ask_yes_no", True)  # Open it, with the fields marked
    assert w.open_path(path)
    edit(w, "contract.share_at_risk", 25)
    assert w.scenario is not None
    assert w.save()

    written = json.loads(path.read_text())
    assert written["name"] == "Our own bid"
    assert written["description"] == "Written for the March board"
    assert written["organisation"]["notes"] == "Reserves agreed by the trustees"
    assert written["made_by"] == {"tool": "another version", "values": [1, 2, 3]}
    assert written["contracts"][0]["share_at_risk"] == 0.25
    example_only = set(scenario_to_dict(load_scenario(example_scenario_path()))) - set(data) - {"format", "version"}
    assert not example_only & set(written)  # nothing of the example's own came along


# ----- 2. recovery and Open Recent keep whole paths ------------------------------------------------
def test_a_relative_start_path_is_restored_onto_the_same_file(make_window, tmp_path, example, folder,
                                                              monkeypatch, prompts):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    save_scenario(example, first / "bid.json")
    save_scenario(example.with_organisation(opening_reserves=1.0), second / "bid.json")
    other_before = (second / "bid.json").read_bytes()

    monkeypatch.chdir(first)  # charityrisk bid.json, started in the first folder
    a = make_window(Path("bid.json"))
    assert a.path == first / "bid.json"
    assert a.recent_files() == [str(first / "bid.json")]
    ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
    edit(a, "organisation.opening_reserves", 424_242)
    assert ma.autosave()
    assert read_recovery(ma.path).original_path == first / "bid.json"
    crash(ma)

    monkeypatch.chdir(second)  # the next start, from a folder with its own bid.json
    b = make_window(None)
    prompts.script("ask_yes_no", True)
    assert RecoveryManager(b, folder=folder, interval_ms=60_000).offer_restore()
    assert b.path == first / "bid.json"
    assert b.save()
    assert reserves(first / "bid.json") == 424_242
    assert (second / "bid.json").read_bytes() == other_before


def test_an_old_recovery_file_with_a_bare_name_restores_as_untitled(make_window, tmp_path, folder, saved,
                                                                    monkeypatch, prompts):
    folder.mkdir()
    scenario = json.loads(saved.read_text())
    scenario["organisation"]["opening_reserves"] = 31_337
    (folder / "session-1-old.json").write_text(json.dumps({
        "format": "charityrisk-recovery", "version": 1, "saved_at": "2024-01-01T10:00:00+00:00",
        "original_path": "bid.json", "scenario": scenario, "last_valid": scenario}))
    monkeypatch.chdir(saved.parent)  # a bid.json here is not necessarily the one it meant
    w = make_window(None)
    prompts.script("ask_yes_no", True)
    assert RecoveryManager(w, folder=folder, interval_ms=60_000).offer_restore()
    assert "it was “bid.json”" in prompts.questions("ask_yes_no")[0]
    assert w.path is None and w.isWindowModified()
    assert w.form.to_dict()["organisation"]["opening_reserves"] == 31_337


def test_open_recent_drops_bare_names(make_window, tmp_path, saved):
    w = make_window(None)
    w.settings.setValue("recent_files", ["bid.json", str(saved)])
    assert w.recent_files() == [str(saved)]


# ----- 3. recovery never fails silently -----------------------------------------------------------
def test_work_too_large_to_keep_is_said_now_and_at_the_next_start(make_window, saved, folder, monkeypatch,
                                                                 prompts):
    monkeypatch.setattr(recovery_module, "MAX_RECOVERY_BYTES", 2_000)  # smaller than any scenario
    a = make_window(saved)
    ma = RecoveryManager(a, folder=folder, interval_ms=60_000)
    edit(a, "organisation.opening_reserves", 5)
    assert not ma.autosave()
    assert "too large to keep for recovery" in a.statusBar().currentMessage()
    assert "Save your work" in a.statusBar().currentMessage()
    assert ma.path.stat().st_size < 2_000  # a note in its place, within the limit
    crash(ma)

    b = make_window(None)
    prompts.answers.pop("ask_yes_no")  # nothing to restore: a question would fail the test
    assert not RecoveryManager(b, folder=folder, interval_ms=60_000).offer_restore()
    [(title, lines)] = prompts.messages("show_problems")
    assert "could not be restored" in title
    assert "bid.json" in lines[0] and "were not kept" in lines[0] and "too large" in lines[0]
    assert not ma.path.exists()  # said once: not said again at every start


def test_autosave_on_a_full_disk_says_so_every_time_and_when_it_works_again(make_window, saved, folder,
                                                                           monkeypatch):
    w = make_window(saved)
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recovery_module, "write_text_atomic", full)
    for value in (6, 7):
        w.statusBar().clearMessage()
        edit(w, "organisation.opening_reserves", value)
        assert not m.autosave()
        assert "could not be kept for recovery" in w.statusBar().currentMessage()
        assert "No space left" in w.statusBar().currentMessage()
    monkeypatch.undo()
    assert m.autosave()
    assert "kept for recovery again" in w.statusBar().currentMessage()


def test_no_recovery_folder_is_said_in_the_window(make_window, tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    w = make_window(None)
    m = RecoveryManager(w, folder=blocker / "recovery", interval_ms=60_000)
    assert not m.enabled
    assert "will not be kept for recovery" in w.statusBar().currentMessage()


def test_a_damaged_recovery_file_set_aside_is_named(make_window, folder, prompts):
    folder.mkdir()
    (folder / "session-dead-9.json").write_bytes(b"not json at all")
    w = make_window(None)
    assert not RecoveryManager(w, folder=folder, interval_ms=60_000).offer_restore()
    [(title, lines)] = prompts.messages("show_problems")
    assert "could not be restored" in title
    assert any("session-dead-9.unreadable" in line for line in lines)
    assert any(str(folder) in line for line in lines)
    assert (folder / "session-dead-9.unreadable").exists()


def test_many_leftover_sessions_are_offered_in_one_list(make_window, saved, folder, prompts):
    folder.mkdir()
    scenario = json.loads(saved.read_text())
    for n in range(301):
        scenario["organisation"]["opening_reserves"] = n
        (folder / f"session-{n}-dead.json").write_text(json.dumps({
            "format": "charityrisk-recovery", "version": 1, "saved_at": "2024-01-01T10:00:00+00:00",
            "original_path": str(saved), "scenario": scenario, "last_valid": scenario}))
        os.utime(folder / f"session-{n}-dead.json", (1_000_000 + n, 1_000_000 + n))
    w = make_window(None)
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)
    assert not m.offer_restore()  # the fake's default: decide later
    assert len(prompts.asked) == 1 and len(prompts.offered) == 301
    assert len(list(folder.glob("session-*-dead.json"))) == 301  # all kept for later

    prompts.script("ask_recovery_choice", ("restore", 0))
    assert m.offer_restore()
    assert w.form.to_dict()["organisation"]["opening_reserves"] == 300  # the newest
    assert len(list(folder.glob("session-*-dead.json"))) == 300

    prompts.script("ask_recovery_choice", ("delete", -1))
    assert not m.offer_restore()
    assert list(folder.glob("session-*-dead.json")) == []
    assert len(prompts.questions("ask_recovery_choice")) == 3 and prompts.questions("ask_yes_no") == []


def test_a_recovery_file_holds_the_scenario_once_and_compactly(make_window, saved, folder):
    w = make_window(saved)
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)
    edit(w, "organisation.opening_reserves", 12_345)
    assert m.autosave()
    compact = len(json.dumps(w.form.to_dict(), ensure_ascii=False, separators=(",", ":")))
    assert m.path.stat().st_size < 1.2 * compact + 500  # not twice, not indented
    record = read_recovery(m.path)
    assert record.last_valid == record.scenario
    assert record.scenario["organisation"]["opening_reserves"] == 12_345


# ----- 4. two windows on one file -------------------------------------------------------------------
def test_saving_over_a_file_changed_elsewhere_asks_first(make_window, saved, prompts):
    a, b = make_window(saved), make_window(saved)
    edit(a, "organisation.opening_reserves", 111)
    assert a.save()
    edit(b, "organisation.opening_reserves", 222)

    prompts.script("ask_changed_on_disk", "cancel")
    assert not b.save()
    assert "changed on disk" in prompts.questions("ask_changed_on_disk")[0]
    assert reserves(saved) == 111 and b.isWindowModified()

    prompts.script("ask_changed_on_disk", "save")  # Save anyway
    assert b.save()
    assert reserves(saved) == 222
    assert reserves(saved.with_name("bid.json.bak")) == 111  # the other window's version kept
    edit(b, "organisation.opening_reserves", 333)
    assert b.save()  # its own last save: no question
    assert len(prompts.questions("ask_changed_on_disk")) == 2


def test_save_as_from_the_changed_question_keeps_both(make_window, saved, tmp_path, prompts):
    a, b = make_window(saved), make_window(saved)
    edit(a, "organisation.opening_reserves", 111)
    assert a.save()
    edit(b, "organisation.opening_reserves", 222)
    prompts.script("ask_changed_on_disk", "save_as")
    prompts.script("ask_save_path", tmp_path / "mine.json")
    assert b.save()
    assert reserves(saved) == 111 and reserves(tmp_path / "mine.json") == 222
    assert b.path == tmp_path / "mine.json"


def test_a_file_touched_but_not_changed_is_saved_without_asking(make_window, saved, prompts):
    w = make_window(saved)
    os.utime(saved, (2_000_000_000, 2_000_000_000))  # a sync client copied it back, unchanged
    edit(w, "organisation.opening_reserves", 9)
    assert w.save()
    assert prompts.questions("ask_changed_on_disk") == []


def test_a_change_of_the_same_size_is_seen(make_window, saved, prompts):
    w = make_window(saved)
    text = saved.read_text()
    stat = saved.stat()
    changed = text.replace('"opening_reserves": ', '"opening_reserves":', 1) + " "  # same size
    saved.write_text(changed)
    os.utime(saved, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time: only the hash
    assert saved.stat().st_size == stat.st_size
    edit(w, "organisation.opening_reserves", 10)
    assert not w.save()  # the fake's default answer: Cancel
    assert len(prompts.questions("ask_changed_on_disk")) == 1


def test_concurrent_saves_take_turns_so_the_file_is_never_older_than_its_backup(make_window, saved, example,
                                                                               monkeypatch, prompts):
    a, b = make_window(saved), make_window(saved)
    edit(a, "organisation.opening_reserves", 111)
    edit(b, "organisation.opening_reserves", 222)
    monkeypatch.setattr(filesafety, "SAVE_LOCK_WAIT_MS", 200)
    real_save = document_module.save_scenario
    inner = []

    def a_save_during_which_b_saves(scenario, path, **kw):
        if not inner:
            inner.append(None)
            inner[0] = b.save()  # b's save starts while a's is half done
        real_save(scenario, path, **kw)

    monkeypatch.setattr(document_module, "save_scenario", a_save_during_which_b_saves)
    assert a.save()
    assert inner == [False]  # b waited, then was told, and wrote nothing
    assert "saving it right now" in prompts.messages("show_error")[0]
    assert reserves(saved) == 111
    assert reserves(saved.with_name("bid.json.bak")) == example.organisation.opening_reserves
    assert saved.stat().st_mtime_ns >= saved.with_name("bid.json.bak").stat().st_mtime_ns
    assert not saved.with_name(".bid.json.lock").exists()  # the lock goes with the save


# ----- 5. Save As and Export ask before replacing --------------------------------------------------
def test_save_as_without_the_extension_asks_before_replacing(make_window, tmp_path, example, prompts):
    budget = tmp_path / "budget.json"
    save_scenario(example.with_organisation(opening_reserves=1.0), budget)
    before = budget.read_bytes()
    w = make_window(None)
    prompts.script("ask_save_path", tmp_path / "budget", tmp_path / "budget")
    prompts.script("ask_yes_no", False, True)  # No, then Yes
    assert not w.save_as()
    assert "budget.json already exists" in prompts.questions("ask_yes_no")[0]
    assert budget.read_bytes() == before
    assert w.save_as()
    assert load_scenario(budget) == w.scenario


@pytest.fixture
def with_results(make_window, saved, monkeypatch, example):
    """A window with results on screen (faked: exports are about files here)."""
    from charityrisk.engine import simulate

    w = make_window(saved)
    results = simulate(example, 500, 1)
    w.state.accept_results(w.state.start_run(), w.scenario, results)
    return w


def test_export_asks_before_replacing_a_report(qtbot, with_results, tmp_path, prompts):
    w = with_results
    old = tmp_path / "figures.csv"
    old.write_text("the treasurer's own figures")
    prompts.script("ask_save_path", tmp_path / "figures")
    prompts.script("ask_yes_no", False)
    w.export_csv()
    assert "figures.csv already exists" in prompts.questions("ask_yes_no")[-1]
    assert old.read_text() == "the treasurer's own figures"

    prompts.script("ask_save_path", tmp_path / "figures")
    prompts.script("ask_yes_no", True)
    with qtbot.waitSignal(w.exported, timeout=60_000):
        w.export_csv()
    assert old.read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_refuses_the_open_scenario_itself(make_window, tmp_path, example, monkeypatch, prompts):
    from charityrisk.engine import simulate

    odd = tmp_path / "bid.csv"  # a scenario file with a report's extension
    save_scenario(example, odd)
    link = tmp_path / "same.csv"
    os.link(odd, link)
    w = make_window(odd)
    w.state.accept_results(w.state.start_run(), w.scenario, simulate(example, 500, 1))
    before = odd.read_bytes()
    for target in (odd, link):
        prompts.script("ask_save_path", target)
        w.export_csv()
        assert "is the scenario open in this window" in prompts.messages("show_error")[-1]
    assert not w.export_runner.is_busy()
    assert odd.read_bytes() == before


# ----- 6. emoji names --------------------------------------------------------------------------------
def test_an_emoji_name_is_kept_whole(make_window, saved):
    w = make_window(saved)
    name = "Mentoring 🌱" * 10 + "🙂" * 80  # 280 UTF-16 units, 190 characters: within the limit
    assert len(name) <= 200 < len(name.encode("utf-16-le")) // 2
    box = w.form.findChild(QLineEdit, "contract.name")
    box.setFocus()
    box.selectAll()
    box.insert(name)
    w.settle_now()
    assert box.text() == name
    assert w.save()
    assert load_scenario(saved).contracts[0].name == name


def test_an_emoji_scenario_name_from_a_file_is_saved_whole(make_window, saved):
    data = json.loads(saved.read_text())
    data["name"] = "Bid 🌱" * 30 + "🙂" * 40  # 190 characters, 260 UTF-16 units: within the limit
    saved.write_text(json.dumps(data, ensure_ascii=False))
    w = make_window(saved)
    edit(w, "organisation.opening_reserves", 1_000)
    assert w.save()
    assert json.loads(saved.read_text())["name"] == data["name"]


def test_unknown_keys_inside_simulation_and_late_payment_are_kept_on_save(make_window, saved):
    data = json.loads(saved.read_text())
    data["simulation"]["tool_setting"] = {"written_by": "a later version", "runs": [1, 2]}
    data["contracts"][0]["late_payment"] = {"probability": 0.25, "months": 2, "source": "prime's letter"}
    saved.write_text(json.dumps(data, indent=2))
    w = make_window(saved)
    edit(w, "simulation.paths", 30_000)  # the objects holding them edited in the form
    edit(w, "contract.late_payment.months", 3)
    assert w.save()
    written = json.loads(saved.read_text())
    assert written["simulation"]["tool_setting"] == {"written_by": "a later version", "runs": [1, 2]}
    assert written["simulation"]["paths"] == 30_000
    assert written["contracts"][0]["late_payment"] == {"probability": 0.25, "months": 3,
                                                       "source": "prime's letter"}


def test_a_look_alike_key_is_said_when_the_file_opens(make_window, saved, prompts):
    data = json.loads(saved.read_text())
    data["contracts"][0]["p_no_referals"] = 0.5  # meant p_no_referrals: its value is not used
    saved.write_text(json.dumps(data, indent=2))
    w = make_window(saved)
    said = w.statusBar().currentMessage()
    assert "contracts[0].p_no_referals" in said and "did you mean 'p_no_referrals'" in said
    assert prompts.messages("show_problems") == []  # it opened: no error


# ----- 7. big files: bounded undo, autosave off the GUI thread -------------------------------------
def big_unknown(saved) -> Path:
    data = json.loads(saved.read_text())
    # Within the loader's limit on unknown keys (10,000 values), above what is serialised on
    # the GUI thread (recovery.SMALL_VALUES values or SMALL_TEXT characters).
    data["contracts"][0]["history"] = [f"month {i:04}: a note another tool wrote here, kept as it is"
                                       for i in range(6_000)]
    data["archive"] = {"rows": [[i, i + 1] for i in range(1_000)]}
    path = saved.with_name("big.json")
    path.write_text(json.dumps(data))
    return path


def test_undo_steps_share_unknown_keys_instead_of_copying_them(make_window, saved):
    w = make_window(big_unknown(saved))
    assert w.undo_stack.undoLimit() == UNDO_LIMIT > 0
    for value in range(1, 6):
        edit(w, "organisation.opening_reserves", value * 1000)
    steps = [w.undo_stack.command(i) for i in range(w.undo_stack.count())]
    assert len(steps) == 5
    scenarios = [s._before for s in steps] + [steps[-1]._after]
    history = {id(s.contracts[0].extra["history"]) for s in scenarios}
    archive = {id(s.extra["archive"]) for s in scenarios}
    assert len(history) == 1 and len(archive) == 1  # one copy for all six versions
    w.undo_stack.undo()
    assert w.scenario.contracts[0].extra["history"][5_999].startswith("month 5999")


def test_autosave_of_a_large_scenario_runs_on_a_worker_thread(qtbot, make_window, saved, folder,
                                                              monkeypatch):
    w = make_window(big_unknown(saved))
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)
    threads = []
    real = recovery_module.write_text_atomic

    def recorded(*a, **k):
        threads.append(threading.current_thread())
        real(*a, **k)

    monkeypatch.setattr(recovery_module, "write_text_atomic", recorded)
    edit(w, "organisation.opening_reserves", 4_321)
    m.autosave()
    qtbot.waitUntil(lambda: not m.busy() and m.path.exists(), timeout=30_000)
    assert threads and threads[0] is not threading.main_thread()
    record = read_recovery(m.path)
    assert record.scenario["organisation"]["opening_reserves"] == 4_321
    assert len(record.scenario["contracts"][0]["history"]) == 6_000

    assert w.save()  # saved while nothing is being written: the recovery file goes
    qtbot.waitUntil(lambda: w.saving is None, timeout=30_000)  # a large scenario: written off the GUI thread
    assert not w.isWindowModified()
    m.wait()
    qtbot.wait(50)
    assert not m.path.exists()


def test_a_late_background_write_after_save_leaves_no_recovery_file(qtbot, make_window, saved, folder,
                                                                    monkeypatch):
    w = make_window(big_unknown(saved))
    m = RecoveryManager(w, folder=folder, interval_ms=60_000)
    gate = threading.Event()
    real = recovery_module.write_text_atomic

    def slow(*a, **k):
        gate.wait(10)
        real(*a, **k)

    monkeypatch.setattr(recovery_module, "write_text_atomic", slow)
    edit(w, "organisation.opening_reserves", 77)
    m.autosave()
    assert m.busy()
    assert w.save()  # saved while the worker still writes
    qtbot.waitUntil(lambda: w.saving is None, timeout=30_000)
    gate.set()
    m.wait()
    qtbot.waitUntil(lambda: not m.path.exists(), timeout=5_000)


# ----- the real dialogs behind the new questions --------------------------------------------------
def click_when_shown(qtbot, act):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def attempt():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, attempt)
        else:
            act(dialog)
    QTimer.singleShot(0, attempt)


def button(dialog, text):
    from PySide6.QtWidgets import QPushButton

    [found] = [b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "").startswith(text)]
    return found


@pytest.mark.parametrize("text,answer", [("Restore", ("restore", 1)), ("Delete", ("delete", -1)),
                                         ("Decide later", ("later", -1))])
def test_the_recovery_list_gives_the_choice_made(qtbot, text, answer):
    from PySide6.QtWidgets import QListWidget

    from charityrisk.gui.prompts import Prompts

    def choose(dialog):
        dialog.findChild(QListWidget, "recovery_list").setCurrentRow(1)
        button(dialog, text).click()
    click_when_shown(qtbot, choose)
    assert Prompts().ask_recovery_choice("Which?", ["newest", "older"]) == answer


@pytest.mark.parametrize("text,answer", [("Save anyway", "save"), ("Save as", "save_as"), ("Cancel", "cancel")])
def test_the_changed_on_disk_question_gives_the_choice_made(qtbot, text, answer):
    from charityrisk.gui.prompts import Prompts

    click_when_shown(qtbot, lambda dialog: button(dialog, text).click())
    assert Prompts().ask_changed_on_disk("Changed?") == answer


HOLD_LOCK = """
import sys
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1])
assert lock.tryLock(0)
print("held", flush=True)
sys.stdin.read()  # until the test lets go
"""


def test_a_save_in_another_process_is_waited_for_and_a_dead_ones_lock_is_taken_over(
        make_window, saved, monkeypatch, prompts):
    import subprocess
    import sys

    w = make_window(saved)
    edit(w, "organisation.opening_reserves", 4_444)
    monkeypatch.setattr(filesafety, "SAVE_LOCK_WAIT_MS", 200)
    with subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(saved.with_name(".bid.json.lock"))],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline().strip() == "held"
            assert not w.save()  # the other copy is saving: nothing written, the user told
            assert "saving it right now" in prompts.messages("show_error")[-1]
            assert reserves(saved) != 4_444 and w.isWindowModified()
        finally:
            holder.kill()  # dies holding the lock, as a killed save would
            holder.wait(30)
    assert w.save()  # a dead process's lock does not block saves for ever
    assert reserves(saved) == 4_444


# ----- 8. the largest run: the command line's limit holds in the app too -------------------------
def many_contracts(tmp_path, paths: int) -> Path:
    data = json.loads(example_scenario_path().read_text())
    data["horizon_months"] = 120
    data["contracts"] = [dict(data["contracts"][0], name=f"Contract {i}", id=i + 1) for i in range(50)]
    data["simulation"]["paths"] = paths
    path = tmp_path / "fifty.json"
    path.write_text(json.dumps(data))
    return path


def test_the_app_never_starts_a_run_the_command_line_refuses(qtbot, real_runs, make_window, tmp_path,
                                                             monkeypatch):
    from charityrisk.gui.worker import Runner
    from charityrisk.model.scenario import max_paths

    most = max_paths(50, 120)
    started = []
    real_start = Runner.start
    monkeypatch.setattr(Runner, "start",
                        lambda self, steps, run=None: started.append(self) or real_start(self, steps, run))
    w = make_window(many_contracts(tmp_path, 1_000_000))  # the file keeps its setting and opens
    assert w.scenario.settings.paths == 1_000_000
    assert w.runner not in started and not w.runner.is_busy()
    assert w.form.problem_fields() == ["simulation.paths"]  # marked like any other field
    said = w.form.field("simulation.paths").error_label.text()
    assert "would take many minutes" in said and f"at most {most:,}" in said
    assert "Number of futures" in w.state.note and f"at most {most:,}" in w.state.note

    spin(w, "simulation.paths").setValue(1_000)  # a run a laptop finishes: it starts
    w.settle_now()
    assert w.form.problem_fields() == []
    assert w.runner in started
    with qtbot.waitSignal(w.results_shown, timeout=60_000):
        pass
    started.clear()
    spin(w, "simulation.paths").setValue(most + 1_000)  # typed too large again: refused again
    w.settle_now()
    assert w.runner not in started and w.form.problem_fields() == ["simulation.paths"]
    assert w.state.results.scenario.settings.paths == 1_000  # the last run's figures, marked stale
