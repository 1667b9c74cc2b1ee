"""After an abort, something to send: a short crash report in the app's own folder.

``CrashReporter.install(folder)`` runs before Qt starts.  It opens ``crash-<session>.txt`` in
``folder`` (the recovery folder, the app's own) with a header of versions only, holds
``crash-<session>.lock`` while the session runs, and points Python's ``faulthandler`` at the
report, so a signal (a segmentation fault, Qt's abort) appends the stack of every thread.
Python's own fatal errors ("Fatal Python error: none_dealloc") are written by the
interpreter to the standard error descriptor, not through faulthandler: with
``capture_stderr`` (the app) descriptor 2 is the report too, while Python's ``sys.stderr``
(and Qt's messages, which the app passes to it) still go to the terminal.  An exception
nobody caught (``sys.excepthook``, ``threading.excepthook``) is written there too: its type
and traceback, file, line and code only.  Neither holds scenario data: no
values, names, file paths of scenarios or exception messages (a message may quote a contract
name); the report is meant to be sent.

A clean exit (``close``) removes the report unless an exception was recorded: whatever a
library wrote to descriptor 2 meanwhile was no crash.  A report whose session is gone
(its lock free) and that holds more than its header is a crash.  ``pending_reports`` finds
those left by earlier sessions and ``offer_reports`` asks the user, at the next start beside
the recovered work, whether to see one; a report offered is renamed ``*.seen.txt`` so it is
offered once, and only the newest few are kept.
"""
from __future__ import annotations

import datetime as _dt
import faulthandler
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

from .. import APP_NAME, __version__

PREFIX = "crash-"
SUFFIX = ".txt"
SEEN = ".seen"
HEADER_END = "--- what happened ---\n"
KEEP_SEEN = 5  # reports already offered that stay for the user to send
MAX_REPORT_BYTES = 256 * 1024  # a report is short; more is never read back in full


def _header() -> str:
    try:
        from PySide6 import __version__ as pyside
    except ImportError:  # pragma: no cover - the app cannot run without it
        pyside = "?"
    when = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    return (f"{APP_NAME} {__version__} crash report\n"
            f"started: {when}\n"
            f"python: {platform.python_version()} ({platform.python_implementation()})\n"
            f"pyside6: {pyside}\n"
            f"system: {platform.system()} {platform.release()} {platform.machine()}\n"
            "It holds where the program was, never your scenario's values or names.\n"
            + HEADER_END)


def traceback_text(kind: type[BaseException], value: BaseException | None,
                   tb: TracebackType | None, thread: str = "") -> str:
    """The traceback without the exception's message (which may quote scenario data)."""
    frames = traceback.extract_tb(tb)
    lines = [f"Unexpected exception{f' in thread {thread}' if thread else ''}: "
             f"{kind.__module__}.{kind.__qualname__}\n", "Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    cause = value.__cause__ or value.__context__ if value is not None else None
    if cause is not None and cause.__traceback__ is not None:
        lines.append(f"while handling {type(cause).__module__}.{type(cause).__qualname__}:\n")
        lines += traceback.format_list(traceback.extract_tb(cause.__traceback__))
    return "".join(lines)


class CrashReporter:
    """This session's crash report file, faulthandler and exception hooks."""

    def __init__(self, folder: Path, file: IO[str], path: Path):
        self.folder = folder
        self.path = path
        self._file = file
        self._saved_fd: int | None = None  # the real standard error while descriptor 2 is the report
        self._saved_stderr: Any = None
        self._lock_file: Any = None
        self._lock = threading.Lock()
        self._previous_hook: Callable[..., Any] = sys.excepthook
        self._previous_thread_hook: Callable[..., Any] = threading.excepthook
        self._faulthandler_was_on = faulthandler.is_enabled()  # e.g. pytest's, on standard error
        self.exceptions = 0

    @classmethod
    def install(cls, folder: str | os.PathLike, capture_stderr: bool = False) -> CrashReporter | None:
        """Start reporting into ``folder``; None (and nothing changed) if it cannot be written."""
        from PySide6.QtCore import QLockFile

        folder = Path(folder)
        session = f"{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        path = folder / f"{PREFIX}{session}{SUFFIX}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Appending: faulthandler and descriptor 2 share the file's offset with us.
            file = open(path, "a", encoding="utf-8")  # noqa: SIM115  (open for the whole session)
            file.write(_header())
            file.flush()
        except OSError:
            return None
        reporter = cls(folder, file, path)
        lock = QLockFile(str(path.with_suffix(".lock")))
        lock.setStaleLockTime(0)  # held for the whole session: stale only if it died
        if lock.tryLock(0):
            reporter._lock_file = lock
        if capture_stderr:
            reporter._capture_stderr()
        faulthandler.enable(file, all_threads=True)
        sys.excepthook = reporter._excepthook
        threading.excepthook = reporter._thread_excepthook
        return reporter

    def _capture_stderr(self) -> None:
        """Descriptor 2 to the report; Python's sys.stderr to a copy of the real one."""
        if sys.stderr is None:  # a windowed app on Windows: nothing to keep for a terminal
            try:
                os.dup2(self._file.fileno(), 2)
            except OSError:
                pass
            return
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):
            return
        try:
            terminal = open(saved, "w", encoding=getattr(sys.stderr, "encoding", None) or "utf-8",  # noqa: SIM115
                            errors="backslashreplace", buffering=1, closefd=False)
            os.dup2(self._file.fileno(), 2)
        except OSError:
            os.close(saved)
            return
        self._saved_fd, self._saved_stderr = saved, sys.stderr
        sys.stderr = terminal

    def _release_stderr(self) -> None:
        if self._saved_fd is None:
            return
        try:
            sys.stderr.flush()
            sys.stderr.close()
        except (OSError, ValueError, AttributeError):
            pass
        os.dup2(self._saved_fd, 2)
        os.close(self._saved_fd)
        sys.stderr, self._saved_fd = self._saved_stderr, None

    def _write(self, text: str) -> None:
        with self._lock:
            if self._file.closed:
                return
            try:
                self._file.write(text)
                self._file.flush()
            except (OSError, ValueError):
                pass

    def record(self, kind: type[BaseException], value: BaseException | None,
               tb: TracebackType | None, thread: str = "") -> None:
        self.exceptions += 1
        when = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
        self._write(f"\n[{when}] " + traceback_text(kind, value, tb, thread))

    def _excepthook(self, kind: type[BaseException], value: BaseException,
                    tb: TracebackType | None) -> None:
        self.record(kind, value, tb)
        self._previous_hook(kind, value, tb)

    def _thread_excepthook(self, args: Any) -> None:
        name = args.thread.name if args.thread is not None else ""
        self.record(args.exc_type, args.exc_value, args.exc_traceback, name)
        self._previous_thread_hook(args)

    def close(self) -> None:
        """A clean exit: stop reporting; remove the report if nothing happened."""
        if sys.excepthook == self._excepthook:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._thread_excepthook:
            threading.excepthook = self._previous_thread_hook
        self._release_stderr()
        if self._faulthandler_was_on and sys.__stderr__ is not None:
            faulthandler.enable(sys.__stderr__, all_threads=True)
        elif faulthandler.is_enabled():
            faulthandler.disable()
        with self._lock:
            self._file.close()
        if not self.exceptions:
            try:
                self.path.unlink()
            except OSError:
                pass
        if self._lock_file is not None:
            self._lock_file.unlock()
            self._lock_file = None


