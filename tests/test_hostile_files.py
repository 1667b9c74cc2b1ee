"""The window under hostile files (issue 21): a fixed-seed slice of tools/hostile_files.py,
mutated scenario files each opened in the real main window (in child processes, offscreen),
edited, undone and saved, with no abort, no traceback or warning and no file changed but the
one saved, its .bak and the recovery file.  The whole run (1,000 files) is the script:

    .venv/bin/python tools/hostile_files.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import hostile_files  # noqa: E402

SLICE = 40
SEED = 2121


def test_the_files_are_the_same_for_the_same_seed_and_cover_every_kind(tmp_path):
    one = hostile_files.make_files(tmp_path / "a", 120, SEED)
    two = hostile_files.make_files(tmp_path / "b", 120, SEED)
    assert [p.name for p in one] == [p.name for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two, strict=True))
    kinds = {kind for p in one for kind in p.stem.split("-", 2)[2].split("+")}
    assert {"delete_key", "wrong_type", "huge_number", "nan", "deep_nesting", "unicode",
            "typo_key", "many_lines"} <= kinds
    sources = {p.stem.split("-")[1] for p in one}
    assert len(sources) == len(list((ROOT / "resources" / "scenarios").glob("*.json")))


def test_a_fixed_seed_slice_of_hostile_files_opens_edits_and_saves_in_the_window(tmp_path):
    files = hostile_files.make_files(tmp_path / "files", SLICE, SEED)
    summary = hostile_files.run(files, tmp_path, SEED, quiet=True)
    # On Python 3.11 with PySide6 6.12, "Fatal Python error: none_dealloc" here is the binding's
    # lost references to None (tests/test_none_refs.py), not the file.
    aborted = [(a["file"], a["reason"], a["error"]) for a in summary["aborts"]]
    assert aborted == [], aborted
    assert summary["problems"] == [], summary["problems"][:5]
    assert summary["opened_and_finished"] == SLICE


@pytest.mark.parametrize("kind, expect", [("abort", "abort"), ("traceback", "traceback"),
                                          ("touch", "changed")])
def test_the_run_catches_each_kind_of_failure(tmp_path, monkeypatch, kind, expect):
    """The harness itself can fail: a child made to abort, raise in a slot or change a
    neighbouring file on its second file is caught, and the run carries on to the end."""
    monkeypatch.setenv(hostile_files.SELF_TEST_ENV, kind)
    files = hostile_files.make_files(tmp_path / "files", 3, SEED)
    summary = hostile_files.run(files, tmp_path, SEED, quiet=True)
    if expect == "abort":
        assert [a["file"] for a in summary["aborts"]] == [files[1].name]
        assert summary["aborts"][0]["exit"] in ((-6, 134, 3) if sys.platform == "win32" else (-6, 134))
        assert "Fatal Python error" in summary["aborts"][0]["fatal"]
        assert summary["opened_and_finished"] == 2  # the files before and after it
    else:
        kinds = {(p["kind"], p["file"]) for p in summary["problems"]}
        assert (expect, files[1].name) in kinds, summary["problems"]


# ----- what the whole run found, each kept as a test -------------------------------------------
def test_values_far_out_of_range_open_to_be_corrected_without_an_error(qtbot, tmp_path, prompts, example):
    """A count of 10**30 months, and 1e300 pounds in a budget line: the spin box could not
    take the first (OverflowError, a libshiboken warning) and the money format the second
    (decimal.InvalidOperation), so opening the file to correct it raised."""
    import json

    from PySide6.QtCore import QSettings

    from charityrisk.gui.window import MainWindow
    from charityrisk.resources import example_scenario_path

    data = json.loads(example_scenario_path().read_text(encoding="utf-8"))
    data["contracts"][0]["cohort_months"] = 10**30
    data["organisation"]["budget"][0]["amount"] = 1e300
    path = tmp_path / "far.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    w = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), prompts=prompts)
    qtbot.addWidget(w)
    w.load(example, None)
    prompts.script("ask_yes_no", True)  # open it to correct the values
    assert w.open_path(path)
    marked = w.form.problem_fields()
    assert any("cohort_months" in key for key in marked), marked
    assert w.form.to_dict()["contracts"][0]["cohort_months"] == 10**30  # the file's own, until changed
    w.runner.shutdown()


def test_a_huge_amount_is_written_to_the_penny():
    from charityrisk.model.money import format_money

    assert format_money(1e300).startswith("£1,000,000,000,000,000,052,504")
    assert format_money(-1.5e20) == "-£150,000,000,000,000,000,000"
    assert format_money(65_000.5) == "£65,000.50"
