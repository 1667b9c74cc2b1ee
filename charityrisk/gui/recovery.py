"""Crash recovery: unsaved work is kept in a recovery file every few seconds and offered back
at the next start after a crash, a power cut or a killed process.

Each running window has its own recovery file, ``session-<id>.json``, in the recovery folder
(``QStandardPaths.AppDataLocation/recovery``, or a folder given by tests), and holds the lock
file ``session-<id>.lock`` (a QLockFile) while it runs.  A recovery file whose lock nobody holds
belongs to a session that ended without cleaning up: that is what ``offer_restore`` offers.
Two copies of the app running at once therefore keep their own files and never offer (or
delete) each other's work.

The file exists exactly while the window has unsaved changes: it is written (atomically, only
when the work changed) every ``AUTOSAVE_MS`` while the window is modified, removed as soon as
the window is no longer modified (saved, undone back to the saved state, another scenario
opened after Discard), and removed on a clean close (``finish``, called by the window's
closeEvent once the user has saved or discarded).

The parts: ``RecoveryStore`` keeps one session's file and lock and finds the files crashed
sessions left (no window, no timer); ``RecoveryManager`` watches a window that implements the
``Recoverable`` protocol (``is_modified()``, ``current_document()``, ``restore(document)``,
``prompts``) and keeps its ``Document`` in the store.  This module never imports the window.

It holds the form's current dict, valid or not (a half-typed scenario is work too), the last
valid scenario, and the path of the file being edited so that Save after a restore goes to
the right place (an absolute path: a relative one would name another file when the app next
starts in another folder).  A recovery file is never trusted: it is read with the same limits
as a scenario file (JSON only, size, depth, text), and one that cannot be read is set aside as
``*.unreadable`` rather than deleted.

Nothing fails silently (issue 15): work that cannot be kept (a full disk, a scenario too large
for a recovery file) is said in the window's status bar at every failed attempt, and a small
note is left where the work would have been, so the next start says what was not kept; a
recovery file set aside is named at the next start with where it now is.  Leftover work from
several sessions is offered in one list.  A large document is serialised and written on a
worker thread, so the window never freezes for it.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QLockFile, QObject, QStandardPaths, QTimer, Signal

from .. import APP_NAME
from ..model import ScenarioError
from ..model.fileformat import MAX_FILE_BYTES, check_tree, write_text_atomic
from .filesafety import note_names
from .prompts import Prompts

RECOVERY_FORMAT = "charityrisk-recovery"
RECOVERY_VERSION = 1
AUTOSAVE_MS = 3_000  # at most this much typing is lost in a crash
MAX_RECOVERY_BYTES = 3 * MAX_FILE_BYTES  # the scenario twice (current and last valid), and a header
PREFIX = "session-"
# A document with more values or text than this is serialised on a worker thread: the known
# inputs of the largest scenario (50 contracts, 200 budget lines) are well under it.
SMALL_VALUES = 6_000
SMALL_TEXT = 256 * 1024


def default_folder() -> Path:
    """Where recovery files live: the per-user application data folder."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not base:
        base = str(Path.home() / f".{APP_NAME.lower()}")
    return Path(base) / "recovery"


@dataclass(frozen=True)
class Document:
    """The work a window asks to keep: what ``current_document()`` gives and ``restore()`` takes."""

    scenario: dict  # the form's dict: may be invalid (a half-typed scenario is work too)
    last_valid: dict | None  # the window's last valid scenario, as a file dict
    original_path: Path | None  # the scenario file being edited (None: never saved)