# ----- at the next start ----------------------------------------------------------------------

def report_body(text: str) -> str:
    """What happened, without the header ("" when nothing did)."""
    _, marker, body = text.partition(HEADER_END)
    return body.strip() if marker else text.strip()


def read_report(path: Path) -> str:
    with open(path, "rb") as f:
        return f.read(MAX_REPORT_BYTES).decode("utf-8", "replace")


def _session_over(path: Path) -> bool:
    """Whether the session that writes ``path`` has ended (its lock is free), tidying the lock."""
    from PySide6.QtCore import QLockFile

    lock = QLockFile(str(path.with_suffix(".lock")))
    lock.setStaleLockTime(0)
    if not lock.tryLock(0):
        return False  # still running: its report is not finished
    lock.unlock()
    return True


def pending_reports(folder: str | os.PathLike, own: Path | None = None) -> list[Path]:
    """Reports of ended sessions that hold a crash and were not offered yet, newest first.
    A header-only report (a session killed without warning leaves nothing to send) is
    removed."""
    found = []
    try:
        candidates = list(Path(folder).glob(f"{PREFIX}*{SUFFIX}"))
    except OSError:
        return []
    for path in candidates:
        if path.name.endswith(SEEN + SUFFIX) or path == own or not _session_over(path):
            continue
        try:
            if report_body(read_report(path)):
                found.append((path.stat().st_mtime, path))
            else:
                path.unlink()
        except OSError:
            continue
    return [path for _, path in sorted(found, reverse=True)]


def mark_seen(path: Path) -> Path:
    """Rename an offered report ``*.seen.txt`` (kept to send), dropping the oldest past KEEP_SEEN."""
    seen = path.with_name(path.name[: -len(SUFFIX)] + SEEN + SUFFIX)
    try:
        os.replace(path, seen)
    except OSError:
        return path
    try:
        old = sorted(path.parent.glob(f"{PREFIX}*{SEEN}{SUFFIX}"), key=lambda p: p.stat().st_mtime,
                     reverse=True)
        for extra in old[KEEP_SEEN:]:
            extra.unlink()
    except OSError:
        pass
    return seen


class ReportPrompts(Protocol):
    def ask_yes_no(self, question: str, yes: str = "Yes", no: str = "No", default: bool = True) -> bool: ...

    def show_report(self, title: str, text: str, where: str) -> None: ...


def offer_question(count: int) -> str:
    more = f" ({count} reports)" if count > 1 else ""
    return (f"{APP_NAME} stopped unexpectedly last time. It left a short crash report{more}: where "
            "the program was, none of your scenario's values or names. Sending it to whoever "
            "supports CharityRisk for you helps fix the cause.\n\nShow the report?")


def offer_reports(prompts: ReportPrompts, folder: str | os.PathLike, own: Path | None = None) -> bool:
    """Offer the newest crash report left by an earlier session; True if it was shown.
    Every pending report is marked seen, so each is offered once."""
    reports = pending_reports(folder, own)
    if not reports:
        return False
    shown = False
    if prompts.ask_yes_no(offer_question(len(reports)), yes="Yes", no="No", default=True):
        newest = reports[0]
        seen = mark_seen(newest)
        prompts.show_report(f"{APP_NAME} crash report", read_report(seen), str(seen))
        shown = True
        reports = reports[1:]
    for report in reports:
        mark_seen(report)
    return shown
