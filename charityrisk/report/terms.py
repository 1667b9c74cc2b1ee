"""What was assumed, as the board pack lists it: the organisation's and each contract's terms.

The rows come from the field table (``FieldSpec.pack``): "row" is always listed, "set" only
when something holds other than its default (a guarantee, an exit cost, a rate card), "risk"
always, marked "assumed" at its default (no chance of getting no referrals is itself an
assumption).  A new input listed with ``pack`` appears here with no code of its own; the few
whose words combine several keys or depend on the payment mode are the named functions in
``WORDS`` below.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..model.calendar import month_name
from ..model.fields import FieldSpec, fields_of
from ..model.scenario import RATE_CARD_KEYS, Contract, Scenario, Uncertain
from .formats import count, money, months, percent, rate

ASSUMED = " (assumed)"
RATE_CARD_ONLY = RATE_CARD_KEYS
NOT_USED = "Not used (rate card)"


def guess(u: Uncertain, fmt: Callable[[float], str]) -> str:
    if u.is_fixed:
        return fmt(u.low)
    return f"{fmt(u.low)} to {fmt(u.high)}, most likely {fmt(u.likely)}"


_BY_FORMAT: dict[str, Callable[[Any], str]] = {
    "money": money, "fraction": rate, "months": lambda v: months(int(v)), "whole": lambda v: f"{v:,}",
    "count": count,
}


def plain(row: FieldSpec, value: Any) -> str:
    """A value in the words its row's kind calls for (a guess as its range)."""
    fmt = _BY_FORMAT.get(row.kind, str)
    return guess(value, fmt) if isinstance(value, Uncertain) else fmt(value)


def label(row: FieldSpec) -> str:
    return row.summary or row.report_label or row.label


# ----- contracts: the rows whose words are more than the value --------------------------------

def _start(c: Contract, s: Scenario) -> str:
    end, horizon = c.end_month, s.horizon_months
    first, last = ((month_name(s.first_month, m) if s.first_month else str(m)) for m in (c.start_month, end))
    text = f"{first} to {last}" if end > c.start_month else first
    return text + (f" (beyond the {horizon}-month period)" if end > horizon else "")


def _referrals(c: Contract, s: Scenario) -> str:
    noise = "" if c.count_noise == "poisson" else " (exactly, no month-to-month variation)"
    return guess(c.referrals_per_month, count) + noise


def _mode(c: Contract, s: Scenario) -> str:
    target = rate(c.target_success_rate)
    if c.share_at_risk == 0:
        return "Whole price paid on delivery; nothing depends on outcomes"
    if c.payment_mode == "earn":
        return f"At-risk part earned in proportion to successes; all of it at a {target} success rate"
    if c.payment_mode == "threshold":
        return f"All or nothing: at-risk part paid only if a cohort's success rate reaches {target}"
    return (f"Clawback: full price paid on delivery; at-risk part repaid if a cohort's success "
            f"rate is below {target}")


def _late(c: Contract, s: Scenario) -> str:
    late = c.late_payment
    if late.probability > 0 and late.months > 0:
        return f"{percent(late.probability)} chance that every payment is {months(late.months)} late"
    return "None" + ASSUMED


def fee_words(fees: tuple[float, ...]) -> str:
    """A fee schedule: one fee, or one per contract year."""
    if len(fees) == 1:
        return f"{money(fees[0])} a referral"
    each = ", ".join(money(f) for f in fees) + " a referral in contract years 1 to " + str(len(fees))
    return each + " (the last for any later year)"


def _stages(c: Contract, s: Scenario) -> str:
    parts = []
    for stage in c.outcome_payments:
        paid = (f"{money(stage.price)}" if stage.payments == 1
                else f"{money(stage.price)} a month for {months(stage.payments)}")
        parts.append(f"{stage.name}: {guess(stage.rate, rate)} reach it, {paid} from "
                     f"{months(stage.lag_months)} after the referral")
    return "; ".join(parts)


def _wind_down(c: Contract, s: Scenario) -> str:
    return "Whole contract" if c.wind_down_months is None else months(c.wind_down_months)


def _pooled(c: Contract, s: Scenario) -> str:
    pooled = c.pooled_target_success_rate
    return "None" if pooled is None else f"A missed cohort is paid if all cohorts together reach {rate(pooled)}"


# The formats a row's ``words`` may name ("{ramp_up_months|months}").
FORMATS: dict[str, Callable[[Any], str]] = {
    "money": money, "rate": rate, "months": lambda v: months(int(v)), "count": count, "fees": fee_words,
}
_SLOT = re.compile(r"\{(\w+)\|(\w+)\}")