@dataclass(frozen=True)
class Recovered(Document):
    """What a recovery file holds, checked."""

    file: Path  # the recovery file itself
    saved_at: str  # ISO time the work was kept
    path_note: str = ""  # said when the original path could not be trusted
    not_kept: str = ""  # a note left in place of work that could not be kept: why

    @property
    def restorable(self) -> bool:
        return not self.not_kept

    @property
    def title(self) -> str:
        if self.original_path:
            return f"“{self.original_path.name}”"
        return f"an untitled scenario{self.path_note}"

    def label(self) -> str:
        """One line for the list of leftover work."""
        where = f" in {self.original_path.parent}" if self.original_path else ""
        return f"{self.title}{where}, kept at {self.saved_at_text()}"

    def saved_at_text(self) -> str:
        try:
            when = _dt.datetime.fromisoformat(self.saved_at).astimezone()
        except (TypeError, ValueError):
            return "an unknown time"
        return when.strftime("%H:%M on %d %B %Y")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_recovery(file: Path) -> Recovered:
    """Read and check a recovery file; every failure is a ScenarioError."""
    try:
        info = os.stat(file)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(["recovery: not a regular file"])
        if info.st_size > MAX_RECOVERY_BYTES:
            raise ScenarioError([f"recovery: {info.st_size:,} bytes is too large"])
        raw = file.read_bytes()[:MAX_RECOVERY_BYTES + 1]
    except OSError as error:
        raise ScenarioError([f"recovery: cannot read {file} ({error.strerror or error})"]) from None
    if len(raw) > MAX_RECOVERY_BYTES:
        raise ScenarioError(["recovery: too large"])
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise ScenarioError(["recovery: nested too deeply"]) from None
    except ValueError as error:  # also UnicodeDecodeError
        raise ScenarioError([f"recovery: not valid JSON ({error})"]) from None
    if not isinstance(data, dict) or data.get("format") != RECOVERY_FORMAT:
        raise ScenarioError(["recovery: not a CharityRisk recovery file"])
    if data.get("version") != RECOVERY_VERSION:
        raise ScenarioError([f"recovery: version {data.get('version')!r:.20} is not one this app reads"])
    scenario = data.get("scenario")
    last_valid = data.get("last_valid")
    original = data.get("original_path")
    saved_at = data.get("saved_at", "")
    not_kept = data.get("not_kept", "")
    if not isinstance(not_kept, str) or len(not_kept) > 1000:
        raise ScenarioError(["recovery.not_kept: must be a short text"])
    if not_kept:
        scenario = {}  # a note in place of work that could not be kept: no scenario
    elif data.get("last_valid_is_scenario") is True:
        last_valid = scenario  # written once when both are the same (the usual case)
    if not isinstance(scenario, dict):
        raise ScenarioError(["recovery.scenario: must be an object"])
    if last_valid is not None and not isinstance(last_valid, dict):
        raise ScenarioError(["recovery.last_valid: must be an object"])
    if original is not None and (not isinstance(original, str) or not original
                                 or len(original) > 4096 or "\0" in original):
        raise ScenarioError(["recovery.original_path: must be a file path"])
    if not isinstance(saved_at, str):
        raise ScenarioError(["recovery.saved_at: must be text"])
    check_tree(scenario)
    if last_valid is not None:
        check_tree(last_valid)
    path, note = (Path(original) if original else None), ""
    if path is not None and not path.is_absolute():
        # Older versions kept the name as typed: relative to a folder we no longer know, it
        # could name another file of the same name.  Restored as untitled; Save asks where.
        note = f" (it was “{path.name}”; Save will ask where to keep it)"
        path = None
    if original:  # its name is shown in the question: escaped like every file name
        note_names(Path(original))
    return Recovered(scenario=scenario, last_valid=last_valid, original_path=path, file=file,
                     saved_at=saved_at, path_note=note, not_kept=not_kept)


class Recoverable(Protocol):
    """What the recovery manager needs of a window (MainWindow implements it)."""

    prompts: Prompts
    recovery: RecoveryManager | None  # set by the manager; the window calls finish() on a clean close

    def is_modified(self) -> bool: ...

    def isWindowModified(self) -> bool: ...

    def installEventFilter(self, obj: QObject) -> None: ...

    def show_status(self, text: str) -> None:
        """Say something about the work's safety in the status bar."""
        ...

    def current_document(self) -> Document: ...

    def restore(self, document: Document) -> bool:
        """Show ``document`` as unsaved work; False (the window unchanged) if it cannot."""
        ...


def restore_question(record: Recovered) -> str:
    return (f"CharityRisk did not close properly last time. Your unsaved changes to {record.title} "
            f"were kept at {record.saved_at_text()}.\n\nRestore them now? If you choose No, "
            "they are deleted.")


def ask_restore(prompts: Prompts, record: Recovered) -> bool:
    return prompts.ask_yes_no(restore_question(record), yes="Yes", no="No", default=True)


def list_question(count: int) -> str:
    return (f"CharityRisk did not close properly last time. Unsaved changes from {count} sessions "
            "were kept (newest first). Choose one to restore now; the others wait for the next "
            "start. Or delete them all.")


def _document_payload(document: Document) -> dict:
    original = os.path.abspath(document.original_path) if document.original_path else None
    same = document.last_valid is document.scenario or (
        document.last_valid is not None and document.last_valid == document.scenario)
    return {
        "format": RECOVERY_FORMAT,
        "version": RECOVERY_VERSION,
        "original_path": original,
        "scenario": document.scenario,
        "last_valid": None if same else document.last_valid,
        "last_valid_is_scenario": same,
    }


