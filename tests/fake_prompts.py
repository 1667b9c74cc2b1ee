"""A stand-in for charityrisk.gui.prompts.Prompts: records every question and message, and
answers from a script instead of waiting for a click.

    prompts = FakePrompts()
    prompts.script("ask_save_path", tmp_path / "a.json", tmp_path / "b.json")  # in this order
    prompts.script("ask_yes_no", lambda text, **details: "Restore" in text)  # or decided per question
    prompts.answers["ask_save_discard_cancel"] = "cancel"                     # or always the same

A question with no scripted answer takes the default below (what the old tests' patched
QMessageBox.question gave: Discard, so every other question was a No); a file dialog with no
scripted answer fails the test, since a real one would wait forever.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

_UNSCRIPTED = object()


class FakePrompts:
    def __init__(self) -> None:
        self.parent = None  # the window sets itself here, as with the real Prompts
        self.answers: dict[str, Any] = {"ask_save_discard_cancel": "discard", "ask_yes_no": False,
                                        "ask_changed_on_disk": "cancel", "ask_recovery_choice": ("later", -1)}
        self.offered: list[str] = []  # the items of the last ask_recovery_choice
        self._queues: dict[str, list[Any]] = {}
        self.asked: list[tuple[str, str]] = []  # (method, question or title), in order
        self.shown: list[tuple[str, Any]] = []  # (method, message) for the show_* calls

    def script(self, method: str, *answers: Any) -> FakePrompts:
        self._queues.setdefault(method, []).extend(answers)
        return self

    def questions(self, method: str | None = None) -> list[str]:
        return [text for m, text in self.asked if method is None or m == method]

    def messages(self, method: str | None = None) -> list[Any]:
        return [text for m, text in self.shown if method is None or m == method]

    def _answer(self, method: str, text: str, **details: Any) -> Any:
        self.asked.append((method, text))
        queue = self._queues.get(method)
        answer = queue.pop(0) if queue else self.answers.get(method, _UNSCRIPTED)
        if answer is _UNSCRIPTED:
            raise AssertionError(f"unexpected {method}: {text!r}")
        return answer(text, **details) if callable(answer) else answer

    # ----- the Prompts interface --------------------------------------------------------------
    def ask_open_path(self, title: str, folder: str, file_filter: str = "") -> Path | None:
        answer = self._answer("ask_open_path", title, folder=folder, file_filter=file_filter)
        return Path(answer) if answer else None

    def ask_open_paths(self, title: str, folder: str, file_filter: str = "") -> list[Path]:
        return [Path(p) for p in self._answer("ask_open_paths", title, folder=folder, file_filter=file_filter)]

    def ask_save_path(self, title: str, suggested: str, file_filter: str = "") -> Path | None:
        answer = self._answer("ask_save_path", title, suggested=suggested, file_filter=file_filter)
        return Path(answer) if answer else None

    def ask_save_discard_cancel(self, question: str) -> str:
        answer = self._answer("ask_save_discard_cancel", question)
        assert answer in ("save", "discard", "cancel"), answer
        return answer

    def ask_yes_no(self, question: str, yes: str = "Yes", no: str = "No", default: bool = True) -> bool:
        return bool(self._answer("ask_yes_no", question, yes=yes, no=no, default=default))

    def ask_changed_on_disk(self, question: str) -> str:
        answer = self._answer("ask_changed_on_disk", question)
        assert answer in ("save", "save_as", "cancel"), answer
        return answer

    def ask_recovery_choice(self, question: str, items: list[str]) -> tuple[str, int]:
        """Scripted answers: ("restore", index), ("delete", -1) or ("later", -1); a callable
        gets the question and ``items=``."""
        self.offered = list(items)
        answer = self._answer("ask_recovery_choice", question, items=list(items))
        assert answer[0] in ("restore", "delete", "later"), answer
        return answer

    def ask_choice(self, question: str, choices: list, default: str = "") -> str | None:
        return self._answer("ask_choice", question, choices=choices, default=default)

    def ask_text(self, question: str, text: str = "") -> str | None:
        """Scripted answers: the text typed, or None for Cancel; unscripted fails the test."""
        return self._answer("ask_text", question, offered=text)

    def show_error(self, text: str) -> None:
        self.shown.append(("show_error", text))

    def show_warning(self, text: str) -> None:
        self.shown.append(("show_warning", text))

    def show_info(self, text: str) -> None:
        self.shown.append(("show_info", text))

    def show_about(self, title: str, html: str) -> None:
        self.shown.append(("show_about", title))

    def show_problems(self, title: str, problems: Sequence[str]) -> None:
        self.shown.append(("show_problems", (title, list(problems))))

    def show_report(self, title: str, text: str, where: str) -> None:
        self.shown.append(("show_report", (title, text, where)))
