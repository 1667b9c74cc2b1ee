"""The scenario's file, without a window: open, save, the fix-up of a damaged file, recent
files, the path and whether the work is unsaved (as the Mu editor's ``logic.py`` keeps its
file handling apart from its window).

Every question and message goes through ``Prompts``; what it needs of the window (show a
scenario, take the form's edit, mark the work saved, write on a worker thread) is the small
``View`` below.  So tests drive it with fake prompts and a fake view, no window, no event loop.
The path and the unsaved flag live in the window's ``WindowState``, the one place views render
from; this object only changes them.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from ..model import (
    Problem,
    Scenario,
    ScenarioError,
    load_scenario,
    save_scenario,
    scenario_from_dict,
    scenario_to_dict,
    spec,
)
from ..model.fields import spec as field_spec
from ..model.problems import FIXABLE_CODES
from .faults import fault_text
from .filesafety import FileStamp, SaveOutcome, absolute, write_scenario_file
from .prompts import SCENARIO_FILTER, Prompts
from .recovery import Document as Recovered
from .recovery import is_small_data
from .state import WindowState

MAX_RECENT = 8
RECENT_KEY = "recent_files"
FILE_FILTER = SCENARIO_FILTER
PROBLEMS_ASKED = 8  # a damaged file's problems listed in the question whether to fix it


class View(Protocol):
    """What the document needs of the window (MainWindow; tests pass a fake)."""

    def show_scenario(self, scenario: Scenario, path: Path | None) -> None:
        """Show ``scenario`` as the whole work (no undo history, saved) and simulate it."""
        ...

    def show_edit(self, data: dict) -> None:
        """Put a file's values (valid or not) in the form as the user's edit, marked."""
        ...

    def settled_scenario(self) -> tuple[Scenario | None, list[Problem]]:
        """The form's scenario with its pending edit taken; None and why if it has a value to fix."""
        ...

    def set_clean(self, clean: bool) -> None:
        """The work on screen is (True) or is not (False) what the file holds."""
        ...

    def write_in_background(self, write: Callable[[], SaveOutcome]) -> None:
        """Run ``write`` off the GUI thread; hand its outcome to ``save_finished``."""
        ...

    def later(self, action: Callable[[], Any]) -> None:
        """Do ``action`` once the current event has been handled."""
        ...

    def show_status(self, text: str) -> None: ...

    def show_problems(self, title: str, problems: Sequence[str]) -> None:
        """Through the window's prompts (tests of many files catch them there)."""
        ...

    def recent_files_changed(self) -> None: ...


class Settings(Protocol):
    """The part of QSettings used here (a dict-backed fake in tests)."""

    def value(self, key: str, default: Any = None) -> Any: ...

    def setValue(self, key: str, value: Any) -> None: ...


def fixable(problems: list[Problem]) -> bool:
    """Whether the form can show every problem on its field: values of the right kind, out of
    range or order, in inputs the form has (read from each Problem's code and path).  A wrong
    type, a missing key or a broken structure cannot be put in a field."""
    def on_a_field(p: Problem) -> bool:
        row = spec(p.path)
        in_table = row is not None and row.owner in ("organisation.budget[]", "contracts[].outcome_payments[]")
        return p.code in FIXABLE_CODES and row is not None and (row.in_form or in_table)
    return bool(problems) and all(isinstance(p, Problem) and on_a_field(p) for p in problems)


def outside_form(ours: dict, theirs: dict, owner: str = "", only_unknown: bool = False) -> dict:
    """``ours`` (a valid scenario's dict) with everything the form has no input for taken from
    ``theirs`` (a file's dict): its name, unknown keys, budget lines... The contracts are left
    as ours: the form takes a file's contracts whole.  ``only_unknown`` takes only text and
    keys the app does not know, which can never make the result invalid."""
    out: dict = {}
    for key in list(theirs) + [k for k in ours if k not in theirs]:
        path = f"{owner}.{key}" if owner else key
        row = field_spec(path)
        if (not owner and key in ("format", "version", "contracts")) or (row is not None and row.in_form):
            if key in ours:
                out[key] = ours[key]
        elif not owner and key in ("organisation", "simulation") and isinstance(ours.get(key), dict) \
                and isinstance(theirs.get(key), dict):
            out[key] = outside_form(ours[key], theirs[key], key, only_unknown)
        elif only_unknown and row is not None and row.kind != "text":
            if key in ours:
                out[key] = ours[key]
        elif key in theirs:
            out[key] = theirs[key]
    return out