def is_small(document: Document) -> bool:
    """Whether serialising ``document`` takes no more than a few milliseconds."""
    return is_small_data(document.scenario, document.last_valid)


def is_small_data(*values: Any) -> bool:
    """Whether serialising ``values`` (JSON-like) takes no more than a few milliseconds: counts
    values and text, stopping as soon as the count passes the bound (so it is quick itself).
    Autosave and Save both decide with it whether to serialise on the GUI thread."""
    budget = [SMALL_VALUES, SMALL_TEXT]
    stack: list[Any] = list(values)
    while stack:
        value = stack.pop()
        budget[0] -= 1
        if isinstance(value, dict):
            stack.extend(value.values())
            budget[1] -= sum(len(k) for k in value if isinstance(k, str))
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, str):
            budget[1] -= len(value)
        if budget[0] < 0 or budget[1] < 0:
            return False
    return True


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


class RecoveryStore:
    """One session's recovery file and lock in ``folder``, and the files crashed sessions left.

    No window and no timer: ``save`` / ``discard`` keep or drop this session's work, ``orphans``
    and ``load`` find and read what others left, ``release`` lets go of the lock.
    """

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.last_error: str | None = None
        self._last_payload: str | None = None
        self.session = f"{os.getpid()}-{os.urandom(4).hex()}"
        self.path = self.folder / f"{PREFIX}{self.session}.json"
        self.lock = QLockFile(str(self.folder / f"{PREFIX}{self.session}.lock"))
        self.lock.setStaleLockTime(0)  # held for the whole session: stale only if we died
        self.enabled = True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._disable(f"cannot create {self.folder}: {error.strerror or error}")
        if self.enabled and not self.lock.tryLock(0):
            self._disable(f"cannot lock {self.lock.fileName()}")

    def _disable(self, reason: str) -> None:
        # The app still works without recovery; say why once, on standard error.
        self.enabled = False
        self.last_error = reason
        print(f"{APP_NAME}: unsaved work will not be kept for recovery ({reason})", file=sys.stderr)

    def save(self, document: Document) -> bool:
        """Keep ``document`` in this session's file (atomically, only if it changed); True if
        written.  On failure ``last_error`` says why (the caller tells the user)."""
        done = self.write(self.serialise(document))
        return self.finish_write(done)

    def serialise(self, document: Document) -> tuple[str, str | None, str]:
        """(payload to compare, text to write or None, error): no state changes, so a worker
        thread may run it."""
        if not self.enabled:
            return "", None, ""
        record = _document_payload(document)
        try:
            payload = json.dumps(record, ensure_ascii=False, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as error:  # nothing the form makes; never crash a timer
            return "", None, f"cannot keep the work: {error}"
        if payload == self._last_payload and self.path.exists():
            return payload, None, ""  # nothing new since the last write: spare the disk
        record["saved_at"] = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        # Compact: indenting made a 4 MB scenario with long lists a 38 MB recovery file.
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        size = len(text.encode("utf-8"))
        if size > MAX_RECOVERY_BYTES:
            note = (f"the scenario was too large to keep for recovery ({_megabytes(size)}, "
                    f"at most {_megabytes(MAX_RECOVERY_BYTES)})")
            return payload, self._note(document, note), note
        return payload, text, ""

    def _note(self, document: Document, why: str) -> str:
        """A small record in place of work that cannot be kept, so the next start can say so."""
        return json.dumps({
            "format": RECOVERY_FORMAT, "version": RECOVERY_VERSION, "not_kept": why,
            "original_path": os.path.abspath(document.original_path) if document.original_path else None,
            "saved_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }, ensure_ascii=False) + "\n"

    def write(self, prepared: tuple[str, str | None, str]) -> tuple[str, bool, str]:
        """Write what ``serialise`` made: (payload, written, error).  Thread-safe."""
        payload, text, error = prepared
        if text is None:
            return payload, False, error
        try:
            write_text_atomic(self.path, text)
        except (OSError, ValueError) as failure:  # a full disk must not stop the work; retry later
            return payload, False, (f"cannot write {self.path}: "
                                    f"{getattr(failure, 'strerror', None) or failure}")
        return payload, not error, error

    def finish_write(self, done: tuple[str, bool, str]) -> bool:
        """Take the outcome of ``write`` (on the thread that owns the store)."""
        payload, written, error = done
        self.last_error = error or None
        if written:
            self._last_payload = payload
        elif error:
            self._last_payload = None  # try again at the next tick
        return written

    def discard(self) -> None:
        """Remove this session's recovery file (the work is saved or discarded)."""
        self._last_payload = None
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            self.last_error = f"cannot remove {self.path}: {error.strerror or error}"

    def release(self) -> None:
        """Let go of the lock: a recovery file still there is offered at the next start."""
        if self.lock.isLocked():
            self.lock.unlock()

    @staticmethod
    def load(file: Path) -> Recovered:
        return read_recovery(file)

    def orphans(self) -> list[tuple[Path, QLockFile]]:
        """Recovery files of sessions that ended without cleaning up, newest first, each with
        its lock now held by us (so that two starting copies never offer the same work)."""
        if not self.enabled:
            return []
        found = []
        try:
            candidates = list(self.folder.glob(f"{PREFIX}*.json"))
            locks = list(self.folder.glob(f"{PREFIX}*.lock"))
        except OSError:
            return []
        for file in candidates:
            if file == self.path:
                continue
            lock = QLockFile(str(file.with_suffix(".lock")))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):  # nobody holds it: its session is over
                try:
                    mtime = file.stat().st_mtime
                except OSError:
                    lock.unlock()
                    continue
                found.append((mtime, file, lock))
        for lock_file in locks:  # tidy the locks of sessions that ended with nothing unsaved
            if lock_file.with_suffix(".json").exists() or lock_file == Path(self.lock.fileName()):
                continue
            lock = QLockFile(str(lock_file))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):
                lock.unlock()
        found.sort(key=lambda item: item[0], reverse=True)
        return [(file, lock) for _, file, lock in found]


class RecoveryManager(QObject):
    """Keeps one window's unsaved work in a RecoveryStore; see the module docstring."""

    _written = Signal(object, int)  # a worker thread's (payload, written, error), its generation

    def __init__(self, window: Recoverable, folder: str | os.PathLike | None = None,
                 interval_ms: int = AUTOSAVE_MS,
                 ask: Callable[[Recoverable, Recovered], bool] | None = None):
        super().__init__(window)  # type: ignore[arg-type]  # the window is a QObject
        self.window = window
        # The filter is handed the QObject it was installed on; Recoverable does not say so.
        self._watched: QObject | None = window if isinstance(window, QObject) else None
        self.store = RecoveryStore(folder)
        self._ask = ask
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.autosave)
        self._worker: threading.Thread | None = None
        self._generation = 0  # bumped when the file is removed: a late worker's write is undone
        self._failing = False
        self._written.connect(self._on_written)
        window.installEventFilter(self)
        if self.store.enabled:
            self._timer.start()
        else:  # not only on standard error, which a double-clicked app has nowhere to show
            self._say(f"Unsaved changes will not be kept for recovery ({self.store.last_error}). "
                      "Save your work often.")
        window.recovery = self  # the window's closeEvent calls finish() once work is saved or discarded

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def enabled(self) -> bool:
        return self.store.enabled

    @property
    def last_error(self) -> str | None:
        return self.store.last_error

    # ----- keeping the work ----------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (obj is self._watched and event.type() == QEvent.Type.ModifiedChange
                and not self.window.isWindowModified()):
            self.clear()  # saved, undone to the saved state, or replaced after Discard
        return False

    def autosave(self, force: bool = False) -> bool:
        """Keep the window's unsaved work (or, with ``force``, its work anyway); True if written
        now.  A large document goes to a worker thread (False here; ``busy()`` until written)."""
        if not self.store.enabled:
            return False
        if not force and not self.window.is_modified():
            self.clear()
            return False
        if self.busy():
            return False  # the next tick takes the newer work
        document = self.window.current_document()
        if is_small(document):
            return self._report(self.store.save(document))
        generation = self._generation
        store = self.store

        def run() -> None:
            done = store.write(store.serialise(document))
            self._written.emit(done, generation)

        self._worker = threading.Thread(target=run, name="recovery-autosave", daemon=True)
        self._worker.start()
        return False

    def busy(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def wait(self, timeout: float = 30.0) -> None:
        """Let a write in progress on the worker thread finish (tests, and before exit)."""
        if self._worker is not None:
            self._worker.join(timeout)

    def _on_written(self, done: tuple, generation: int) -> None:
        if generation != self._generation:  # saved or discarded meanwhile: nothing to keep
            self.store.discard()
            return
        self._report(self.store.finish_write(done))

    def _report(self, written: bool) -> bool:
        """Tell the user, at every failure, that the work is not being kept, and once when
        it is kept again."""
        error = self.store.last_error
        if error:
            self._failing = True
            self._say(f"Unsaved changes could not be kept for recovery: {error}. "
                      "Save your work to keep it.")
        elif written and self._failing:
            self._failing = False
            self._say("Unsaved changes are being kept for recovery again.")
        return written

    def _say(self, text: str) -> None:
        show = getattr(self.window, "show_status", None)
        if callable(show):
            show(text)
        else:  # a window without a status bar: standard error rather than nothing
            print(f"{APP_NAME}: {text}", file=sys.stderr)

    def clear(self) -> None:
        self._generation += 1
        self.store.discard()
        if self._failing:
            self._failing = False

    def finish(self) -> None:
        """A clean close: the work was saved or discarded, so nothing is left to recover."""
        self._timer.stop()
        self.wait()
        self.clear()
        self.store.release()

    def release(self) -> None:
        """Stop keeping work and let go of the lock; a recovery file still there (unsaved work
        when the app ends without a clean close) is offered at the next start."""
        self._timer.stop()
        self.wait()
        self.store.release()

    # ----- offering it back ----------------------------------------------------------------
    def orphans(self) -> list[tuple[Path, QLockFile]]:
        return self.store.orphans()

    def offer_restore(self) -> bool:
        """Offer the unsaved work left by crashed sessions; True if some was restored.

        One leftover: a Yes/No question (No deletes it).  Several: one list, newest first;
        the chosen one is restored and the others wait for the next start, or all are
        deleted.  Recovery files that cannot be read are set aside and named, and notes of
        work that could not be kept are said, in one message, so nothing goes silently.
        """
        orphans = self.orphans()
        restored = False
        unreadable: list[str] = []
        not_kept: list[str] = []
        records: list[Recovered] = []
        try:
            for file, _ in orphans:
                try:
                    record = self.store.load(file)
                except ScenarioError as error:
                    aside = _set_aside(file)
                    unreadable.append(f"{file.name}: {_first(error)}; kept as {aside}")
                    continue
                if record.restorable:
                    records.append(record)
                else:
                    not_kept.append(f"Your unsaved changes to {record.title} were not kept "
                                    f"({record.not_kept}); the file as last saved is unchanged.")
                    _remove(file)
            self._tell(unreadable, not_kept)
            if len(records) == 1:
                record = records[0]
                if self._asks(record):
                    restored = self._restore_or_set_aside(record)
                else:
                    _remove(record.file)
            elif records:
                restored = self._offer_list(records)
        finally:
            for _, lock in orphans:
                lock.unlock()
        return restored

    def _offer_list(self, records: list[Recovered]) -> bool:
        choice, index = self.window.prompts.ask_recovery_choice(
            list_question(len(records)), [r.label() for r in records])
        if choice == "delete":
            for record in records:
                _remove(record.file)
        elif choice == "restore" and 0 <= index < len(records):
            return self._restore_or_set_aside(records[index])
        return False

    def _restore_or_set_aside(self, record: Recovered) -> bool:
        if self.restore(record):
            _remove(record.file)
            return True
        aside = _set_aside(record.file)
        self._tell([f"{record.file.name}: could not be restored; kept as {aside}"], [])
        return False

    def _tell(self, unreadable: list[str], not_kept: list[str]) -> None:
        if not (unreadable or not_kept):
            return
        lines = list(not_kept)
        if unreadable:
            lines += [f"A recovery file could not be read and was set aside, not deleted: {u}"
                      for u in unreadable]
            lines.append(f"(in {self.store.folder})")
        self.window.prompts.show_problems("Some unsaved work from last time could not be restored", lines)

    def _asks(self, record: Recovered) -> bool:
        if self._ask is not None:
            return self._ask(self.window, record)
        return ask_restore(self.window.prompts, record)

    def restore(self, record: Document) -> bool:
        """Give recovered work to the window, then keep it in this session's recovery file."""
        if not self.window.restore(record):
            return False
        self.autosave(force=True)
        return True


def _first(error: ScenarioError) -> str:
    return str(error.problems[0]) if error.problems else "unreadable"


def _remove(file: Path) -> None:
    try:
        file.unlink()
    except OSError:
        pass


def _set_aside(file: Path) -> str:
    """Keep an unreadable or unrestorable recovery file for a human, out of the way; its new name."""
    aside = file.with_suffix(".unreadable")
    try:
        os.replace(file, aside)
    except OSError as error:
        return f"{file.name} (could not be moved: {error.strerror or error})"
    return aside.name
