"""What was assumed, as the board pack lists it: the organisation's and each contract's terms.

The rows come from the field table (``FieldSpec.pack``): "row" is always listed, "set" only
when something holds other than its default (a guarantee, an exit cost, a rate card), "risk"
always, marked "assumed" at its default (no chance of getting no referrals is itself an
assumption).  A new input listed with ``pack`` appears here with no code of its own; the few
whose words combine several keys or depend on the payment mode are the named functions in
``WORDS`` below.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..model.calendar import month_name
from ..model.fields import FieldSpec, fields_of
from ..model.scenario import Contract, Scenario, Uncertain
from .text import money, percent

ASSUMED = " (assumed)"
RATE_CARD_ONLY = ("fee_per_referral", "outcome_payments")
# A share-of-price contract's terms that a rate card does not use (docs/model.md, section 5).
SHARE_ONLY = ("price_per_referral", "share_at_risk", "payment_mode", "success_rate", "cohort_months",
              "outcome_lag_months", "target_success_rate")
NOT_USED = "Not used (rate card)"


def months(n: int) -> str:
    return f"{n} month" if n == 1 else f"{n} months"


def rate(x: float) -> str:
    """A success rate or share as a whole or one-decimal percentage (45%, 12.5%)."""
    value = 100 * x
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def count(x: float) -> str:
    return f"{x:,.0f}" if x == round(x) else f"{x:,.1f}"


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


def _share(c: Contract, s: Scenario) -> str:
    return f"{rate(c.share_at_risk)} ({money(c.amount_at_risk)} a referral)"


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


def _lags(c: Contract, s: Scenario) -> str:
    return (f"Fees {months(c.fee_lag_months)} after the work; outcome payments "
            f"{months(c.outcome_lag_months)} after each cohort ends")


def _costs(c: Contract, s: Scenario) -> str:
    return f"{money(c.cost_per_referral)} a referral plus {money(c.fixed_monthly_cost)} a month fixed"


def _late(c: Contract, s: Scenario) -> str:
    late = c.late_payment
    if late.probability > 0 and late.months > 0:
        return f"{percent(late.probability)} chance that every payment is {months(late.months)} late"
    return "None" + ASSUMED


def _fees(c: Contract, s: Scenario) -> str:
    fees = c.fee_per_referral
    if len(fees) == 1:
        each = f"{money(fees[0])} a referral"
    else:
        each = ", ".join(money(f) for f in fees) + " a referral in contract years 1 to " + str(len(fees))
        each += " (the last for any later year)" if len(fees) > 1 else ""
    return f"{each}, paid {months(c.fee_lag_months)} after the referral"


def _stages(c: Contract, s: Scenario) -> str:
    parts = []
    for stage in c.outcome_payments:
        paid = (f"{money(stage.price)}" if stage.payments == 1
                else f"{money(stage.price)} a month for {months(stage.payments)}")
        parts.append(f"{stage.name}: {guess(stage.rate, rate)} reach it, {paid} from "
                     f"{months(stage.lag_months)} after the referral")
    return "; ".join(parts)


def _guarantee(c: Contract, s: Scenario) -> str:
    return f"{count(c.guaranteed_referrals_per_month)} a month" if c.guaranteed_referrals_per_month else "None"


def _ramp(c: Contract, s: Scenario) -> str:
    return months(c.ramp_up_months) if c.ramp_up_months else "Full referrals from the start"


def _wind_down(c: Contract, s: Scenario) -> str:
    return "Whole contract" if c.wind_down_months is None else months(c.wind_down_months)


def _pooled(c: Contract, s: Scenario) -> str:
    pooled = c.pooled_target_success_rate
    return "None" if pooled is None else f"A missed cohort is paid if all cohorts together reach {rate(pooled)}"


WORDS: dict[str, Callable[[Contract, Scenario], str]] = {
    "start_month": _start, "referrals_per_month": _referrals, "share_at_risk": _share,
    "payment_mode": _mode, "outcome_lag_months": _lags, "cost_per_referral": _costs,
    "late_payment": _late, "fee_per_referral": _fees, "outcome_payments": _stages,
    "guaranteed_referrals_per_month": _guarantee, "ramp_up_months": _ramp,
    "wind_down_months": _wind_down, "pooled_target_success_rate": _pooled,
    "cohort_months": lambda c, s: f"In cohorts of {months(c.cohort_months)}",
}


def _value(c: Contract, name: str) -> Any:
    return getattr(c, name)


def _uses(c: Contract, row: FieldSpec) -> bool:
    """Whether the contract's payment mode reads this term at all."""
    if c.payment_mode == "rate_card":
        return row.name not in SHARE_ONLY
    if row.name == "pooled_target_success_rate":
        return c.payment_mode == "threshold"
    return row.name not in RATE_CARD_ONLY


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


_ORGANISATION_WORDS: dict[str, Callable[[Scenario], str]] = {
    "organisation.overdraft_facility": lambda s: (money(s.organisation.overdraft_facility)
                                                  if s.organisation.overdraft_facility > 0
                                                  else "None: running out means going below £0"),
    "organisation.overdraft_interest_per_year": lambda s: (
        f"{rate(s.organisation.overdraft_interest_per_year)} a year, charged monthly on a balance below £0"),
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
