"""Recovery and save paths re-checked (issue 21), as a user meets them: the app started with a
relative path then restored from another folder, recovery that cannot be kept, ``.bak``
where hard links fail, saves killed with kill -9, and two processes saving one file.

Most of these were already right; these tests prove it end to end (through ``main()`` or
real processes), beside the unit tests in test_gui_safety.py and test_robustness.py.  One
was not: a save after one killed between its backup and its rename left a hidden temporary
(the last test)."""
from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication

from charityrisk.gui import recovery as recovery_module
from charityrisk.gui.recovery import RecoveryManager
from charityrisk.gui.window import MainWindow
from charityrisk.model import load_scenario, save_scenario, scenario_to_dict
from charityrisk.model.fileformat import STALE_TEMP_SECONDS


@pytest.fixture(autouse=True)
def no_simulation(monkeypatch):
    monkeypatch.setattr(MainWindow, "run_simulation", lambda self: None)


def reserves(path: Path) -> float:
    return json.loads(path.read_text(encoding="utf-8"))["organisation"]["opening_reserves"]


def edit(window, name: str, value) -> None:
    spin = window.form.findChild(QAbstractSpinBox, name)
    assert spin is not None, name
    spin.setValue(value)
    window.settle_now()


# ----- a relative start path, restored after a crash from another folder ------------------------
def test_the_app_started_with_a_relative_path_restores_onto_that_file_from_anywhere(
        qtbot, tmp_path, monkeypatch, request, created_windows, prompts, example):
    """Through main(): ``charityrisk bid.json`` in one folder, a crash, then a start in a folder
    with its own bid.json: the restored work is saved to the first, never the second."""
    from charityrisk.gui import main as gui_main

    monkeypatch.setattr(recovery_module, "default_folder", lambda: tmp_path / "data" / "recovery")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = QApplication.instance()
    names = app.applicationName(), app.organizationName()
    request.addfinalizer(lambda: (app.setApplicationName(names[0]), app.setOrganizationName(names[1])))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    save_scenario(example, first / "bid.json")
    save_scenario(example.with_organisation(opening_reserves=1.0), second / "bid.json")
    theirs = (second / "bid.json").read_bytes()

    def typing_then_crash(*_):
        w = created_windows[-1]
        edit(w, "organisation.opening_reserves", 424_242)
        assert w.recovery.autosave()
        return 0  # main() then releases the lock with the work unsaved: what a crash leaves

    monkeypatch.chdir(first)
    monkeypatch.setattr(QApplication, "exec", typing_then_crash)
    assert gui_main.main(["bid.json"]) == 0
    assert reserves(first / "bid.json") != 424_242

    def restore_then_save(*_):
        w = created_windows[-1]
        assert w.path == first / "bid.json"
        assert w.save()
        return 0

    monkeypatch.chdir(second)  # the next start, elsewhere
    prompts.script("ask_yes_no", True)  # Restore
    monkeypatch.setattr(QApplication, "exec", restore_then_save)
    assert gui_main.main([]) == 0
    assert reserves(first / "bid.json") == 424_242
    assert (second / "bid.json").read_bytes() == theirs
    for w in created_windows:
        qtbot.addWidget(w)
        w.runner.shutdown()


# ----- recovery that fails says so ---------------------------------------------------------------
def test_a_full_disk_during_a_background_autosave_is_said(qtbot, make_window, tmp_path, example, monkeypatch):
    """A large document is written on a worker thread: its failure is said all the same."""
    path = tmp_path / "big.json"
    save_scenario(example, path)
    data = json.loads(path.read_text())
    data["contracts"][0]["history"] = [f"month {i:04}: kept as it is" for i in range(8_000)]
    path.write_text(json.dumps(data))
    w = make_window(path)
    m = RecoveryManager(w, folder=tmp_path / "recovery", interval_ms=60_000)

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(recovery_module, "write_text_atomic", full)
    edit(w, "organisation.opening_reserves", 7)
    assert not m.autosave()  # handed to the worker
    qtbot.waitUntil(lambda: not m.busy(), timeout=30_000)
    qtbot.waitUntil(lambda: "could not be kept for recovery" in w.statusBar().currentMessage(), timeout=5_000)
    assert os.strerror(errno.ENOSPC) in w.statusBar().currentMessage()
    assert not m.path.exists()


@pytest.mark.parametrize("damage", [b"", b'{"format": "charityrisk-recovery", "version": 1, "scen',
                                    b"\xff\xfe\x00garbage", b"[" * 100_000])
def test_a_damaged_recovery_file_is_said_and_kept_aside(make_window, tmp_path, example, prompts, damage):
    folder = tmp_path / "recovery"
    folder.mkdir()
    (folder / "session-77-dead.json").write_bytes(damage)
    w = make_window()
    assert not RecoveryManager(w, folder=folder, interval_ms=60_000).offer_restore()
    [(title, lines)] = prompts.messages("show_problems")
    assert "could not be restored" in title and "session-77-dead.unreadable" in lines[0]
    assert (folder / "session-77-dead.unreadable").read_bytes() == damage  # never deleted


