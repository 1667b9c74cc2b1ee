"""What the user is told when work raises: their input (a ``ScenarioError``, named by field) or
a fault of the app (said shortly, with the details to pass on).  Workers emit the exception
itself (``gui.worker``), so the choice is made here, by its class, never by its text."""
from __future__ import annotations

from collections.abc import Sequence

from ..model import spec
from ..model.problems import Problem


def error_text(error: BaseException) -> str:
    """One line for a message: the exception's class and what it says."""
    return f"{type(error).__name__}: {error}"


def fault_text(doing: str, error: BaseException) -> str:
    """A fault of the app, not of the user's input: said shortly, with the details to pass on."""
    return (f"Something went wrong while {doing}. Your work is still here and nothing on disk "
            f"was changed.\n\nDetails: {error_text(error)}")


def named_problems(problems: Sequence[Problem]) -> str:
    """Problems in words, each naming its field as the form labels it."""
    def one(problem: Problem) -> str:
        row = spec(problem.path) if problem.path else None
        return f"{row.label}: {problem.message}" if row is not None else problem.message
    return "; ".join(one(p) for p in problems)
