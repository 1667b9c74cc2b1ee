"""A scenario without a budget: no verdict, but "the budget is missing".

With no budget lines and £0 other income and £0 core costs a month, the only money in the
simulation is the contract's and the reserves: the chance of running out then says nothing
about the charity, and a green "within the appetite" would be read as an answer.  The results
panel and the board pack's first page say instead that the budget is missing, in the words
here, and the app shows no charts; the rule is here too, so both say it of the same scenarios.
"""
from __future__ import annotations

from ..engine.verdict import Verdict
from ..model.fields import spec_of
from ..model.scenario import Scenario
from .text import verdict_words

# The level a missing budget is drawn at: neither safe nor unsafe (grey in the app; the board
# pack falls back to its amber "close" box for a level it has no colours of).
MISSING_LEVEL = "stale"


def budget_missing(s: Scenario) -> bool:
    """No budget lines, and other income and core costs both £0 (every guess of the income)."""
    org = s.organisation
    income = org.monthly_other_income
    return not org.budget and income.low == income.likely == income.high == 0 and org.monthly_core_costs == 0


def missing_sentence() -> str:
    """What is missing and what to do, naming the inputs as the form does."""
    income = spec_of("organisation", "monthly_other_income").label
    costs = spec_of("organisation", "monthly_core_costs").label
    lines = spec_of("organisation", "budget").label.lower()
    return (f"Your budget is missing: there are no {lines}, and “{income}” and “{costs}” are both £0, "
            "so the chance of running out says nothing yet about your charity. Add your budget lines "
            "or import your cash-flow forecast, then look again. No verdict is given until then.")


def missing_hint() -> str:
    """The form's line under the budget lines while the budget is missing (its sum would
    otherwise say the budget "brings in what it spends")."""
    income = spec_of("organisation", "monthly_other_income").label
    costs = spec_of("organisation", "monthly_core_costs").label
    return (f"Your budget is missing: add your budget lines, import your forecast, or fill in "
            f"“{income}” and “{costs}”.")


def missing_charts() -> str:
    """The charts' place while the budget is missing: charts of the contract's money alone
    would be read as the charity's."""
    return "Charts of your cash appear here once your budget is in."


def verdict_line(s: Scenario, judged: Verdict, appetite: float) -> str:
    """The verdict's line (the board pack's "Verdict: ..."), or the missing budget's sentence."""
    return missing_sentence() if budget_missing(s) else f"Verdict: {verdict_words(judged, appetite)}"


def verdict_level(s: Scenario, judged: Verdict) -> str:
    """The colour level of the verdict, or MISSING_LEVEL when the budget is missing."""
    return MISSING_LEVEL if budget_missing(s) else judged.level


__all__ = ["MISSING_LEVEL", "budget_missing", "missing_charts", "missing_sentence", "verdict_level",
           "verdict_line"]
