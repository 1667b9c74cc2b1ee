"""Run engine generators off the GUI thread, with progress, cancel and stale-run dropping.

The engine's long operations are generators that yield a progress report after each block
of futures (``engine.simulation_steps``); between blocks the job checks for cancellation,
as superqt's GeneratorWorker does.  Jobs never touch widgets: they only emit signals,
which Qt queues to the GUI thread.  Every run gets a number and only the newest run's
signals get through, so a slow, superseded run can never be shown as current.

A job that raises emits the exception object itself (superqt's ``errored`` contract), not
its text: the receiver tells the user's input (a ``ScenarioError``, a full disk) from a
fault in the app by its class, which a string would have lost.
"""
from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

StepsFactory = Callable[[], Generator[Any, None, Any]]


@dataclass(frozen=True)
class Preview:
    """A step carrying a first answer to show before the run's final one (a small run of the
    same scenario): the runner emits it as ``preview``, for the current run only."""

    value: Any


def once(work: Callable[[], Any]) -> StepsFactory:
    """Steps that do ``work`` in one go and return its value: no cancel point once started
    (a save must not stop half way; the atomic write would leave the old file anyway)."""
    def steps() -> Generator[Any, None, Any]:
        return work()
        yield  # a generator function, for the Runner

    return steps


class _JobSignals(QObject):
    progress = Signal(int, int, int)  # run id, done, total
    finished = Signal(int, object)  # run id, the generator's return value
    preview = Signal(int, object)  # run id, a Preview's value
    errored = Signal(int, object)  # run id, the exception raised
    cancelled = Signal(int)


class _Job(QRunnable):
    def __init__(self, run_id: int, steps: StepsFactory, signals: _JobSignals):
        super().__init__()
        self.run_id = run_id
        self._steps = steps
        self._signals = signals
        self.cancel_event = threading.Event()

    def run(self) -> None:
        try:
            generator = self._steps()
            while True:
                if self.cancel_event.is_set():
                    generator.close()
                    self._signals.cancelled.emit(self.run_id)
                    return
                try:
                    step = next(generator)
                except StopIteration as done:
                    self._signals.finished.emit(self.run_id, done.value)
                    return
                if isinstance(step, Preview):
                    self._signals.preview.emit(self.run_id, step.value)
                    continue
                done_count, total = _progress_of(step)
                self._signals.progress.emit(self.run_id, done_count, total)
        except Exception as error:  # reported to the user, never lost in a thread
            traceback.print_exc()
            self._signals.errored.emit(self.run_id, error)


def _progress_of(step: Any) -> tuple[int, int]:
    if hasattr(step, "done") and hasattr(step, "total"):
        return int(step.done), int(step.total)
    done, total = step
    return int(done), int(total)


class Runner(QObject):
    """Runs one generator at a time; starting a new run cancels and supersedes the old."""

    progress = Signal(int, int)  # done, total (current run only)
    finished = Signal(object)  # the current run's result
    preview = Signal(object)  # the current run's first answer (a Preview's value)
    errored = Signal(object)  # the exception the current run raised
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)  # a superseded run may still be finishing its block
        self._signals = _JobSignals()
        self._signals.progress.connect(self._on_progress)
        self._signals.finished.connect(self._on_finished)
        self._signals.preview.connect(self._on_preview)
        self._signals.errored.connect(self._on_errored)
        self._signals.cancelled.connect(self._on_cancelled)
        self._run_id = 0
        self._job: _Job | None = None

    @property
    def run_id(self) -> int:
        return self._run_id

    def is_busy(self) -> bool:
        return self._job is not None

    def start(self, steps: StepsFactory, run: int | None = None) -> int:
        """Start ``steps`` as the current run, numbered ``run`` when the caller numbers its
        runs itself (the window's state does: one count, not two), else the next number."""
        if self._job is not None:
            self._job.cancel_event.set()
        self._run_id = run if run is not None else self._run_id + 1
        self._job = _Job(self._run_id, steps, self._signals)
        self._job.setAutoDelete(False)
        self._pool.start(self._job)
        self.busy_changed.emit(True)
        return self._run_id

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel_event.set()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and wait for every job (on window close): no thread outlives the window."""
        self.cancel()
        return self._pool.waitForDone(timeout_ms)

    def _current(self, run_id: int) -> bool:
        return self._job is not None and run_id == self._run_id

    def _end(self) -> None:
        self._job = None
        self.busy_changed.emit(False)

    def _on_progress(self, run_id: int, done: int, total: int) -> None:
        if self._current(run_id):
            self.progress.emit(done, total)

    def _on_finished(self, run_id: int, value: object) -> None:
        if self._current(run_id):
            self._end()
            self.finished.emit(value)

    def _on_preview(self, run_id: int, value: object) -> None:
        if self._current(run_id):
            self.preview.emit(value)

    def _on_errored(self, run_id: int, error: object) -> None:
        if self._current(run_id):
            self._end()
            self.errored.emit(error)

    def _on_cancelled(self, run_id: int) -> None:
        if self._current(run_id):
            self._end()
            self.cancelled.emit()
