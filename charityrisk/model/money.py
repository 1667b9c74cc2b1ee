"""Amounts of money as people type them: "65k", "£65,000", "1.2m", "(1,200)".

A finance lead types what they see in their own spreadsheets, so the common ways of writing
pounds are understood.  Anything that could mean two different amounts is refused with a
message saying why and how to write it; nothing is ever silently changed ("65k" once became
£65).  Arithmetic is done in ``Decimal`` so "1.1m" is exactly £1,100,000.00, not a float
that is a fraction of a penny off.

Deliberate refusals, each with its own code:
- "65,00" (a decimal comma, as in much of Europe): it could mean £65 or £6,500.
- "6,5000", "65 00": thousands separators must sit between groups of three digits.
- "65kk", "65km": one k (thousand) or m (million) at most; "kk" is likely a typo.
- "1e5": scientific notation is not how amounts are written in a budget, and "1e5" is more
  likely a slip of the keyboard than £100,000; writing "100k" costs nothing.
- "$65", "€65", "65p": the app works in pounds; pence are written after a full stop.
- "65.123": amounts are to the penny; a third decimal place would have to be rounded away.
- Amounts of a trillion pounds or more: far beyond any charity's budget, and past the point
  where a float still holds every penny exactly.
"""
from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

# Codes a caller can branch on; each refusal also carries a sentence for the user.
EMPTY = "empty"
NOT_A_NUMBER = "not_a_number"
DECIMAL_COMMA = "decimal_comma"
BAD_GROUPING = "bad_grouping"
DOUBLE_SUFFIX = "double_suffix"
SCIENTIFIC = "scientific"
OTHER_CURRENCY = "other_currency"
TOO_PRECISE = "too_precise"
NEGATIVE = "negative"
TOO_LARGE = "too_large"

# |amount| must be below this: a float holds every penny exactly only up to about 9e13.
LIMIT = Decimal(10) ** 12

MONEY_HINT = "Type pounds as 65000, 65,000, £65k or 1.2m; pence after a full stop (65,000.50)."

_SUFFIX = {"": Decimal(1), "k": Decimal(1000), "m": Decimal(1_000_000)}
PENNY = Decimal("0.01")

# Minus signs people paste in: hyphen, the true minus (the app's own chart ticks use it),
# en and em dashes.  Spaces include the no-break and thin spaces of copied figures.
_MINUS = "-\u2212\u2013\u2014"
_SPACES = " \u00a0\u2009\u202f"

_NUMBER = re.compile(
    r"""^(?P<int>[0-9]{1,3}(?P<sep>[,\s])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)
         (?:\.(?P<frac>[0-9]+))?
         \s*(?P<suffix>[km]?)$""",
    re.VERBOSE,
)


