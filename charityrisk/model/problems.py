"""Problems with a scenario: ``Problem`` (path, code, limits, message) and ``ScenarioError``.

The English of every message comes from ``describe`` alone; code that decides anything
(which field to mark, whether a file can be opened to correct it) reads a Problem's path,
code and limits, never its text.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Problem codes.  ``limits`` holds what the code needs, always with "got" (the value found)
# when there was one:
REQUIRED = "required"  # the key is missing
TYPE = "type"  # limits["expected"]: "number", "whole number", "object", "list", "text", "JSON object"
FINITE = "finite"  # NaN or infinity
RANGE = "range"  # limits: lo, hi (either may be None), lo_open
ORDER = "order"  # limits: low, likely, high (a guess out of order); or other, relation ("<=", ">="), bound
CHOICE = "choice"  # limits["options"]
UNKNOWN = "unknown"  # a key not allowed here; limits["options"]
TEXT = "text"  # limits: max (too long or not text) or surrogate (a lone surrogate escape)
TOO_MANY = "too_many"  # limits: max, what ("contracts", "budget lines")
FILE = "file"  # the file as a whole: unreadable, not JSON, too large, too deep ...
FORMAT = "format"  # not a CharityRisk scenario
VERSION = "version"  # limits: newest (the newest version this app reads), or lo
OTHER = "other"  # a problem given as plain text (limits empty)
# A list of the wrong length: limits lo, hi, what ("monthly amounts", "stages"), count.
COUNT = "count"
# Two keys that do not go together: limits other (the other key), rule: "not_with" (give one
# of them), "only_with" (this key needs the other), "one_with" (must be 1 with the other),
# "mode" (not a key of this payment mode; limits mode), got.
CONFLICT = "conflict"
CALENDAR = "calendar"  # not a calendar month "YYYY-MM" (first_month); limits: got
# A warning, not an error: an older file holds a key (or a value) of a newer version, read with
# its newer meaning; or a file has no version (read as 1).  limits: since, version, got.
NEWER = "newer"
# A warning: a key given that its contract's payment mode does not use.  limits: mode.
UNUSED = "unused"
# A run too large to finish in about a minute (model.scenario.run_size_problem): the file may
# hold it, but neither the app nor the command line runs it.  limits: max (the most futures for
# a scenario this size), contracts, months, got.
TOO_SLOW = "too_slow"

# Codes of values of the right shape that are only out of range or order: a form can show
# them in their fields for the user to correct.
FIXABLE_CODES = frozenset({RANGE, ORDER})


@dataclass(frozen=True)
class Problem:
    """One fault: ``path`` (key path, "" for none), ``code``, ``limits``, ``message`` (the
    reason, in English, without the path) and ``suggestion``: for a required key that is
    missing while the same object holds a look-alike unknown key (``share_at_rsik``), that
    key as found in the file ("" for none).

    ``text`` (and ``str()``) is the one line ``"path: message"`` to show a person; code that
    decides anything reads the attributes, never the text.
    """

    path: str
    code: str
    limits: Mapping[str, Any]
    message: str
    suggestion: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "limits", dict(self.limits or {}))

    @property
    def text(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def __str__(self) -> str:
        return self.text

    def suggesting(self, found: str) -> Problem:
        """This problem, saying that the file holds ``found`` (probably the key mistyped)."""
        return Problem(self.path, self.code, self.limits,
                       f"{self.message}; the file has {_show(found)} instead: did you mean "
                       f"{_show(self.path.rpartition('.')[2])}?", suggestion=found)

    @classmethod
    def from_text(cls, line: str) -> Problem:
        """A problem known only as a line of text (code "other", no path to act on)."""
        return cls("", OTHER, {}, line)

    @property
    def got(self) -> Any:
        return self.limits.get("got")


def problem(path: str, code: str, **limits: Any) -> Problem:
    """A Problem with its message from ``describe``."""
    return Problem(path, code, limits, describe(code, limits))


class ScenarioError(ValueError):
    """A scenario that cannot be used.

    ``problems``: the Problems; ``messages``: their one-line texts.  ``data``: the parsed file
    when it was read but did not validate (the app may open it anyway, for the user to
    correct); ``file``: the file it came from, when a caller reading several names it.
    """

    def __init__(self, problems: Iterable[Problem | str], *, data: Any = None, file: str | None = None):
        self.problems: list[Problem] = [p if isinstance(p, Problem) else Problem.from_text(p) for p in problems]
        self.data: Any = data
        self.file: str | None = file
        super().__init__("; ".join(p.text for p in self.problems))

    @property
    def messages(self) -> list[str]:
        return [p.text for p in self.problems]

    def suggest(self, look_alikes: Iterable[tuple[str, str, str]]) -> None:
        """Say "did you mean" for each missing key whose object holds a look-alike unknown
        key.  ``look_alikes``: (the unknown key's path, the key, the known key it resembles),
        as ``fileformat.check_unknown_keys`` finds them."""
        near: dict[str, str] = {}
        for where, key, likely in look_alikes:
            shown_key = _show_key(key)
            parent = where[: len(where) - len(shown_key)].removesuffix(".")
            near.setdefault(f"{parent}.{likely}" if parent else likely, key)
        if not near:
            return
        self.problems = [p.suggesting(near[p.path]) if p.code == REQUIRED and p.path in near else p
                         for p in self.problems]
        self.args = ("; ".join(p.text for p in self.problems),)


# ----- the English ------------------------------------------------------------------------

def describe(code: str, limits: Mapping[str, Any]) -> str:
    """The reason for a problem, in English (without the key path)."""
    got = limits.get("got")
    if code == REQUIRED:
        if limits.get("alternative"):
            return f"is required, or {limits['alternative']} instead"
        return "is required"
    if code == TYPE:
        expected = limits["expected"]
        if expected == "object":
            return f"must be an object with named values (got {_show(got)})"
        article = "an" if expected[0] in "aeiou" else "a"
        return f"must be {article} {expected} (got {_show(got)})"
    if code == FINITE:
        return f"must be a finite number (got {got})"
    if code == RANGE:
        lo, hi = limits.get("lo"), limits.get("hi")
        if lo is not None and hi is not None:
            span = "above {} and at most {}" if limits.get("lo_open") else "between {} and {}"
            return f"must be {span.format(_fmt(lo), _fmt(hi))} (got {_show(got)})"
        if lo is not None:
            return f"must be at least {_fmt(lo)} (got {_show(got)})"
        return f"must be at most {_fmt(hi)} (got {_show(got)})"
    if code == ORDER:
        if "other" in limits:
            words = "must not be before" if limits["relation"] == ">=" else "must be at most"
            return f"{words} {limits['other']} ({_fmt(limits['bound'])}) (got {_show(got)})"
        return ("needs low <= likely <= high "
                f"(got {_fmt(limits['low'])}, {_fmt(limits['likely'])}, {_fmt(limits['high'])})")
    if code == CHOICE:
        return f"must be one of {', '.join(repr(o) for o in limits['options'])} (got {_show(got)})"
    if code == UNKNOWN:
        return f"is not one of {', '.join(limits['options'])}"
    if code == TEXT:
        if limits.get("surrogate"):
            return f"must be valid text; it holds a lone surrogate escape (got {_show(got)})"
        return f"must be text of at most {limits['max']} characters (got {_show(got)})"
    if code == TOO_SLOW:
        contracts = limits["contracts"]
        return (f"{got:,} futures of {contracts} contract{'' if contracts == 1 else 's'} over "
                f"{limits['months']} months would take many minutes to run; at most "
                f"{limits['max']:,} for a scenario this size")
    if code == COUNT:
        return (f"must hold {limits['lo']} to {limits['hi']} {limits['what']} "
                f"(got {limits['count']})")
    if code == CONFLICT:
        rule, other = limits["rule"], limits.get("other", "")
        if rule == "not_with":
            return f"cannot be given with {other}; give one or the other"
        if rule == "only_with":
            return f"is used only with {other}"
        if rule == "one_with":
            return f"must be 1 with {other} (got {_show(got)})"
        if rule == "mode":
            return f"is not a term of payment mode {_show(limits['mode'])}; {other}"
        return str(limits.get("text", rule))
    if code == CALENDAR:
        return f'must be a calendar month "YYYY-MM" with a month 01 to 12 (got {_show(got)})'
    if code == TOO_MANY:
        return f"must hold at most {limits['max']} {limits['what']} (got {limits['count']})"
    return str(limits.get("text", code))


def _fmt(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _show_key(key: str) -> str:
    """A key from the file as it may appear in a one-line message (quoted if odd or long)."""
    return key if key.isidentifier() and len(key) <= 40 else _show(key)


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else (
        "true" if value is True else "false" if value is False else
        "null" if value is None else "a list" if isinstance(value, list) else
        "an object" if isinstance(value, dict) else repr(value))
    return text if len(text) <= 40 else text[:37] + "..."


