"""How a figure reads: money, whole pounds, percentages, rates, months and counts, for the app,
the CLI, the board pack and the exports alike.

One sign rule: a minus sign before the pound sign ("-£1,200"), shown when the amount as
written is below zero (-£0.40 in whole pounds is "£0", never "-£0").  Chart ticks write the
same with the typographic minus (``MINUS``), as matplotlib's own ticks do.

Money typed into a box, and read back by ``model.money.parse_money``, is written to the penny
by ``model.money.format_money`` (the model layer's messages need it too); ``money_exact`` here
is that, safe for any value a file may hold.
"""
from __future__ import annotations

import math
from typing import Any

from ..model.money import format_money

MINUS = "\u2212"  # the typographic minus of chart ticks


def _signed(negative: bool, text: str, minus: str = "-") -> str:
    return f"{minus}{text}" if negative else text


def money(x: float) -> str:
    """Whole pounds: "£12,345", "-£12,345"."""
    return _signed(round(x) < 0, f"£{abs(x):,.0f}")


def money_exact(x: Any) -> str:
    """To the penny, pence only when there are some: "£65,000", "£65,000.50", "-£1,200"; a
    value that is no amount (infinite, not a number, text) as it is."""
    if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x):
        return format_money(x)
    return "" if x is None else str(x)


def money_pence(x: float) -> str:
    """Always to the penny, for sums checked against a spreadsheet's: "£1,250.00",
    "-£1,200.50"."""
    return _signed(round(x, 2) < 0, f"£{abs(x):,.2f}")


def pounds_short(x: float, span: float | None = None) -> str:
    """Short money for chart ticks ("£250k", "−£1.5m"); ``span`` is the axis range, to choose
    the precision."""
    span = abs(x) if span is None else span
    a = abs(x)
    if a < 0.5:
        return "£0"
    if span >= 5_000_000 or a >= 10_000_000:
        digits = 0 if span >= 5_000_000 else 1
        text = f"£{a / 1e6:,.{digits}f}m"
    elif span >= 10_000:
        digits = 0 if span >= 20_000 else 1
        text = f"£{a / 1000:,.{digits}f}k"
    else:
        text = f"£{a:,.0f}"
    return _signed(round(x) < 0, text, MINUS)


def percent(p: float) -> str:
    """A chance as a percentage a trustee can read: 12%, 0.4%, under 0.1%, or 0%."""
    if p == 0:
        return "0%"
    if p < 0.001:
        return "under 0.1%"
    if p < 0.1:
        return f"{100 * p:.1f}".removesuffix(".0") + "%"
    return f"{100 * p:.0f}%"


def rate(x: float) -> str:
    """A share or a rate given as a fraction, as a whole or one-decimal percentage: 45%, 12.5%."""
    value = 100 * x
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def months(x: float) -> str:
    """A number of months, to the whole month: "1 month", "9 months"."""
    n = round(x)
    return f"{n} month" if n == 1 else f"{n} months"


def months_tenth(x: float) -> str:
    """Months to the tenth, for a length worked out rather than set: "3.2 months", "3 months",
    "1 month"."""
    text = f"{x:.1f}".removesuffix(".0")
    return f"{text} month{'' if text == '1' else 's'}"


def points(difference: float) -> str:
    """A difference of two chances in percentage points, as percent() shows chances:
    "22 points", "0.8 points", "1 point", "under 0.1 points"."""
    d = abs(100 * difference)
    if d < 0.05:
        return "under 0.1 points"
    text = f"{d:.0f}" if d >= 9.95 else f"{d:.1f}".removesuffix(".0")
    return f"{text} point{'' if text == '1' else 's'}"


def count(x: float) -> str:
    """A count that may be fractional (referrals a month): "1,200", "9.7"."""
    return f"{x:,.0f}" if abs(x - round(x)) < 0.05 else f"{x:,.1f}"


def money_cell(x: float) -> float:
    """Money as a number in a spreadsheet cell: to the penny."""
    return round(float(x), 2)


def percent_cell(p: float) -> float:
    """A share as a number of percentage points in a spreadsheet cell (12.3456)."""
    return round(100 * float(p), 4)


__all__ = ["MINUS", "count", "money", "money_cell", "money_exact", "months", "months_tenth", "percent",
           "percent_cell", "points", "pounds_short", "rate"]