class MoneyError(ValueError):
    """An amount that was refused: ``code`` for the program, ``message`` for the user."""

    def __init__(self, code: str, message: str, text: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.text = text


def parse_money(text: str, *, allow_negative: bool = False) -> float:
    """The amount in pounds that ``text`` means, or MoneyError saying why it is refused.

    Understood: "65000", "65,000", "65 000", "£65,000.50", "65k", "65K", "£1.2m", and, when
    ``allow_negative``, "-1,200", "-£1,200", "£-1,200" and the accountant's "(1,200)".
    """
    return float(parse_money_decimal(text, allow_negative=allow_negative))


def parse_money_decimal(text: str, *, allow_negative: bool = False) -> Decimal:
    """As parse_money, exact: a Decimal to the penny."""
    original = text
    s = _normalise_spaces(text).strip()
    if not s or s == "£":
        raise MoneyError(EMPTY, "Enter an amount in pounds, for example 65,000 or 65k.", original)
    negative, s = _take_sign(s, original)
    body = s.lower()
    _refuse_known_mistakes(body, original)
    match = _NUMBER.match(body)
    if match is None:
        raise _explain_unreadable(body, original)
    amount = _amount(match, original)
    if abs(amount) >= LIMIT:
        raise MoneyError(TOO_LARGE, "That amount is too large: it must be under £1,000,000,000,000.",
                         original)
    if negative and amount != 0:
        if not allow_negative:
            raise MoneyError(NEGATIVE, "This amount cannot be negative.", original)
        amount = -amount
    return amount + Decimal("0.00")  # "-0" becomes 0.00, and every result has pence places


def _normalise_spaces(text: str) -> str:
    for space in _SPACES[1:]:
        text = text.replace(space, " ")
    return text


def _take_sign(s: str, original: str) -> tuple[bool, str]:
    """Strip brackets, a sign and the pound sign in any usual order; say whether negative."""
    negative = False
    if s.startswith("(") or s.endswith(")"):
        if not (s.startswith("(") and s.endswith(")")):
            raise MoneyError(NOT_A_NUMBER, "Brackets go round the whole amount: write a negative "
                             "amount as (1,200) or -1,200.", original)
        negative, s = True, s[1:-1].strip()
    for _ in range(2):  # "-£5", "£-5", "+£5"
        if s and s[0] in _MINUS + "+":
            if s[:1] != "+":
                if negative:
                    raise MoneyError(NOT_A_NUMBER, "Use one minus sign or brackets, not both.", original)
                negative = True
            s = s[1:].lstrip()
        elif s and s[0] == "£":
            s = s[1:].lstrip()
    if not s:
        raise MoneyError(EMPTY, "Enter an amount in pounds, for example 65,000 or 65k.", original)
    return negative, s


def _refuse_known_mistakes(body: str, original: str) -> None:
    if re.search(r"[$€¥]|usd|eur", body):
        raise MoneyError(OTHER_CURRENCY, "Amounts are in pounds: leave out other currency signs "
                         "(type 65,000 or £65,000).", original)
    if re.fullmatch(r"[0-9.,\s]*[0-9]e[+-]?[0-9]+", body):
        raise MoneyError(SCIENTIFIC, "Write the amount in full or with k or m (100000, 100k), "
                         "not in scientific notation.", original)
    if re.fullmatch(r"[0-9.,\s]+\s*[km]\s*[km]+", body):
        raise MoneyError(DOUBLE_SUFFIX, "Use one k (thousand) or m (million) at most, for example "
                         "65k or 1.2m.", original)


def _explain_unreadable(body: str, original: str) -> MoneyError:
    if re.fullmatch(r"[0-9]+,[0-9]{1,2}\s*[km]?", body):
        return MoneyError(DECIMAL_COMMA, "A comma separates thousands here: for a decimal point use a "
                          "full stop (65.50, 1.2m), or write the full amount (6,500).", original)
    if re.fullmatch(r"[0-9]+([,\s][0-9]+)+(\.[0-9]+)?\s*[km]?", body):
        return MoneyError(BAD_GROUPING, "Commas or spaces go between groups of three digits, as in "
                          "65,000 or 1,200,000.", original)
    if body.endswith("p") and re.fullmatch(r"[0-9.]+p", body):
        return MoneyError(OTHER_CURRENCY, "Enter pounds, with pence after a full stop: 0.50, not 50p.",
                          original)
    if body.count(".") > 1:
        return MoneyError(NOT_A_NUMBER, "An amount has at most one full stop, before the pence.",
                          original)
    return MoneyError(NOT_A_NUMBER, f"“{original.strip()}” is not an amount of money. {MONEY_HINT}",
                      original)


def _amount(match: re.Match, original: str) -> Decimal:
    digits = re.sub(r"[,\s]", "", match["int"])
    frac = match["frac"] or ""
    suffix = match["suffix"]
    try:
        amount = Decimal(f"{digits}.{frac or '0'}") * _SUFFIX[suffix]
    except InvalidOperation as e:  # not reachable with the pattern above; kept as a guard
        raise MoneyError(NOT_A_NUMBER, f"“{original.strip()}” is not an amount of money.", original) from e
    if amount != amount.quantize(PENNY):
        hint = ("an amount with k or m must come to whole pence" if suffix
                else "pence have two decimal places at most")
        raise MoneyError(TOO_PRECISE, f"Amounts are to the penny: {hint}.", original)
    return amount


def format_money(value: float | Decimal) -> str:
    """"£65,000", "£65,000.50", "-£1,200": to the penny, with pence only when there are some.
    The result is read back by parse_money (negatives with allow_negative)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"not an amount of money: {value!r}")
    amount = Decimal(value)
    with localcontext() as context:  # every digit of a huge amount (1e300 in a file), not 28
        context.prec = max(context.prec, amount.adjusted() + 4)
        pennies = amount.quantize(PENNY, rounding=ROUND_HALF_UP)
    sign = "-" if pennies < 0 else ""
    pennies = abs(pennies)
    text = f"{pennies:,.0f}" if pennies == pennies.to_integral_value() else f"{pennies:,.2f}"
    return f"{sign}£{text}"


__all__ = ["MoneyError", "parse_money", "parse_money_decimal", "format_money", "MONEY_HINT"]
