"""Saving over a file that someone else changed: what the window knows of a file on disk, and
one lock that makes the saves of every window and copy of the app take turns.

``FileStamp`` is what the file looked like when it was opened or last saved (modification
time, size and a hash of its bytes).  Before Save writes over the file the window compares it
with the file now on disk: another window, another copy of the app or a sync client may have
written it since, and the last save must not win silently.  A different size is a change; at the
same size the hash decides, whatever the times say (a file merely touched, or copied back
unchanged by a sync client, is not a change; a same-size rewrite within a FAT file system's
two-second clock is).

``save_lock`` is a ``QLockFile`` beside the file (``.NAME.lock``, gone after the save).  Two
saves of one file at once could otherwise interleave so that the older write lands last and
the ``.bak`` holds a newer version than the file itself.

``write_scenario_file`` is one save from start to end (the lock, the check, the atomic write
with its ``.bak``, the new stamp) with its outcome as a value: it touches no widget, so the
window runs it on a worker thread when serialising the scenario would freeze it.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile

from ..model import Scenario
from ..model.fileformat import MAX_FILE_BYTES, save_scenario
from ..textsafety import escaped, has_hidden

SAVE_LOCK_WAIT_MS = 3_000  # a save takes well under a second; longer means a stuck writer
SAVE_LOCK_STALE_MS = 30_000  # a lock this old was left by a save that was killed


def absolute(path: str | os.PathLike) -> Path:
    """The path with its folder, symbolic links kept (saving through a link writes its target
    and keeps the link): a relative name means the folder the app started in, which is not
    where the next start, or a recovery file read from elsewhere, would look.

    Every file the window opens, saves or exports passes here, so a name holding a newline
    or another hidden character is noted for ``shown`` to escape in messages."""
    full = Path(os.path.abspath(os.fspath(path)))
    _note_hidden(full)
    return full


# Names (whole paths, file names, folders) holding hidden characters that messages may quote,
# and how to show them; a few at most, since real names rarely hold them.
_HIDDEN_NAMES: dict[str, str] = {}
_MAX_HIDDEN_NAMES = 200


def note_names(path: Path) -> None:
    """Note a path that did not pass ``absolute`` (one read from a recovery file), so that
    messages naming it escape its hidden characters too."""
    _note_hidden(path)


def _note_hidden(path: Path) -> None:
    for text in (str(path), path.name, str(path.parent)):
        if text not in _HIDDEN_NAMES and has_hidden(text):
            if len(_HIDDEN_NAMES) >= _MAX_HIDDEN_NAMES:
                _HIDDEN_NAMES.pop(next(iter(_HIDDEN_NAMES)))
            _HIDDEN_NAMES[text] = escaped(text)


def shown(text: str, one_line: bool = False) -> str:
    """A message as the window shows it: the names of files in it (noted by ``absolute``)
    with their hidden characters escaped, then every other hidden character but the line
    breaks the message itself is laid out with (none with ``one_line``)."""
    for raw in sorted((n for n in _HIDDEN_NAMES if n in text), key=len, reverse=True):
        text = text.replace(raw, _HIDDEN_NAMES[raw])
    return escaped(text, keep="" if one_line else "\n")


@dataclass(frozen=True)
class FileStamp:
    mtime_ns: int
    size: int
    digest: str

    @classmethod
    def of(cls, path: Path) -> FileStamp | None:
        """The file as it is now; None when it is missing, not a regular file or unreadable."""
        try:
            info = os.stat(path)
            if not os.path.isfile(path) or info.st_size > MAX_FILE_BYTES:
                return None
            with open(path, "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
        return cls(info.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def changed_on_disk(path: Path, known: FileStamp | None) -> bool:
    """Whether the file at ``path`` holds something other than ``known`` (the window's last
    view of it).  A file that is gone, or was never seen, is not a change to ask about: saving
    writes it again."""
    if known is None:
        return False
    try:
        info = os.stat(path)
    except OSError:
        return False
    if info.st_size != known.size:
        return True
    # Same size: the bytes decide, whatever the time says (FAT keeps times to 2 seconds, and
    # a sync client may copy the file back unchanged with a new time).
    now = FileStamp.of(path)
    return now is not None and now.digest != known.digest


class SaveLockBusy(OSError):
    """Another window or copy of the app is saving this file right now."""


@contextmanager
def save_lock(path: Path, wait_ms: int | None = None) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside ``path`` while saving.  Where no lock file can be made (a
    read-only folder) the save goes ahead unlocked and fails or succeeds on its own; where
    another save holds it past ``wait_ms``, SaveLockBusy."""
    lock = QLockFile(str(path.with_name(f".{path.name}.lock")))
    lock.setStaleLockTime(SAVE_LOCK_STALE_MS)
    if lock.tryLock(SAVE_LOCK_WAIT_MS if wait_ms is None else wait_ms):
        try:
            yield
        finally:
            lock.unlock()
        return
    if lock.error() == QLockFile.LockError.LockFailedError:
        raise SaveLockBusy(0, "another window or copy of CharityRisk is saving it right now", str(path))
    yield


@dataclass(frozen=True)
class SaveOutcome:
    """How one save ended: written (``stamp``, the file as now on disk), or not, and why."""

    path: Path
    written: bool = False
    stamp: FileStamp | None = None
    changed: bool = False  # changed on disk since the window last saw it: nothing written, ask
    busy: str = ""  # another save holds the lock: nothing written
    error: str = ""  # the write failed (the file on disk is unchanged): why


def write_scenario_file(scenario: Scenario, path: Path, known: FileStamp | None,
                        write: Callable[..., None] = save_scenario) -> SaveOutcome:
    """Save ``scenario`` to ``path`` unless the file holds something other than ``known`` (None:
    do not check).  Runs on any thread: it only reads the immutable scenario and the disk."""
    try:
        with save_lock(path):  # the check and the write together, one save at a time
            if changed_on_disk(path, known):
                return SaveOutcome(path, changed=True)
            write(scenario, path)
            return SaveOutcome(path, written=True, stamp=FileStamp.of(path))
    except SaveLockBusy as error:
        return SaveOutcome(path, busy=str(error.strerror))
    except OSError as error:
        return SaveOutcome(path, error=str(error.strerror or error))
