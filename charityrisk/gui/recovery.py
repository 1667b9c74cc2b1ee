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
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QEvent, QLockFile, QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox

from .. import APP_NAME
from ..model import Scenario, ScenarioError, load_scenario, scenario_from_dict, scenario_to_dict
from ..model.fileformat import MAX_FILE_BYTES, check_tree, write_text_atomic
from ..model.scenario import MAX_CONTRACTS

if TYPE_CHECKING:  # pragma: no cover
    from .window import MainWindow

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
class Recovered:
    """What a recovery file holds, checked."""

    file: Path  # the recovery file itself
    scenario: dict  # the form's dict when last kept: may be invalid
    last_valid: dict | None  # the window's last valid scenario then, as a file dict
    original_path: Path | None  # the scenario file being edited (None: never saved)
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
    return Recovered(file, scenario, last_valid, Path(original) if original else None, saved_at)


def ask_restore(parent, record: Recovered) -> bool:
    """Ask whether to restore; tests patch this (or QMessageBox.question)."""
    answer = QMessageBox.question(
        parent, APP_NAME,
        f"CharityRisk did not close properly last time. Your unsaved changes to {record.title} "
        f"were kept at {record.saved_at_text()}.\n\nRestore them now? If you choose No, "
        "they are deleted.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes)
    return answer == QMessageBox.StandardButton.Yes


def _get(d: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def fill_form_unchecked(form, data: dict) -> None:
    """Put a scenario dict that does not validate into the form's fields as it stands.

    ScenarioForm.set_scenario takes only valid scenarios; a half-typed scenario needs its
    fields set one by one.  Uses the form's field table (``_fields``) and contract list, the
    same way set_scenario does; the values came from the form's own ``to_dict``.
    """
    from .fields import SeedField

    form._loading += 1
    try:
        for key, field in form._fields.items():
            if key.startswith("contract."):
                continue
            value = _get(data, key)
            if value is None:
                continue
            if isinstance(field, SeedField):
                field.edit.setText(str(value) if isinstance(value, (int, str)) else "")
            else:
                field.set_value(value)
        contracts = data.get("contracts")
        contracts = [dict(c) for c in contracts if isinstance(c, dict)] if isinstance(contracts, list) else []
        form._contracts = contracts[:MAX_CONTRACTS]
        form._current = -1  # nothing in the editor to store back
        form._rebuild_chooser(0 if form._contracts else -1)
    finally:
        form._loading -= 1


class RecoveryManager(QObject):
    """Keeps one window's unsaved work in a recovery file; see the module docstring."""

    def __init__(self, window: "MainWindow", folder: str | os.PathLike | None = None,
                 interval_ms: int = AUTOSAVE_MS,
                 ask: Callable[[Any, Recovered], bool] | None = None):
        super().__init__(window)
        self.window = window
        self.folder = Path(folder) if folder is not None else default_folder()
        self._ask = ask
        self.last_error: str | None = None
        self._last_payload: str | None = None
        self.session = f"{os.getpid()}-{os.urandom(4).hex()}"
        self.path = self.folder / f"{PREFIX}{self.session}.json"
        self._lock = QLockFile(str(self.folder / f"{PREFIX}{self.session}.lock"))
        self._lock.setStaleLockTime(0)  # held for the whole session: stale only if we died
        self.enabled = True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._disable(f"cannot create {self.folder}: {error.strerror or error}")
        if self.enabled and not self._lock.tryLock(0):
            self._disable(f"cannot lock {self._lock.fileName()}")
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.autosave)
        window.installEventFilter(self)
        if self.enabled:
            self._timer.start()
        window.recovery = self  # the window's closeEvent calls finish() once work is saved or discarded

    def _disable(self, reason: str) -> None:
        # The app still works without recovery; say why once, on standard error.
        self.enabled = False
        self.last_error = reason
        print(f"{APP_NAME}: unsaved work will not be kept for recovery ({reason})", file=sys.stderr)

    # ----- keeping the work ----------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if obj is self.window and event.type() == QEvent.Type.ModifiedChange:
            if not self.window.isWindowModified():
                self.clear()  # saved, undone to the saved state, or replaced after Discard
        return False

    def record(self) -> dict:
        """What the recovery file holds for the window as it is now."""
        w = self.window
        last_valid = scenario_to_dict(w.scenario) if isinstance(w.scenario, Scenario) else None
        return {
            "format": RECOVERY_FORMAT,
            "version": RECOVERY_VERSION,
            "saved_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "original_path": str(w.path) if w.path else None,
            "scenario": w.form.to_dict(),
            "last_valid": last_valid,
        }

    def autosave(self, force: bool = False) -> bool:
        """Write the recovery file if the window has unsaved changes (or ``force``); True if written."""
        if not self.enabled:
            return False
        if not force and not self.window.is_modified():
            self.clear()
            return False
        record = self.record()
        try:
            payload = json.dumps({k: v for k, v in record.items() if k != "saved_at"},
                                 ensure_ascii=False, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as error:  # nothing the form makes; never crash a timer
            self.last_error = f"cannot keep the work: {error}"
            return False
        if payload == self._last_payload and self.path.exists():
            return False  # nothing new since the last write: spare the disk
        try:
            write_text_atomic(self.path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
        except (OSError, ValueError) as error:  # a full disk must not stop the work; retry later
            self.last_error = f"cannot write {self.path}: {getattr(error, 'strerror', None) or error}"
            return False
        self._last_payload = payload
        self.last_error = None
        return True

    def clear(self) -> None:
        """Remove this session's recovery file (the work is saved or discarded)."""
        self._last_payload = None
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            self.last_error = f"cannot remove {self.path}: {error.strerror or error}"

    def finish(self) -> None:
        """A clean close: the work was saved or discarded, so nothing is left to recover."""
        self._timer.stop()
        self.clear()
        self.release()

    def release(self) -> None:
        """Stop keeping work and let go of the lock; a recovery file still there (unsaved work
        when the app ends without a clean close) is offered at the next start."""
        self._timer.stop()
        if self._lock.isLocked():
            self._lock.unlock()

    # ----- offering it back ----------------------------------------------------------------
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
            if lock_file.with_suffix(".json").exists() or lock_file == Path(self._lock.fileName()):
                continue
            lock = QLockFile(str(lock_file))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):
                lock.unlock()
        found.sort(key=lambda item: item[0], reverse=True)
        return [(file, lock) for _, file, lock in found]

    def offer_restore(self) -> bool:
        """Offer the newest unsaved work left by a crashed session; True if it was restored.

        Declined work is deleted and the next older one offered; after a restore, any older
        ones wait for the next start.
        """
        ask = self._ask or ask_restore
        orphans = self.orphans()
        restored = False
        try:
            while orphans:
                file, lock = orphans.pop(0)
                try:
                    try:
                        record = read_recovery(file)
                    except ScenarioError:
                        _set_aside(file)
                        continue
                    if ask(self.window, record):
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

    def restore(self, record: Recovered) -> bool:
        """Show recovered work in the window as an unsaved edit of the file it came from.

        The file it was editing (or the last valid scenario kept with it) is opened first,
        then the recovered values go into the form as an edit: the window shows it as
        modified, Undo goes back to the saved file, and Save writes to the original path.
        The recovered work is kept in this session's recovery file before returning.
        """
        w = self.window
        base = None
        on_disk = False  # is there a saved version for Undo to go back to?
        if record.original_path is not None:
            try:
                base = load_scenario(record.original_path)
                on_disk = True
            except ScenarioError:
                base = None  # moved, deleted or unreadable: Save will write it again
        if base is None and record.last_valid is not None:
            try:
                base = scenario_from_dict(record.last_valid)
            except ScenarioError:
                base = None
        if base is None:
            base = w.scenario
        if base is None:
            return False
        w.load(base, record.original_path)
        try:
            try:
                w.form.set_scenario(scenario_from_dict(record.scenario))
            except ScenarioError:
                fill_form_unchecked(w.form, record.scenario)
        except Exception as error:  # a damaged record: keep the base, say so, set the file aside
            w.load(base, record.original_path)
            w.show_problems("The recovered changes could not be restored",
                            [f"recovery: {type(error).__name__}: {error}"])
            return False
        w.form.edited.emit()  # the window takes it as the user's edit (results marked stale)
        settle = getattr(w, "_settle_edit", None)
        if settle is not None:  # settle it now rather than after the typing debounce
            w._debounce.stop()
            settle()
        if not on_disk:  # no saved version: the work is unsaved even where it matches the base
            w.undo_stack.resetClean()
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
