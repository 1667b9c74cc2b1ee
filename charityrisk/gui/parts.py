"""Widgets the panels that run work share: a wrapped label, the progress-and-cancel row,
and a Runner wired to a panel's handlers, so each panel says only what is its own."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .worker import Runner


def wrapped_label(name: str, text: str = "", *, selectable: bool = False, spoken: str | None = None,
                  scale: float = 1.0) -> QLabel:
    """A word-wrapped label named ``name`` for tests and screen readers; ``selectable`` so a
    sentence can be copied into a board paper; ``scale`` enlarges an answer's font."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if spoken is not None:
        label.setAccessibleName(spoken)
    if scale != 1.0:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * scale)
        label.setFont(font)
    return label


def progress_row(name: str, runner: Runner, busy_text: str, spoken_cancel: str | None = None
                 ) -> tuple[QHBoxLayout, QProgressBar, QPushButton]:
    """A progress bar ("Searching... 40%") and a Cancel button that cancels ``runner``."""
    row = QHBoxLayout()
    progress = QProgressBar()
    progress.setObjectName(f"{name}.progress")
    progress.setFormat(f"{busy_text} %p%")
    cancel = QPushButton("Cancel")
    cancel.setObjectName(f"{name}.cancel")
    if spoken_cancel is not None:
        cancel.setAccessibleName(spoken_cancel)
    cancel.clicked.connect(runner.cancel)
    row.addWidget(progress, 1)
    row.addWidget(cancel)
    return row, progress, cancel


def job_runner(parent: QWidget, *, progress: Callable[[int, int], None], finished: Callable[[Any], None],
               say: Callable[[str], None], busy: Callable[[bool], None],
               failed: str = "That did not work", cancelled: str = "Cancelled.") -> Runner:
    """A Runner whose signals reach the panel's handlers: failures and cancels as sentences."""
    runner = Runner(parent)
    runner.progress.connect(progress)
    runner.finished.connect(finished)
    runner.failed.connect(lambda m: say(f"{failed}: {m}"))
    runner.cancelled.connect(lambda: say(cancelled))
    runner.busy_changed.connect(busy)
    return runner
