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
the right place.  A recovery file is never trusted: it is read with the same limits as a
scenario file (JSON only, size, depth, text), and one that cannot be read is set aside as
``*.unreadable`` rather than deleted.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from PySide6.QtCore import QEvent, QLockFile, QObject, QStandardPaths, QTimer

from .. import APP_NAME
from ..model import ScenarioError
from ..model.fileformat import MAX_FILE_BYTES, check_tree, write_text_atomic
from .prompts import Prompts

RECOVERY_FORMAT = "charityrisk-recovery"
RECOVERY_VERSION = 1
AUTOSAVE_MS = 3_000  # at most this much typing is lost in a crash
MAX_RECOVERY_BYTES = 3 * MAX_FILE_BYTES  # the scenario twice (current and last valid), and a header
PREFIX = "session-"


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

    @property
    def title(self) -> str:
        return f"“{self.original_path.name}”" if self.original_path else "an untitled scenario"

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
    return Recovered(scenario=scenario, last_valid=last_valid,
                     original_path=Path(original) if original else None, file=file, saved_at=saved_at)


class Recoverable(Protocol):
    """What the recovery manager needs of a window (MainWindow implements it)."""

    prompts: Prompts
    recovery: "RecoveryManager | None"  # set by the manager; the window calls finish() on a clean close

    def is_modified(self) -> bool: ...

    def isWindowModified(self) -> bool: ...  # noqa: N802 (Qt name)

    def installEventFilter(self, obj: QObject) -> None: ...  # noqa: N802 (Qt name)

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


def _document_payload(document: Document) -> dict:
    return {
        "format": RECOVERY_FORMAT,
        "version": RECOVERY_VERSION,
        "original_path": str(document.original_path) if document.original_path else None,
        "scenario": document.scenario,
        "last_valid": document.last_valid,
    }


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
        """Keep ``document`` in this session's file (atomically, only if it changed); True if written."""
        if not self.enabled:
            return False
        record = _document_payload(document)
        try:
            payload = json.dumps(record, ensure_ascii=False, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as error:  # nothing the form makes; never crash a timer
            self.last_error = f"cannot keep the work: {error}"
            return False
        if payload == self._last_payload and self.path.exists():
            return False  # nothing new since the last write: spare the disk
        record["saved_at"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        try:
            write_text_atomic(self.path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
        except (OSError, ValueError) as error:  # a full disk must not stop the work; retry later
            self.last_error = f"cannot write {self.path}: {getattr(error, 'strerror', None) or error}"
            return False
        self._last_payload = payload
        self.last_error = None
        return True

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

    def __init__(self, window: Recoverable, folder: str | os.PathLike | None = None,
                 interval_ms: int = AUTOSAVE_MS,
                 ask: Callable[[Recoverable, Recovered], bool] | None = None):
        super().__init__(window)  # type: ignore[arg-type]  # the window is a QObject
        self.window = window
        self.store = RecoveryStore(folder)
        self._ask = ask
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.autosave)
        window.installEventFilter(self)
        if self.store.enabled:
            self._timer.start()
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
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if obj is self.window and event.type() == QEvent.Type.ModifiedChange:
            if not self.window.isWindowModified():
                self.clear()  # saved, undone to the saved state, or replaced after Discard
        return False

    def autosave(self, force: bool = False) -> bool:
        """Write the recovery file if the window has unsaved changes (or ``force``); True if written."""
        if not self.store.enabled:
            return False
        if not force and not self.window.is_modified():
            self.clear()
            return False
        return self.store.save(self.window.current_document())

    def clear(self) -> None:
        self.store.discard()

    def finish(self) -> None:
        """A clean close: the work was saved or discarded, so nothing is left to recover."""
        self._timer.stop()
        self.store.discard()
        self.store.release()

    def release(self) -> None:
        """Stop keeping work and let go of the lock; a recovery file still there (unsaved work
        when the app ends without a clean close) is offered at the next start."""
        self._timer.stop()
        self.store.release()

    # ----- offering it back ----------------------------------------------------------------
    def orphans(self) -> list[tuple[Path, QLockFile]]:
        return self.store.orphans()

    def offer_restore(self) -> bool:
        """Offer the newest unsaved work left by a crashed session; True if it was restored.

        Declined work is deleted and the next older one offered; after a restore, any older
        ones wait for the next start.
        """
        orphans = self.orphans()
        restored = False
        try:
            while orphans:
                file, lock = orphans.pop(0)
                try:
                    try:
                        record = self.store.load(file)
                    except ScenarioError:
                        _set_aside(file)
                        continue
                    if self._asks(record):
                        restored = self.restore(record)
                        if restored:
                            _remove(file)
                            break
                        _set_aside(file)
                    else:
                        _remove(file)
                finally:
                    lock.unlock()
        finally:
            for _, lock in orphans:
                lock.unlock()
        return restored

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


def _remove(file: Path) -> None:
    try:
        file.unlink()
    except OSError:
        pass


def _set_aside(file: Path) -> None:
    """Keep an unreadable or unrestorable recovery file for a human, out of the way."""
    try:
        os.replace(file, file.with_suffix(".unreadable"))
    except OSError:
        pass
