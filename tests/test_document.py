"""The scenario's file without a window (gui.document): open, save, the fix-up of a damaged
file, recent files, the path and the unsaved flag, driven through fake prompts and a fake
view, as Mu's logic.py is tested.  No window, no event loop."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from charityrisk.gui import document as document_module
from charityrisk.gui.document import MAX_RECENT, ScenarioDocument
from charityrisk.gui.recovery import Document as Recovered
from charityrisk.gui.state import WindowState
from charityrisk.model import ScenarioError, load_scenario, save_scenario, scenario_from_dict, scenario_to_dict
from charityrisk.model.problems import Problem


class FakeSettings(dict):
    def value(self, key, default=None):
        return self.get(key, default)

    def setValue(self, key, value):
        self[key] = value


class FakeView:
    """The window as the document sees it: a form holding a scenario (or a value to fix)."""

    def __init__(self, state: WindowState, prompts):
        self.state, self.prompts = state, prompts
        self.form = None  # the scenario the form shows; None while a value needs fixing
        self.edits: list[dict] = []
        self.written: list = []  # writes handed to the worker thread, not yet run
        self.queued: list = []  # actions to run once the current event is handled
        self.status: list[str] = []
        self.recent_shown = 0

    def show_scenario(self, scenario, path):
        self.form = scenario
        self.state.update(scenario=scenario, path=path, invalid=False, unsaved_edits=False)

    def show_edit(self, data):
        self.edits.append(data)
        try:
            self.form = scenario_from_dict(data)
            self.state.update(scenario=self.form, invalid=False)
        except ScenarioError:
            self.form = None
            self.state.update(invalid=True)

    def settled_scenario(self):
        return (self.form, []) if self.form is not None else (None, [Problem.from_text("a value to fix")])

    def set_clean(self, clean):
        self.state.update(unsaved_edits=not clean)

    def write_in_background(self, write):
        self.written.append(write)

    def later(self, action):
        self.queued.append(action)

    def show_status(self, text):
        self.status.append(text)

    def show_problems(self, title, problems):
        self.prompts.show_problems(title, problems)

    def recent_files_changed(self):
        self.recent_shown += 1


@pytest.fixture
def view(prompts):
    return FakeView(WindowState(), prompts)


@pytest.fixture
def document(view, prompts, example):
    doc = ScenarioDocument(view.state, prompts, FakeSettings(), view)
    doc.load(example, None)
    return doc


@pytest.fixture
def saved(tmp_path, example):
    path = tmp_path / "bid.json"
    save_scenario(example, path)
    return path


def edit(view, document, **organisation):
    """What typing in the form does: a new scenario, counted as an edit, unsaved."""
    view.form = view.form.with_organisation(**organisation)
    view.state.update(scenario=view.form, unsaved_edits=True)
    document.count_edit()


def test_opening_a_file_shows_it_saved_and_remembers_it(document, view, saved, example):
    assert document.open_path(saved)
    assert view.state.path == saved and view.state.scenario == example
    assert not view.state.modified
    assert document.recent_files() == [str(saved)] and view.recent_shown == 1


def test_a_file_that_is_not_a_scenario_is_refused_and_the_work_kept(document, view, prompts, tmp_path, example):
    bad = tmp_path / "notes.json"
    bad.write_text("not json")
    assert not document.open_path(bad)
    [(title, _problems)] = prompts.messages("show_problems")
    assert "notes.json could not be opened" in title
    assert prompts.questions("ask_yes_no") == []  # nothing a field could hold: no offer to fix
    assert view.state.scenario == example and view.state.path is None


def test_a_damaged_file_opens_marked_as_unsaved_work_on_that_file(document, view, prompts, tmp_path, example):
    data = scenario_to_dict(example)
    data["organisation"]["monthly_core_costs"] = -5  # out of range: a field can show it
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(data))
    prompts.script("ask_yes_no", True)  # Open (to correct it)
    assert document.open_path(damaged)
    assert "damaged.json has values to correct" in prompts.questions("ask_yes_no")[0]
    assert view.edits == [data] and view.state.invalid
    assert view.state.path == damaged and view.state.modified
    assert document.recent_files() == [str(damaged)]


def test_a_damaged_file_not_fixed_is_refused(document, view, prompts, tmp_path, example):
    data = scenario_to_dict(example)
    data["organisation"]["monthly_core_costs"] = -5
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(data))
    prompts.script("ask_yes_no", False)  # Cancel
    assert not document.open_path(damaged)
    assert prompts.messages("show_problems")[0][0] == "damaged.json could not be opened"
    assert view.state.path is None and view.edits == []


def test_save_as_adds_the_extension_and_marks_the_work_saved(document, view, prompts, tmp_path):
    edit(view, document, opening_reserves=12_345.0)
    prompts.script("ask_save_path", tmp_path / "new bid")
    assert document.save()  # never saved: Save asks where
    path = tmp_path / "new bid.json"
    assert load_scenario(path).organisation.opening_reserves == 12_345.0
    assert view.state.path == path and not view.state.modified
    assert document.recent_files() == [str(path)]


def test_save_as_proposes_the_scenarios_own_name_for_work_never_saved(document, view, prompts, tmp_path):
    edit(view, document, opening_reserves=1.0)
    view.form = replace(view.form, name="Riverside Trust: CRC bid / 2027")
    view.state.update(scenario=view.form)
    proposed = {}

    def record(title, suggested, file_filter):
        proposed["path"] = suggested
        return None  # cancelled: nothing written

    prompts.script("ask_save_path", record)
    assert not document.save_as()
    assert Path(proposed["path"]).name == "Riverside Trust- CRC bid - 2027.json"


def test_a_value_to_fix_stops_the_save(document, view, prompts, saved):
    document.open_path(saved)
    view.form = None
    view.state.update(invalid=True)
    before = saved.read_bytes()
    assert not document.save()
    assert prompts.messages("show_problems")[0] == ("Please fix these before saving", ["a value to fix"])
    assert saved.read_bytes() == before and view.state.modified


def test_a_file_changed_elsewhere_is_not_overwritten_without_asking(document, view, prompts, saved, example):
    document.open_path(saved)
    other = example.with_organisation(opening_reserves=1.0)
    save_scenario(other, saved)  # another window saved meanwhile
    edit(view, document, opening_reserves=2.0)
    assert not document.save()  # the fake answers Cancel
    assert "changed on disk" in prompts.questions("ask_changed_on_disk")[0]
    assert load_scenario(saved).organisation.opening_reserves == 1.0 and view.state.modified
    prompts.script("ask_changed_on_disk", "save")
    assert document.save()
    assert load_scenario(saved).organisation.opening_reserves == 2.0 and not view.state.modified


@pytest.mark.parametrize(("answer", "fine", "written"), [("cancel", False, False), ("discard", True, False),
                                                        ("save", True, True)])
def test_maybe_save_asks_only_about_unsaved_work(document, view, prompts, saved, answer, fine, written):
    document.open_path(saved)
    assert document.maybe_save() and prompts.questions() == []  # nothing unsaved: no question
    edit(view, document, opening_reserves=777.0)
    prompts.script("ask_save_discard_cancel", answer)
    assert document.maybe_save() is fine
    assert (load_scenario(saved).organisation.opening_reserves == 777.0) is written


def test_a_large_save_goes_to_the_worker_and_what_waited_runs_after(document, view, prompts, saved, monkeypatch):
    monkeypatch.setattr(document_module, "is_small_data", lambda *values: False)
    document.open_path(saved)
    edit(view, document, opening_reserves=4_321.0)
    prompts.script("ask_save_discard_cancel", "save")
    opened = []
    assert not document.maybe_save(retry=lambda: opened.append("next"))  # not yet: still writing
    assert document.saving == saved and view.status[-1].startswith("Saving bid.json")
    [write] = view.written
    document.save_finished(write())  # the worker's outcome, back on the GUI thread
    assert document.saving is None and not view.state.modified
    assert load_scenario(saved).organisation.opening_reserves == 4_321.0
    [retry] = view.queued
    retry()
    assert opened == ["next"]


def test_an_edit_while_saving_leaves_the_work_unsaved(document, view, saved, monkeypatch):
    monkeypatch.setattr(document_module, "is_small_data", lambda *values: False)
    document.open_path(saved)
    edit(view, document, opening_reserves=1.0)
    assert document.save()
    edit(view, document, opening_reserves=2.0)  # typed while the worker writes
    document.save_finished(view.written[0]())
    assert load_scenario(saved).organisation.opening_reserves == 1.0
    assert view.state.modified  # the 2.0 is not on disk


def test_a_fault_while_saving_is_said_as_one_and_the_work_stays_unsaved(document, view, prompts, saved, monkeypatch):
    monkeypatch.setattr(document_module, "is_small_data", lambda *values: False)
    document.open_path(saved)
    edit(view, document, opening_reserves=1.0)
    assert document.save()
    document.save_errored(KeyError("contracts"))  # a bug, not the disk
    [message] = prompts.messages("show_error")
    assert message.startswith("Something went wrong while saving bid.json") and "KeyError" in message
    assert view.state.modified and document.saving is None


def test_a_full_disk_while_saving_names_the_file_and_the_reason(document, view, prompts, saved, monkeypatch):
    monkeypatch.setattr(document_module, "is_small_data", lambda *values: False)
    document.open_path(saved)
    edit(view, document, opening_reserves=1.0)
    assert document.save()
    document.save_errored(OSError(28, "No space left on device"))
    [message] = prompts.messages("show_error")
    assert message.startswith("Could not save bid.json") and "No space left on device" in message
    assert view.state.modified


def test_recent_files_keep_full_paths_newest_first(document, tmp_path, example):
    document.settings.setValue("recent_files", ["bid.json", str(tmp_path / "old.json")])
    assert document.recent_files() == [str(tmp_path / "old.json")]  # a bare name could open anything
    for n in range(MAX_RECENT + 2):
        document.remember(tmp_path / f"{n}.json")
    files = document.recent_files()
    assert len(files) == MAX_RECENT and files[0] == str(tmp_path / f"{MAX_RECENT + 1}.json")
    assert all(Path(f).is_absolute() for f in files)


def test_recovered_work_is_an_unsaved_edit_of_its_file(document, view, saved, example):
    changed = scenario_to_dict(example.with_organisation(opening_reserves=99.0))
    record = Recovered(scenario=changed, last_valid=changed, original_path=saved)
    assert document.restore(record)
    assert view.state.path == saved and view.edits == [changed]
    assert view.state.scenario.organisation.opening_reserves == 99.0


def test_recovered_work_without_its_file_is_unsaved_even_unchanged(document, view, tmp_path, example):
    data = scenario_to_dict(example)
    record = Recovered(scenario=data, last_valid=data, original_path=tmp_path / "gone.json")
    assert document.restore(record)
    assert view.state.modified  # no saved version: Save writes it again
