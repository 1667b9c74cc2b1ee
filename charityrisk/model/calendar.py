"""Naming a scenario's months by the calendar (version 3's ``first_month``).

``first_month`` ("YYYY-MM") is the calendar month of month 1.  It changes no figure: the
engine counts months from 1 whatever it says; the app, the board pack and the CSV call the
months by it ("Apr 2027").  Every layer that names a month asks here, so that the rule lives
in one place.
"""
from __future__ import annotations

import re

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Four-digit years: a scenario file is read by people, and "0999-05" or "20270-01" is a slip.
_FIRST_MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")


def parse_first_month(text: object) -> tuple[int, int] | None:
    """(year, month 1-12) of a ``"YYYY-MM"`` text, or None if it is not one (``"2027-13"``)."""
    if not isinstance(text, str):
        return None
    found = _FIRST_MONTH.fullmatch(text)
    if found is None:
        return None
    year, month = int(found["year"]), int(found["month"])
    return (year, month) if 1 <= month <= 12 and year >= 1 else None


def calendar_month(first_month: str, month: int) -> tuple[int, int]:
    """(year, month 1-12) of the scenario's month ``month`` (1 is first_month itself)."""
    parsed = parse_first_month(first_month)
    if parsed is None:
        raise ValueError(f"first_month: not a calendar month YYYY-MM (got {first_month!r})")
    year, start = parsed
    index = year * 12 + (start - 1) + (month - 1)
    return index // 12, index % 12 + 1


def month_name(first_month: str | None, month: int) -> str:
    """Month ``month`` (1-based) named by the calendar, "Apr 2027"; without a first_month,
    "Month 5" (the app's names before version 3)."""
    if first_month is None:
        return f"Month {month}"
    year, number = calendar_month(first_month, month)
    return f"{MONTH_NAMES[number - 1]} {year}"


def month_names(first_month: str | None, months: int) -> list[str]:
    """Names of months 1 .. months (``month_name`` of each)."""
    return [month_name(first_month, m) for m in range(1, months + 1)]
