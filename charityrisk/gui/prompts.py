"""Every question and message box the app shows, behind one small interface (as the Mu editor
does): the window and its panels ask ``Prompts`` and never call QMessageBox or QFileDialog
themselves, so tests pass a fake that records the questions and gives scripted answers.

Every text is shown through ``filesafety.shown``: a file name holding a newline, an escape
sequence or a bidi override is escaped, so it can neither split a line nor disguise the
message; titles and problem lines are one line each.

Answers are plain Python values (a Path or None, True/False, "save"/"discard"/"cancel"), never
Qt button codes, so a caller reads the same whether the answer came from a person or a test.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME
from .filesafety import shown

SCENARIO_FILTER = "CharityRisk scenarios (*.json);;All files (*)"
FORECAST_FILTER = "Cash-flow forecasts (*.xlsx *.xlsm *.csv);;All files (*)"
MAX_PROBLEMS_SHOWN = 12

SaveChoice = Literal["save", "discard", "cancel"]
ChangedChoice = Literal["save", "save_as", "cancel"]
RecoveryChoice = Literal["restore", "delete", "later"]
_Button = QMessageBox.StandardButton


class Prompts:
    """The real dialogs, parented to ``parent`` (the window sets itself as parent)."""

    def __init__(self, parent: QWidget | None = None):
        self.parent = parent

    # ----- files ---------------------------------------------------------------------------
    def ask_open_path(self, title: str, folder: str, file_filter: str = SCENARIO_FILTER) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.parent, shown(title, True), folder, file_filter)
        return Path(name) if name else None

    def ask_open_paths(self, title: str, folder: str, file_filter: str = SCENARIO_FILTER) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self.parent, title, folder, file_filter)
        return [Path(n) for n in names]

    def ask_save_path(self, title: str, suggested: str, file_filter: str = SCENARIO_FILTER) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, file_filter)
        return Path(name) if name else None

    # ----- questions -----------------------------------------------------------------------
    def ask_save_discard_cancel(self, question: str) -> SaveChoice:
        answer = QMessageBox.question(self.parent, APP_NAME, shown(question),
                                      _Button.Save | _Button.Discard | _Button.Cancel, _Button.Save)
        if answer == _Button.Save:
            return "save"
        return "discard" if answer == _Button.Discard else "cancel"

    def ask_yes_no(self, question: str, yes: str = "Yes", no: str = "No", default: bool = True) -> bool:
        """True for ``yes``; ``yes`` and ``no`` name the buttons (Yes/No, Open/Cancel...)."""
        yes_button, no_button = getattr(_Button, yes), getattr(_Button, no)
        answer = QMessageBox.question(self.parent, APP_NAME, shown(question), yes_button | no_button,
                                      yes_button if default else no_button)
        return answer == yes_button

    def ask_changed_on_disk(self, question: str) -> ChangedChoice:
        """The open file changed on disk since it was read: Save anyway, Save as..., Cancel."""
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, shown(question), _Button.NoButton, self.parent)
        anyway = box.addButton("Save anyway", QMessageBox.ButtonRole.DestructiveRole)
        save_as = box.addButton("Save as...", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(_Button.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is anyway:
            return "save"
        return "save_as" if clicked is save_as else "cancel"

    def ask_recovery_choice(self, question: str, items: list[str]) -> tuple[RecoveryChoice, int]:
        """Work kept from sessions that ended without closing, in one list (newest first):
        ("restore", index of the chosen one), ("delete", -1) for all, or ("later", -1)."""
        dialog = QDialog(self.parent)
        dialog.setWindowTitle(APP_NAME)
        layout = QVBoxLayout(dialog)
        label = QLabel(shown(question))
        label.setWordWrap(True)
        layout.addWidget(label)
        chooser = QListWidget()
        chooser.setObjectName("recovery_list")
        chooser.addItems([shown(item, one_line=True) for item in items])
        chooser.setCurrentRow(0)
        layout.addWidget(chooser)
        buttons = QDialogButtonBox()
        restore = buttons.addButton("Restore the selected one", QDialogButtonBox.ButtonRole.AcceptRole)
        delete = buttons.addButton("Delete them all", QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton("Decide later", QDialogButtonBox.ButtonRole.RejectRole)
        chosen: list[RecoveryChoice] = ["later"]

        def choose(choice: RecoveryChoice) -> None:
            chosen[0] = choice
            dialog.accept()

        restore.clicked.connect(lambda: choose("restore"))
        delete.clicked.connect(lambda: choose("delete"))
        later.clicked.connect(dialog.reject)
        chooser.itemDoubleClicked.connect(lambda _item: restore.click())
        layout.addWidget(buttons)
        dialog.exec()
        if chosen[0] == "restore":
            return ("restore", chooser.currentRow()) if chooser.currentRow() >= 0 else ("later", -1)
        return chosen[0], -1

    def ask_choice(self, question: str, choices: list[tuple[str, str]], default: str = "") -> str | None:
        """One of ``choices`` (key, button text) by its key, or None if the box was closed."""
        box = QMessageBox(QMessageBox.Icon.Question, APP_NAME, shown(question), parent=self.parent)
        buttons: dict[object, str] = {}
        for key, text in choices:
            button = box.addButton(text, QMessageBox.ButtonRole.AcceptRole)
            buttons[button] = key
            if key == default:
                box.setDefaultButton(button)
        box.addButton(_Button.Close)
        box.exec()
        return buttons.get(box.clickedButton())

    def ask_text(self, question: str, text: str = "") -> str | None:
        """A line of text (``text`` offered to start from), or None if the box was cancelled."""
        answer, ok = QInputDialog.getText(self.parent, APP_NAME, shown(question), text=text)
        return answer if ok else None

    # ----- messages ------------------------------------------------------------------------
    def show_error(self, text: str) -> None:
        QMessageBox.critical(self.parent, APP_NAME, shown(text))

    def show_warning(self, text: str) -> None:
        QMessageBox.warning(self.parent, APP_NAME, shown(text))

    def show_info(self, text: str) -> None:
        QMessageBox.information(self.parent, APP_NAME, shown(text))

    def show_about(self, title: str, html: str) -> None:
        QMessageBox.about(self.parent, title, html)

    def show_problems(self, title: str, problems: Sequence[str]) -> None:
        """A list of problems with a file: modeless over a visible window, so the work stays
        reachable behind it; modal before the window shows (start-up)."""
        lines = problem_lines(problems)
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, shown(title, one_line=True), _Button.Ok,
                          self.parent)
        box.setInformativeText("\n".join(lines))
        box.setObjectName("problems_box")
        if self.parent is not None and self.parent.isVisible():
            box.open()
        else:
            box.exec()

    def show_report(self, title: str, text: str, where: str) -> None:
        """A crash report to read and copy (gui.crash), and where it is kept to send."""
        box = QMessageBox(QMessageBox.Icon.Information, APP_NAME,
                          shown(f"{title}\n\nIt is kept in {where}"), _Button.Ok, self.parent)
        box.setObjectName("crash_report_box")
        box.setDetailedText(text)
        box.exec()


def problem_lines(problems: Sequence[str]) -> list[str]:
    """The problems a box lists: one line each, the first MAX_PROBLEMS_SHOWN."""
    lines = [shown(p, one_line=True) for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    return lines