@dataclass
class SaveJob:
    """A save under way: where to, the edit count when it began (what it writes), and what
    waits for it."""

    path: Path
    edits: int
    again: bool = False  # Save was chosen again meanwhile: save the newer work after it
    retry: Callable[[], Any] | None = None  # the action to carry on with once it has succeeded
    closing: bool = False  # that action closes the window


class ScenarioDocument:
    def __init__(self, state: WindowState, prompts: Prompts, settings: Settings, view: View):
        self.state, self.prompts, self.settings, self.view = state, prompts, settings, view
        self.stamp: FileStamp | None = None  # the file at ``path`` as this document last saw it
        self.job: SaveJob | None = None  # the save being written on the worker thread
        # Counts every edit, undo and redo: a save marks the work saved only if none came
        # while it was being written (the undo index alone repeats once old steps drop off).
        self.edits = 0

    # ----- what it is ------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self.state.path

    @property
    def saving(self) -> Path | None:
        """The file a save is writing on the worker thread now, or None."""
        return self.job.path if self.job is not None else None

    def folder(self) -> str:
        return str(self.path.parent) if self.path else str(Path.home())

    def count_edit(self, *_: Any) -> None:
        self.edits += 1

    # ----- recent files ----------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        files = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
        # A name without its folder (kept by older versions) would open whatever file of
        # that name is in the folder the app happens to start in: left out.
        return [f for f in files if isinstance(f, str) and f and Path(f).is_absolute()][:MAX_RECENT]

    def remember(self, path: Path) -> None:
        path = absolute(path)
        files = [str(path)] + [f for f in self.recent_files() if f != str(path)]
        self.settings.setValue(RECENT_KEY, files[:MAX_RECENT])
        self.view.recent_files_changed()

    # ----- open ------------------------------------------------------------------------------
    def load(self, scenario: Scenario, path: Path | None, stamp: FileStamp | None = None) -> None:
        """Show ``scenario`` as the file at ``path`` (None: never saved), seen as ``stamp``."""
        path = absolute(path) if path is not None else None
        self.view.show_scenario(scenario, path)
        self.stamp = stamp if stamp is not None or path is None else FileStamp.of(path)

    def open_dialog(self) -> None:
        if not self.maybe_save(retry=self.open_dialog):
            return
        path = self.prompts.ask_open_path("Open scenario", self.folder(), FILE_FILTER)
        if path is not None:
            self.open_path(path)

    def open_path_checked(self, name: str) -> None:
        """Open ``name`` once the work on screen is saved or discarded (Open Recent, macOS)."""
        if self.maybe_save(retry=partial(self.open_path_checked, name)):
            self.open_path(Path(name))

    def open_path(self, path: Path) -> bool:
        path = absolute(path)
        stamp = FileStamp.of(path)  # before reading: a change during the read is seen at Save
        warnings: list = []  # unknown keys that look like a known one mistyped
        try:
            scenario = load_scenario(path, warnings)
        except ScenarioError as error:
            data = error.data
            if fixable(error.problems) and isinstance(data, dict) and self._ask_to_fix(path, error.messages):
                return self.open_to_fix(data, path, stamp)
            self.view.show_problems(f"{path.name} could not be opened", error.messages)
            return False
        self.load(scenario, path, stamp)
        self.remember(path)
        if warnings:  # the file opened, but a value the user meant may not be used: say so
            more = f" (and {len(warnings) - 1} more such keys)" if len(warnings) > 1 else ""
            self.view.show_status(f"{path.name}: {warnings[0]}{more}")
        return True

    def _ask_to_fix(self, path: Path, problems: Sequence[str]) -> bool:
        more = len(problems) - PROBLEMS_ASKED
        shown = "\n".join(problems[:PROBLEMS_ASKED]) + (f"\n... and {more} more" if more > 0 else "")
        return self.prompts.ask_yes_no(
            f"{path.name} has values to correct before it can be simulated:\n\n{shown}"
            "\n\nOpen it anyway, with those fields marked, so you can correct them?",
            yes="Open", no="Cancel", default=True)

    def file_base(self, data: dict) -> Scenario | None:
        """A valid scenario to show a file's values over, for a file that does not validate:
        the form's inputs from the scenario on screen (the file's own go over them), all the
        rest (name, notes, unknown keys, budget lines) from the file, so that saving the
        corrected file keeps what is its own rather than the previous scenario's."""
        current = self.state.scenario
        if current is None:
            return None
        ours = scenario_to_dict(current)
        for only_unknown in (False, True):  # budget lines may not fit our horizon: then less
            try:
                return scenario_from_dict(outside_form(ours, data, only_unknown=only_unknown))
            except ScenarioError:
                continue
        return current

    def open_to_fix(self, data: dict, path: Path, stamp: FileStamp | None = None) -> bool:
        """Show a file whose values are out of range in the form, marked, as unsaved work on
        that file: the finance lead corrects it in the app instead of editing JSON by hand."""
        base = self.file_base(data)
        if base is None:
            return False
        self.load(base, path, stamp)
        self.view.show_edit(data)  # marks the fields and says why; nothing runs until it is valid
        self.view.set_clean(False)  # what is on screen is not what the file holds
        self.remember(path)
        return True

    def restore(self, record: Recovered) -> bool:
        """Show recovered work as an unsaved edit of the file it came from.

        The file it was editing (or the last valid scenario kept with it) is opened first,
        then the recovered values go into the form as an edit: the window shows it as
        modified, Undo goes back to the saved file, and Save writes to the original path.
        """
        base, stamp = None, None
        if record.original_path is not None:
            try:
                stamp = FileStamp.of(record.original_path)
                base = load_scenario(record.original_path)
            except ScenarioError:
                base = None  # moved, deleted or unreadable: Save will write it again
        on_disk = base is not None  # a saved version for Undo to go back to
        if base is None and record.last_valid is not None:
            try:
                base = scenario_from_dict(record.last_valid)
            except ScenarioError:
                base = None
        if base is None:
            base = self.file_base(record.scenario)
        if base is None:
            return False
        self.load(base, record.original_path, stamp)
        try:
            self.view.show_edit(record.scenario)
        except Exception as error:  # a damaged record: keep the base and say so
            self.load(base, record.original_path, stamp)
            self.view.show_problems("The recovered changes could not be restored",
                                    [f"recovery: {type(error).__name__}: {error}"])
            return False
        if not on_disk:  # no saved version: the work is unsaved even where it matches the base
            self.view.set_clean(False)
        return True

    # ----- save ------------------------------------------------------------------------------
    def maybe_save(self, retry: Callable[[], Any] | None = None, closing: bool = False) -> bool:
        """True when it is fine to discard the current scenario now.  False while a save is
        being written on the worker thread: then ``retry`` (the action that asked, run again
        from the start) is called once the save has succeeded."""
        if self.job is not None:
            self._after_save(retry, closing)
            return False
        if not self.state.modified:
            return True
        answer = self.prompts.ask_save_discard_cancel("Save the changes to this scenario before closing it?")
        if answer == "save":
            if not self.save():
                return False
            if self.job is not None:  # a large scenario: still being written
                self._after_save(retry, closing)
                return False
            return True
        return answer == "discard"

    def save(self) -> bool:
        """Save to the open file (Save As when there is none).  True when saved, or, for a
        scenario too large to write without freezing the window, being saved (``saving``)."""
        if self.job is not None:  # one save at a time: this one follows it
            self.job.again = True
            self.view.show_status(f"Still saving {self.job.path.name}; your newer changes are "
                                  "saved when it has finished.")
            return True
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        if self.job is not None:
            self.prompts.show_info(f"{self.job.path.name} is still being saved. Please choose "
                                   "Save As again when it has finished.")
            return False
        suggested = str(self.path or Path(self.folder()) / suggested_name(self.state.scenario))
        path = self.prompts.ask_save_path("Save scenario", suggested, FILE_FILTER)
        if path is None:
            return False
        path = absolute(path)
        if path.suffix.lower() != ".json":
            # The dialog asked about replacing the name as typed, not this one: ask here.
            path = path.with_name(path.name + ".json")
            if path.exists() and path != self.path and not self.replace_ok(path):
                return False
        return self.save_to(path)

    def replace_ok(self, path: Path) -> bool:
        return self.prompts.ask_yes_no(f"{path.name} already exists in {path.parent}.\n\nReplace it?",
                                       yes="Yes", no="No", default=False)

    def save_to(self, path: Path, check_disk: bool = True) -> bool:
        """Save the form to ``path``.  When ``path`` is the open file and it changed on disk
        since it was opened or last saved (``check_disk``), ask first.

        A scenario that takes more than a few milliseconds to serialise (big unknown keys) is
        serialised and written on a worker thread (``saving`` until it ends) and True returned
        at once; the window stays usable, and only what was written is marked saved."""
        path = absolute(path)
        if self.job is not None:
            self.prompts.show_info(f"{self.job.path.name} is still being saved. Please try "
                                   "again when it has finished.")
            return False
        scenario, problems = self.view.settled_scenario()
        if scenario is None:
            self.view.show_problems("Please fix these before saving", [p.text for p in problems])
            return False
        known = self.stamp if check_disk and path == self.path else None
        job = SaveJob(path, self.edits)
        write = partial(write_scenario_file, scenario, path, known, save_scenario)
        if is_small_data(scenario_to_dict(scenario)):  # a few milliseconds: at once, as before
            return self._saved(job, write())
        self.job = job
        self.view.show_status(f"Saving {path.name}...")
        self.view.write_in_background(write)
        return True

    def save_finished(self, outcome: SaveOutcome) -> None:
        if self.job is not None:
            self._saved(self.job, outcome)

    def save_errored(self, error: BaseException) -> None:
        """The write raised instead of reporting: the disk (said as a failed save) or a fault
        of the app (said as one, the work kept unsaved)."""
        if self.job is None:
            return
        if isinstance(error, OSError):
            self._saved(self.job, SaveOutcome(self.job.path, error=str(error.strerror or error)))
            return
        self.prompts.show_error(fault_text(f"saving {self.job.path.name}", error))
        self._saved(self.job, SaveOutcome(self.job.path))

    def _saved(self, job: SaveJob, outcome: SaveOutcome) -> bool:
        """A save has ended (here or on the worker thread): mark what was written as saved,
        or say why nothing was; then whatever waited for it."""
        self.job = None
        path = job.path
        retry, closing, job.retry = job.retry, job.closing, None
        if outcome.busy:
            self.prompts.show_error(f"Could not save {path.name} in {path.parent}: {outcome.busy}. "
                                    "Nothing was written; try again in a moment.")
        elif outcome.error:
            self.prompts.show_error(f"Could not save {path.name} in {path.parent}: {outcome.error}."
                                    " The file on disk was not changed.")
        elif outcome.changed:
            done = self._changed_on_disk(path)
            self._then(retry, done, closing)
            return done
        if not outcome.written:
            if retry is not None:
                self.view.show_status(f"{path.name} was not saved, so the window stays as it is.")
            return False
        self.stamp = outcome.stamp
        self.state.update(path=path)
        # Edited, undone or redone while it was written: that work is not on disk.
        self.view.set_clean(self.edits == job.edits)
        self.remember(path)
        self.view.show_status(f"Saved {path.name}")
        if job.again and self.state.modified:
            self.save()
        self._then(retry, True, closing)
        return True

    def _changed_on_disk(self, path: Path) -> bool:
        answer = self.prompts.ask_changed_on_disk(
            f"{path.name} has been changed on disk since you opened or last saved it, "
            "perhaps in another window or by another program.\n\nSave anyway replaces those "
            "changes with what is on screen (the file as it is now is kept as "
            f"{path.name}.bak). Save as keeps both.")
        if answer == "save":
            return self.save_to(path, check_disk=False)
        return self.save_as() if answer == "save_as" else False

    def _then(self, retry: Callable[[], Any] | None, done: bool, closing: bool) -> None:
        if retry is None:
            return
        if self.job is not None:  # another save began (Save anyway): wait for that one
            self._after_save(retry, closing)
        elif done:
            self.view.later(retry)  # after this save's own signal handling

    def _after_save(self, retry: Callable[[], Any] | None, closing: bool = False) -> None:
        """Do ``retry`` once the save being written succeeds; say so meanwhile."""
        assert self.job is not None
        name = self.job.path.name
        if retry is None:
            self.view.show_status(f"Saving {name}; please try again when it has finished.")
            return
        self.job.retry, self.job.closing = retry, closing
        if closing:
            self.view.show_status(f"Waiting for {name} to be saved; the window closes when it is done.")
        else:
            self.view.show_status(f"Saving {name}; carrying on when it is saved.")


# Characters no file name may hold on Windows, macOS or Linux, and runs of spaces.
_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def suggested_name(scenario: Any) -> str:
    """What Save As proposes for work never saved: the scenario's own name ("Example: a small
    charity" -> "Example- a small charity.json"), not "scenario.json" for every file."""
    name = getattr(scenario, "name", "") or ""
    stem = " ".join(_NOT_IN_NAMES.sub("-", name).split()).strip(" .-")[:80].rstrip(" .-")
    return f"{stem or 'scenario'}.json"
