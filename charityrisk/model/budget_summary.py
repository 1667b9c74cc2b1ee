"""What the budget says a month, by plain arithmetic on its most likely values.

This is not the engine's risk: no draws, no futures.  It is the sum a finance lead would do on
their own spreadsheet, used for the form's "months of reserves" hint: income and costs of each
of the first months, from the flat other income and core costs and every budget line.

A line counts at its most likely amount, with its growth, in the months it falls in.  Its
chance of happening is treated as a most likely outcome too: a line that is at least as likely
as not (50% or more) counts in full, a less likely one (a long-shot bid) not at all.  Weighting
by the chance would give amounts that never happen in any one future.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .scenario import BudgetLine, Organisation

HINT_MONTHS = 12  # the hint looks at the first year, the span of a charity's budget
LIKELY_ENOUGH = 0.5


@dataclass(frozen=True)
class MonthBudget:
    month: int  # 1 is next month
    income: float
    costs: float

    @property
    def net(self) -> float:
        return self.income - self.costs


def line_amount(line: BudgetLine, month: int, horizon: int) -> float:
    """The line's most likely payment in ``month`` (0 in months it does not fall in)."""
    if line.probability < LIKELY_ENOUGH:
        return 0.0
    if month < line.start_month or month > line.last_month(horizon):
        return 0.0
    since = month - line.start_month
    if since % line.every_months:
        return 0.0
    return line.base_amount(month) * line.scale.likely * line.growth(month)


def budgeted_months(organisation: Organisation, horizon: int,
                    months: int = HINT_MONTHS) -> list[MonthBudget]:
    """Income and costs of each of the first ``months`` months (at most the horizon)."""
    return [_month(organisation, organisation.budget, m, horizon)
            for m in range(1, min(months, horizon) + 1)]


def _month(org: Organisation, lines: Sequence[BudgetLine], month: int, horizon: int) -> MonthBudget:
    income = org.monthly_other_income.likely
    costs = org.monthly_core_costs
    for line in lines:
        amount = line_amount(line, month, horizon)
        if line.kind == "income":
            income += amount
        else:
            costs += amount
    return MonthBudget(month, income, costs)


def average_monthly_net(organisation: Organisation, horizon: int, months: int = HINT_MONTHS) -> float:
    """Average budgeted income less costs a month over the first ``months`` months."""
    rows = budgeted_months(organisation, horizon, months)
    return sum(r.net for r in rows) / len(rows) if rows else 0.0


def months_of_reserves(organisation: Organisation, horizon: int,
                       months: int = HINT_MONTHS) -> float | None:
    """Opening reserves divided by the average monthly net outflow; None when the budget brings
    in at least as much as it spends (the reserves are not being used up)."""
    outflow = -average_monthly_net(organisation, horizon, months)
    if outflow <= 0:
        return None
    return max(organisation.opening_reserves, 0.0) / outflow


def reserves_hint(organisation: Organisation, horizon: int, months: int = HINT_MONTHS) -> str:
    """The hint in plain words, e.g. "About 4.5 months of reserves at your budgeted spending"."""
    net = average_monthly_net(organisation, horizon, months)
    span = min(months, horizon)
    period = f"over the first {span} months" if span != 1 else "in the first month"
    if net > 0:
        return f"Your budget brings in more than it spends {period}."
    if net == 0:
        return f"Your budget brings in what it spends {period}."
    covered = months_of_reserves(organisation, horizon, months) or 0.0
    if covered == 0:
        return "No free reserves to cover your budgeted spending."
    return (f"About {covered:.1f} months of reserves at your budgeted spending "
            f"(£{-net:,.0f} a month more out than in, {period}).")
