"""Never lose work, never trust a file, and an engine that guards its own resources.

Saves: atomic (temporary file in the same folder, synced, renamed over), the previous version
kept as NAME.json.bak, and a save that fails (read-only folder, the path is a folder, a full
disk at write, sync or rename, an interrupt) leaves the old file and its backup as they were
and no temporary file behind; the window says so and keeps the work unsaved.
Loading: JSON only (no pickle, eval or YAML anywhere in the model), never blocks on a pipe or
reads an endless device, refuses sizes and versions it cannot handle.
Engine: bounded memory whatever the number of futures, a long run cancels promptly, and money
that overflows is reported instead of shown.
"""
from __future__ import annotations

import contextlib
import errno
import importlib
import inspect
import io
import json
import os
import re
import stat
import threading
import time
import tokenize
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractSpinBox

import charityrisk.model as model_package
from charityrisk.engine import Cancelled, ResultsOverflow, simulate, simulation_steps
from charityrisk.model import ScenarioError, fileformat, load_scenario, save_scenario

simulate_module = importlib.import_module("charityrisk.engine.simulate")

ROOT = Path(__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def saved(tmp_path, example):
    """A user's file with a backup already: old.json and old.json.bak hold known versions."""
    path = tmp_path / "docs" / "bid.json"
    path.parent.mkdir()
    save_scenario(example.with_organisation(opening_reserves=1.0), path)
    save_scenario(example.with_organisation(opening_reserves=2.0), path)
    return path


def state(path: Path) -> dict:
    """Every file in the folder and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.is_file()}


def reserves(path: Path) -> float:
    return json.loads(path.read_text())["organisation"]["opening_reserves"]


# ----- saves ------------------------------------------------------------------------------
def test_save_keeps_the_previous_version_as_backup(saved, example):
    assert reserves(saved) == 2.0
    assert reserves(saved.with_name("bid.json.bak")) == 1.0
    save_scenario(example.with_organisation(opening_reserves=3.0), saved)
    assert reserves(saved) == 3.0 and reserves(saved.with_name("bid.json.bak")) == 2.0
    assert sorted(state(saved)) == ["bid.json", "bid.json.bak"]  # no temporary files


def test_backup_is_copied_where_hard_links_are_not_allowed(saved, example, monkeypatch):
    def no_links(*a, **k):  # FAT USB sticks and many network shares
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    save_scenario(example.with_organisation(opening_reserves=3.0), saved)
    assert reserves(saved) == 3.0 and reserves(saved.with_name("bid.json.bak")) == 2.0
    assert sorted(state(saved)) == ["bid.json", "bid.json.bak"]


def test_save_keeps_the_files_permissions(saved, example):
    os.chmod(saved, 0o640)
    save_scenario(example, saved)
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o640
    new = saved.with_name("new.json")
    save_scenario(example, new)
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o666 & ~mask  # as a plain open() would


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_save_through_a_link_updates_the_file_it_points_to(saved, example, tmp_path):
    link = tmp_path / "shortcut.json"
    link.symlink_to(saved)
    save_scenario(example.with_organisation(opening_reserves=7.0), link)
    assert link.is_symlink() and reserves(saved) == 7.0


def _fail_with(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return fail


class _FullDiskFile:
    """A file object whose writes fail as on a full disk (what os.fdopen returns in the test)."""

    def __init__(self, f):
        self._f = f

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def _patch_write_full(monkeypatch):
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDiskFile(real(fd, *a, **k)))


def _interrupt(*args):
    raise KeyboardInterrupt()


FAILURES = {
    "full disk at write": lambda mp: _patch_write_full(mp),
    "full disk at sync": lambda mp: mp.setattr(os, "fsync", _fail_with(errno.ENOSPC)),
    "rename refused": lambda mp: mp.setattr(os, "replace", _fail_with(errno.EACCES)),
    "read-only folder (simulated)": lambda mp: mp.setattr(
        fileformat.tempfile, "mkstemp", _fail_with(errno.EROFS)),
    "no permission (simulated)": lambda mp: mp.setattr(
        fileformat.tempfile, "mkstemp", _fail_with(errno.EACCES)),
    "interrupted (Ctrl+C)": lambda mp: mp.setattr(os, "fsync", _interrupt),
    "no hard links, full disk at the backup": lambda mp: (
        mp.setattr(os, "link", _fail_with(errno.EPERM)),
        mp.setattr(fileformat.shutil, "copy2", _fail_with(errno.ENOSPC))),
}


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_a_failed_save_leaves_the_old_file_and_backup_intact(saved, example, monkeypatch, failure):
    before = state(saved)
    with pytest.MonkeyPatch.context() as mp:
        FAILURES[failure](mp)
        with pytest.raises((OSError, KeyboardInterrupt)):
            save_scenario(example.with_organisation(opening_reserves=99.0), saved)
    assert state(saved) == before  # same files, same bytes: nothing half-written, no temp file


def test_a_backup_that_cannot_be_kept_says_so_instead_of_staying_old(saved, example, monkeypatch):
    monkeypatch.setattr(os, "link", _fail_with(errno.EPERM))  # FAT USB stick
    monkeypatch.setattr(fileformat.shutil, "copy2", _fail_with(errno.ENOSPC))
    with pytest.raises(OSError, match=r"bid\.json\.bak") as failed:
        save_scenario(example.with_organisation(opening_reserves=3.0), saved)
    assert failed.value.errno == errno.ENOSPC and "nothing was saved" in failed.value.strerror
    # the pair stays consistent: the backup is the version before the file
    assert reserves(saved) == 2.0 and reserves(saved.with_name("bid.json.bak")) == 1.0


def test_a_save_removes_stale_temporary_files_of_its_own_pattern_only(saved, example):
    old = time.time() - 3600
    ours = [".bid.json.k2x_9abq.tmp", ".bid.json.bak.4242.0badf00d.tmp"]
    not_ours = [".bid.json.k2x_9abq.tmp.keep", ".other.json.k2x_9abq.tmp", ".bid.json.TOOLONG12.tmp",
                "bid.json.k2x_9abq.tmp", ".bid.json.bak.x.0badf00d.tmp", "notes.tmp"]
    for name in ours + not_ours:
        (saved.parent / name).write_text("left by a killed save")
        os.utime(saved.parent / name, (old, old))
    fresh = saved.parent / ".bid.json.abcdefgh.tmp"  # another window's save, in progress
    fresh.write_text("being written")
    folder = saved.parent / ".bid.json.folder_1.tmp"
    folder.mkdir()
    os.utime(folder, (old, old))
    save_scenario(example.with_organisation(opening_reserves=3.0), saved)
    left = {p.name for p in saved.parent.iterdir()}
    assert not left & set(ours)
    assert set(not_ours) | {fresh.name, folder.name, "bid.json", "bid.json.bak"} == left
    assert reserves(saved) == 3.0


@contextlib.contextmanager
def as_a_user(saved: Path):
    """The save of a user, not of root, which ignores folder permissions: run as root, the
    block runs with the effective user and group of "nobody" (root keeps its saved user id,
    so it comes back after), on a copy of ``saved``'s folder that nobody owns and can reach
    (pytest's folders are root's alone).  Yields the path to save to."""
    if not IS_ROOT:
        yield saved
        return
    import pwd
    import shutil
    import tempfile

    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("run as root, and there is no user 'nobody' to save as")
    top = Path(tempfile.mkdtemp(prefix="charityrisk-read-only-"))
    try:
        os.chmod(top, 0o711)
        folder = top / saved.parent.name
        shutil.copytree(saved.parent, folder)
        for p in (folder, *folder.iterdir()):
            os.chown(p, nobody.pw_uid, nobody.pw_gid)
        euid, egid = os.geteuid(), os.getegid()
        os.setegid(nobody.pw_gid)
        os.seteuid(nobody.pw_uid)
        try:
            yield folder / saved.name
        finally:
            os.seteuid(euid)
            os.setegid(egid)
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.mark.skipif(os.name != "posix", reason="folder permissions as POSIX has them")
def test_saving_into_a_read_only_folder_fails_cleanly(saved, example):
    with as_a_user(saved) as path:
        save_scenario(example.with_organisation(opening_reserves=3.0), path)  # the user's own folder
        assert reserves(path) == 3.0
        before = state(path)
        os.chmod(path.parent, 0o555)
        try:
            with pytest.raises(PermissionError):
                save_scenario(example.with_organisation(opening_reserves=99.0), path)
        finally:
            os.chmod(path.parent, 0o755)
        assert state(path) == before


def test_saving_onto_a_folder_fails_cleanly(tmp_path, example):
    folder = tmp_path / "looks-like-a-file.json"
    (folder / "inside").mkdir(parents=True)
    with pytest.raises(IsADirectoryError):
        save_scenario(example, folder)
    assert folder.is_dir() and [p.name for p in folder.iterdir()] == ["inside"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["looks-like-a-file.json"]


def test_saving_into_a_missing_folder_fails_cleanly(tmp_path, example):
    with pytest.raises(FileNotFoundError):
        save_scenario(example, tmp_path / "gone" / "bid.json")


def test_a_save_is_never_seen_half_written(saved, example):
    """Readers during many saves see either the old or the new file, always a whole one."""
    big = example.with_organisation(opening_reserves=123.0)
    stop = threading.Event()
    seen, errors = set(), []

    def read():
        while not stop.is_set():
            try:
                seen.add(load_scenario(saved).organisation.opening_reserves)
            except ScenarioError as error:
                errors.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(40):
            save_scenario(big if i % 2 else example, saved)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert seen <= {2.0, 123.0, example.organisation.opening_reserves}


# ----- the window ---------------------------------------------------------------------------
@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, saved, prompts):
    from charityrisk.gui.window import MainWindow

    monkeypatch.setattr(MainWindow, "run_simulation", lambda self: None)  # files, not figures
    w = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), prompts=prompts)
    qtbot.addWidget(w)
    assert w.open_path(saved)
    w.show()
    spin = w.form.findChild(QAbstractSpinBox, "organisation.opening_reserves")
    spin.setValue(55_555)
    qtbot.waitUntil(lambda: w.isWindowModified(), timeout=5_000)
    yield w
    w.runner.shutdown()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_the_window_says_when_a_save_fails_and_keeps_the_work(window, saved, prompts, code):
    before = state(saved)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "fsync", _fail_with(code))
        assert not window.save()
    said = prompts.messages("show_error")
    assert len(said) == 1
    assert os.strerror(code) in said[0] and "The file on disk was not changed" in said[0]
    assert state(saved) == before
    assert window.isWindowModified()  # still unsaved: the close prompt will ask again
    assert window.form.to_dict()["organisation"]["opening_reserves"] == 55_555


def test_closing_with_a_failing_save_does_not_close(window, saved, prompts):
    prompts.answers["ask_save_discard_cancel"] = "save"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "fsync", _fail_with(errno.ENOSPC))
        assert not window.close()  # the user keeps the work on screen
    assert window.close()  # the disk has room again: the save works and the window closes
    assert reserves(saved) == 55_555


# ----- loading ------------------------------------------------------------------------------
def test_the_model_never_runs_code_from_a_file():
    """JSON only: no code in the model (comments and text aside) can unpickle, evaluate,
    import or construct objects by name."""
    banned = {"pickle", "marshal", "shelve", "yaml", "eval", "exec", "compile", "literal_eval",
              "__import__", "importlib", "object_hook", "globals", "locals"}
    for module in (model_package.fileformat, model_package.validation, model_package.scenario):
        source = inspect.getsource(module)
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        names = {t.string for t in tokens if t.type == tokenize.NAME}
        assert not names & banned, (module.__name__, names & banned)
        # object_pairs_hook only to refuse duplicate keys: hooks that build plain dicts
        assert set(re.findall(r"object_pairs_hook=(\w+)", source)) <= {"_refuse_duplicates", "hook"}
        assert names.isdisjoint({"object_pairs_hook"}) or module is model_package.fileformat


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(_load_problems(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the reader before failing
        with open(fifo, "w"):
            pass
        pytest.fail("loading a named pipe blocked")
    assert outcome[0][0] == f"file: {fifo} is not a regular file"


def _load_problems(path) -> list[str]:
    try:
        load_scenario(path)
    except ScenarioError as error:
        return error.messages
    return []


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused():
    assert _load_problems("/dev/zero") == ["file: /dev/zero is not a regular file"]


def test_a_folder_and_a_missing_file_are_refused(tmp_path):
    assert _load_problems(tmp_path)[0].startswith(f"file: {tmp_path}")
    assert "cannot read" in _load_problems(tmp_path / "missing.json")[0]


def test_a_large_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(fileformat.MAX_FILE_BYTES + 1)  # sparse: no need to write 5 MB
    read = []
    monkeypatch.setattr(fileformat, "parse_scenario_bytes", lambda raw: read.append(raw))
    assert _load_problems(big) == ["file: 5,242,881 bytes is too large for a scenario (at most 5 MB)"]
    assert read == []


@pytest.mark.parametrize("change,message", [
    ({"contracts": [{}] * 1_000}, "contracts: must hold at most 50 contracts (got 1000)"),
    ({"horizon_months": 1_000}, "horizon_months: must be between 1 and 120 (got 1000)"),
    ({"simulation": {"paths": 10**12}}, "simulation.paths: must be between 100 and 1000000"),
    ({"version": 7}, "version: the file is format version 7, newer than this app reads (version 3); "
                     "please update CharityRisk"),
])
def test_absurd_sizes_and_newer_versions_are_refused_with_a_message(tmp_path, example, change, message):
    data = {**fileformat.scenario_to_dict(example), **change}
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data))
    assert _load_problems(path)[0].startswith(message)


def test_a_file_without_a_version_header_is_read_as_version_1(tmp_path):
    # The single-line example: the built-in one has budget lines, which version 1 has not.
    example = load_scenario(Path(__file__).parent / "data" / "example_v1.json")
    data = fileformat.scenario_to_dict(example)
    del data["format"], data["version"]
    path = tmp_path / "hand-written.json"
    path.write_text(json.dumps(data))
    assert load_scenario(path) == example


def test_what_loads_can_always_be_saved_and_opened_again(tmp_path, example):
    """Unknown keys are kept and saved; those that could not be saved are refused on load."""
    data = fileformat.scenario_to_dict(example)
    data["notes_from_a_newer_app"] = {"deep": [[{"x": "caf\u00e9 \U0001f600"}]], "n": 10**30}
    path = tmp_path / "extras.json"
    path.write_text(json.dumps(data))
    again = tmp_path / "again.json"
    save_scenario(load_scenario(path), again)
    assert json.loads(again.read_text())["notes_from_a_newer_app"] == data["notes_from_a_newer_app"]


# ----- the engine ---------------------------------------------------------------------------
@pytest.mark.slow
def test_memory_stays_bounded_whatever_the_number_of_futures(example):
    """Percentiles are of every future (issue 12), so each future's 120 closing balances are
    kept, with and without the contracts; past 512 MB in float32, so that a run of 1,000,000
    futures x 120 months stays well under 2 GB.  Everything else is simulated in blocks."""
    s = replace(example, horizon_months=120)

    def peak(paths: int) -> int:
        tracemalloc.start()
        try:
            simulate(s, paths, 1)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    large = peak(300_000)  # in float32, as 1,000,000 futures would be
    kept_float32 = 2 * 120 * 4  # bytes per future
    # A few hundred bytes a future besides (lowest balance, run-out month, temporaries while
    # summarising), against the 1,920 that float64 copies would cost.
    assert large < 300_000 * (kept_float32 + 400)
    assert 1_000_000 * (kept_float32 + 400) < 1.5 * 1024**3


def test_a_very_long_run_cancels_promptly(example):
    huge = replace(example, horizon_months=120)
    steps = []
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        simulate(huge, 1_000_000, 1, progress=lambda done, total: steps.append(done),
                 cancelled=lambda: len(steps) >= 2)
    assert time.perf_counter() - started < 10
    assert steps[-1] < 1_000_000 // 10  # stopped early, not after the whole run


def test_cancelling_leaves_no_block_running_or_waiting(example, monkeypatch):
    """The engine's threads are kept between runs, so a cancelled run must take its own
    blocks off them: none still running once it has stopped, none started after."""
    engine = importlib.import_module("charityrisk.engine.simulate")  # the module, not the function
    started, finished = [], []
    gate = threading.Event()  # holds the blocks after the first two until the cancel is under way
    real = engine.simulate_and_tally

    def counted(s, n, seed, block, keep):
        started.append(block)
        try:
            if block >= 2:
                gate.wait(10)
            return real(s, n, seed, block, keep)
        finally:
            finished.append(block)
    monkeypatch.setattr(engine, "simulate_and_tally", counted)
    steps = simulation_steps(replace(example, horizon_months=120), 1_000_000, 1)
    next(steps)
    next(steps)
    opener = threading.Timer(0.3, gate.set)
    opener.start()
    steps.close()  # returns only once the held block has finished
    assert sorted(started) == sorted(finished) and len(started) < 1_000_000 // engine.BLOCK
    time.sleep(0.2)
    assert sorted(started) == sorted(finished)  # nothing of the cancelled run started later
    opener.join()
    # ...and the threads are free for the next run, which gives its usual answer.
    assert simulate(example, 12_000, 3).p_run_out == simulate(example, 12_000, 3).p_run_out


def test_runs_side_by_side_share_the_threads_and_keep_their_answers(example):
    """The decision tools and the app's live answers run at the same time on the engine's
    one set of threads; each run's figures are those it gives alone."""
    alone = {seed: simulate(example, 12_000, seed) for seed in (1, 2)}
    together: dict[int, object] = {}
    threads = [threading.Thread(target=lambda seed=seed: together.update({seed: simulate(example, 12_000, seed)}))
               for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed in (1, 2):
        np.testing.assert_array_equal(together[seed].lowest_balance, alone[seed].lowest_balance)
        assert together[seed].balance_percentiles["5"].tolist() == alone[seed].balance_percentiles["5"].tolist()


def test_overflowing_money_is_reported_not_shown(example):
    """Beyond what a file may hold (validation stops it there): the engine's own guard."""
    absurd = example.with_organisation(opening_reserves=1.7e308)
    absurd = absurd.with_contract(0, price_per_referral=1e308, fixed_monthly_cost=1e308)
    with pytest.raises(ResultsOverflow) as error:
        simulate(absurd, 1_000, 1)
    assert error.value.problems[0].text.startswith("scenario: the money in some simulated futures is too large")


def test_the_command_line_reports_overflow_in_one_line(tmp_path, monkeypatch, capsys, example):
    from charityrisk import cli

    path = tmp_path / "bid.json"
    save_scenario(example, path)
    def overflowed(block):
        raise ResultsOverflow()

    monkeypatch.setattr(simulate_module, "check_finite", overflowed)
    assert cli.main(["simulate", str(path), "--json", "--paths", "200"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "too large to compute" in err


def test_the_window_reports_overflow_instead_of_figures(qtbot, tmp_path, example):
    from charityrisk.gui.window import MainWindow

    w = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.results_shown, timeout=30_000):
        w.load(example, None)
    shown = w.results_panel.results
    absurd = example.with_organisation(opening_reserves=1.7e308, monthly_core_costs=0.0)
    absurd = absurd.with_contract(0, price_per_referral=1e308)
    with qtbot.waitSignal(w.runner.errored, timeout=30_000):
        w.apply_scenario(absurd)
    assert w.results_panel.results is shown  # the last good figures stay, marked stale
    assert "too large to compute" in w.results_panel.status.text()
    w.runner.shutdown()


def test_the_largest_allowed_values_give_finite_figures():
    """Every money value at its limit, a million referrals a month for 120 months, 50 contracts."""
    from charityrisk.model import scenario_from_dict
    from charityrisk.model.validation import MAX_MONEY

    contract = {
        "name": "max", "start_month": 1, "duration_months": 120, "referrals_per_month": 1e6,
        "count_noise": "none", "price_per_referral": MAX_MONEY, "share_at_risk": 1,
        "payment_mode": "earn", "fee_lag_months": 0, "success_rate": 1,
        "target_success_rate": 5e-324, "cohort_months": 1, "outcome_lag_months": 0,
        "cost_per_referral": 0, "fixed_monthly_cost": 0}
    s = scenario_from_dict({
        "horizon_months": 120,
        "organisation": {"opening_reserves": MAX_MONEY, "monthly_other_income": MAX_MONEY,
                         "monthly_core_costs": 0},
        "contracts": [contract] * 50})
    r = simulate(s, 200, 1)
    assert np.isfinite(r.lowest_balance).all() and r.p_run_out == 0
    assert all(np.isfinite(v).all() for v in r.balance_percentiles.values())
    json.dumps(r.to_json_dict(), allow_nan=False)