# ----- .bak where hard links fail --------------------------------------------------------------
@pytest.mark.parametrize("code", [errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK])
def test_the_window_keeps_a_bak_where_hard_links_fail(make_window, tmp_path, example, monkeypatch, code):
    path = tmp_path / "usb" / "bid.json"
    path.parent.mkdir()
    save_scenario(example, path)
    before = path.read_bytes()
    w = make_window(path)

    def no_links(*_a, **_k):  # FAT USB sticks, network shares, a full link count
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "link", no_links)
    edit(w, "organisation.opening_reserves", 31_337)
    assert w.save()
    assert reserves(path) == 31_337
    assert path.with_name("bid.json.bak").read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["bid.json", "bid.json.bak"]


# ----- saves killed with kill -9 -----------------------------------------------------------------
SAVE_FOREVER = textwrap.dedent("""
    import sys
    from dataclasses import replace
    from charityrisk.model import load_scenario, save_scenario, scenario_to_dict
    path = sys.argv[1]
    scenario = load_scenario(path)
    print("saving", flush=True)
    n = 0
    while True:
        n += 1
        save_scenario(scenario.with_organisation(opening_reserves=float(n)), path)
""")

OUR_TEMP = re.compile(r"\.bid\.json\.(?:[a-z0-9_]{8}|bak\.[0-9]+\.[0-9a-f]{8})\.tmp")


def test_saves_killed_with_kill_9_leave_a_whole_file_and_temporaries_that_are_cleaned(
        qtbot, make_window, tmp_path, example):
    path = tmp_path / "docs" / "bid.json"
    path.parent.mkdir()
    data = scenario_to_dict(example)
    data["contracts"][0]["history"] = ["a long note kept as it is " * 4] * 6_000  # a slow save
    path.write_text(json.dumps(data), encoding="utf-8")
    left: set[str] = set()
    for round_ in range(8):
        with subprocess.Popen([sys.executable, "-c", SAVE_FOREVER, str(path)], stdout=subprocess.PIPE,
                              text=True) as saver:
            assert saver.stdout.readline().strip() == "saving"
            time.sleep(0.05 + 0.04 * round_)
            saver.kill()  # SIGKILL; TerminateProcess on Windows
            saver.wait(30)
        load_scenario(path)  # whole: the old or the new version, never a mix
        load_scenario(path.with_name("bid.json.bak"))
        left |= {p.name for p in path.parent.iterdir() if p.name.startswith(".")}
    assert all(OUR_TEMP.fullmatch(name) for name in left - {".bid.json.lock"}), left
    # The window never offers them: hidden, and not scenario files.  The next save, once they
    # are older than any save in progress, removes them.
    old = time.time() - STALE_TEMP_SECONDS - 60
    for name in left:
        if (path.parent / name).exists():
            os.utime(path.parent / name, (old, old))
    w = make_window(path)
    edit(w, "organisation.opening_reserves", 9_999)
    assert w.save()
    qtbot.waitUntil(lambda: w.saving is None, timeout=30_000)  # a large file: saved on a worker
    remaining = sorted(p.name for p in path.parent.iterdir())
    assert remaining == ["bid.json", "bid.json.bak"], remaining
    assert reserves(path) == 9_999


# ----- two processes saving one file ---------------------------------------------------------------
SAVE_MANY = textwrap.dedent("""
    import sys
    from pathlib import Path
    from charityrisk.gui.filesafety import write_scenario_file
    from charityrisk.model import load_scenario
    path, base, count = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    scenario = load_scenario(path)
    sys.stdin.readline()  # both start together
    written = busy = 0
    for n in range(count):
        outcome = write_scenario_file(scenario.with_organisation(opening_reserves=base + n), path, None)
        assert not outcome.error, outcome.error
        written += outcome.written
        busy += bool(outcome.busy)
    print(written, busy, flush=True)
""")


def test_two_processes_saving_one_file_take_turns(tmp_path, example):
    path = tmp_path / "shared" / "bid.json"
    path.parent.mkdir()
    save_scenario(example, path)
    count = 25
    procs = [subprocess.Popen([sys.executable, "-c", SAVE_MANY, str(path), str(base), str(count)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for base in (10_000, 20_000)]
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        results.append(tuple(int(x) for x in out.split()))
    assert sum(written for written, _ in results) == 2 * count  # each waited its turn: none lost
    final, backup = reserves(path), reserves(path.with_name("bid.json.bak"))
    assert final in (10_000 + count - 1, 20_000 + count - 1)  # the last save of one of them, whole
    assert backup >= 10_000 and backup != final  # the version before it, whole
    assert sorted(p.name for p in path.parent.iterdir()) == ["bid.json", "bid.json.bak"]  # no lock, no temp


def test_a_save_after_one_killed_between_its_backup_and_its_rename_leaves_no_temporary(tmp_path, example):
    """Found by the kill -9 test: a save killed after its .bak became a hard link of the file,
    before the new file replaced it, left the two names on one file; the next save's backup
    link was then renamed onto a name of the same file, which POSIX does as nothing, and the
    hidden .bak temporary stayed."""
    path = tmp_path / "bid.json"
    save_scenario(example, path)
    bak = path.with_name("bid.json.bak")
    bak.unlink(missing_ok=True)
    os.link(path, bak)  # what the killed save left
    save_scenario(example.with_organisation(opening_reserves=5.0), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bid.json", "bid.json.bak"]
    assert reserves(path) == 5.0 and reserves(bak) == example.organisation.opening_reserves