def in_words(row: FieldSpec, owner: Any) -> str:
    """A row's ``words`` (or ``zero_words`` at 0) filled in from its owner's values."""
    template = row.zero_words if row.zero_words and not getattr(owner, row.name) else row.words
    return _SLOT.sub(lambda m: FORMATS[m[2]](getattr(owner, m[1])), template)


def _table_words(row: FieldSpec) -> Callable[[Contract, Scenario], str]:
    return lambda c, s: in_words(row, c)


# The rows whose words depend on the payment mode or the scenario; the others' are their
# row's ``words`` (or their value, plain).
WORDS: dict[str, Callable[[Contract, Scenario], str]] = {
    "start_month": _start, "referrals_per_month": _referrals, "payment_mode": _mode, "late_payment": _late,
    "outcome_payments": _stages, "wind_down_months": _wind_down, "pooled_target_success_rate": _pooled,
    **{row.name: _table_words(row) for row in fields_of("contracts[]") if row.words},
}


def _value(c: Contract, name: str) -> Any:
    return getattr(c, name)


def _uses(c: Contract, row: FieldSpec) -> bool:
    """Whether the contract's payment mode reads this term at all (a rate card's column
    says "not used" for the share-of-price structure too: its stages say how it pays)."""
    if c.payment_mode == "rate_card" and row.name == "payment_mode":
        return False
    return c.reads(row.name)


def _differs(c: Contract, row: FieldSpec) -> bool:
    """Holds other than the default (a rate card's own terms count as set in a rate card)."""
    if row.name in RATE_CARD_ONLY:
        return c.payment_mode == "rate_card"
    if row.name == "wind_down_months":
        return c.wind_down_months is not None
    return _value(c, row.name) != row.default


def _cell(c: Contract, row: FieldSpec, s: Scenario) -> str:
    if not _uses(c, row):
        return NOT_USED if c.payment_mode == "rate_card" else "Not used"
    words = WORDS.get(row.name)
    text = words(c, s) if words is not None else plain(row, _value(c, row.name))
    if row.pack == "risk" and row.name != "late_payment" and _value(c, row.name) == row.default:
        text += ASSUMED
    return text


def contract_table(chunk: Sequence[Contract], s: Scenario) -> list[list[str]]:
    """One row per term the field table lists, one column per contract."""
    rows = []
    for row in fields_of("contracts[]"):
        if not row.pack or not any(_uses(c, row) for c in chunk):
            continue
        if row.pack == "set" and not any(_differs(c, row) for c in chunk):
            continue
        rows.append([label(row)] + [_cell(c, row, s) for c in chunk])
    return rows


# ----- the organisation and the scenario --------------------------------------------------------

def _organisation_value(s: Scenario, row: FieldSpec) -> Any:
    owner = {"organisation": s.organisation, "simulation": s.settings, "": s}[row.owner]
    return getattr(owner, row.name)


def _organisation_words(row: FieldSpec) -> Callable[[Scenario], str]:
    return lambda s: in_words(row, s.organisation)


_ORGANISATION_WORDS: dict[str, Callable[[Scenario], str]] = {
    **{row.path: _organisation_words(row) for row in fields_of("organisation") if row.words},
    "simulation.risk_appetite": lambda s: percent(s.settings.risk_appetite),
    "correlation": lambda s: ("0: each uncertain value is drawn on its own" if s.correlation == 0
                              else f"{s.correlation:.2f} (0 independent, 0.95 strongly together)"),
}
# With budget lines, the single 'other income' and 'core costs' figures are usually £0: the
# lines replace them, and a £0 row would only puzzle a reader.
_REPLACED_BY_BUDGET = ("organisation.monthly_other_income", "organisation.monthly_core_costs")
_ORDER = ("organisation", "", "simulation")


def organisation_rows(s: Scenario) -> list[tuple[str, str]]:
    rows = []
    for owner in _ORDER:
        for row in fields_of(owner):
            if not row.pack:
                continue
            value = _organisation_value(s, row)
            is_default = value == row.default or (isinstance(value, Uncertain) and value == Uncertain.fixed(0.0)
                                                  and row.default == 0.0)
            if row.pack == "set" and is_default:
                continue
            if row.path in _REPLACED_BY_BUDGET and s.organisation.budget and is_default:
                continue
            words = _ORGANISATION_WORDS.get(row.path)
            text = words(s) if words is not None else plain(row, value)
            if row.pack == "risk" and is_default:
                text += ASSUMED
            rows.append((label(row), text))
    return rows
