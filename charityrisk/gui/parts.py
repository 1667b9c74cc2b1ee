"""Widgets the panels that run work share: a wrapped label, the progress-and-cancel row,
and a Runner wired to a panel's handlers, so each panel says only what is its own."""
from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QWidget

from .faults import error_text
from .worker import Runner


def unique_name(stem: str, taken: Collection[object], numbered: str = "{stem} {n}") -> str:
    """``stem``, or the first of "stem 2", "stem 3", ... (in the ``numbered`` pattern) not in
    ``taken``: a new or copied line, contract or variant never shares a name."""
    if stem not in taken:
        return stem
    n = 2
    while numbered.format(stem=stem, n=n) in taken:
        n += 1
    return numbered.format(stem=stem, n=n)


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


class ProgressRow(QHBoxLayout):
    """A progress bar ("Searching... 40%") and its Cancel button, shown only while busy."""

    def __init__(self, name: str, busy_text: str, spoken_cancel: str | None = None) -> None:
        super().__init__()
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{name}.progress")
        self.bar.setFormat(f"{busy_text} %p%")
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName(f"{name}.cancel")
        if spoken_cancel is not None:
            self.cancel.setAccessibleName(spoken_cancel)
        self.addWidget(self.bar, 1)
        self.addWidget(self.cancel)
        self.show_busy(False)

    def show_busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.cancel.setVisible(busy)
        if busy:
            self.bar.setValue(0)

    def show_progress(self, done: int, total: int) -> None:
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(done)


def job_runner(parent: QWidget, row: ProgressRow, *, finished: Callable[[Any], None],
               say: Callable[[str], None], failed: str = "That did not work",
               cancelled: str = "Cancelled.") -> Runner:
    """A Runner shown on ``row`` (its progress; Cancel cancels it), its result to
    ``finished``, failures and cancels said as sentences."""
    runner = Runner(parent)
    runner.progress.connect(row.show_progress)
    runner.busy_changed.connect(row.show_busy)
    row.cancel.clicked.connect(runner.cancel)
    runner.finished.connect(finished)
    runner.errored.connect(lambda error: say(f"{failed}: {error_text(error)}"))
    runner.cancelled.connect(lambda: say(cancelled))
    return runner


def scrolling(page: QWidget, index: int) -> QScrollArea:
    """A results tab that scrolls when the window is smaller than it needs (a 1024 x 768
    projector, 150% scaling), so nothing is cut off and the window never has to be larger
    than the screen; the panel itself is unchanged."""
    area = QScrollArea()
    area.setObjectName(f"scroll:{page.objectName() or index}")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area
