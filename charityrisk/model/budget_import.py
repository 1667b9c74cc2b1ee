"""A parsed cash-flow forecast put into a scenario, as the user chose (File > Import).

``model.forecast.apply_forecast`` takes the forecast as the charity's whole budget.  In the
app the user has a say: the forecast's lines either replace the budget lines there are or are
added to them, and the forecast's opening balance becomes the opening reserves only if they
agree.  Contracts and settings are always kept.
"""
from __future__ import annotations

from dataclasses import replace

from .fields import MAX_ITEMS
from .forecast import ForecastImport, budget_lines
from .scenario import Scenario, Uncertain

MAX_LINES = MAX_ITEMS["organisation.budget"]


def imported_scenario(scenario: Scenario, forecast: ForecastImport, *, add: bool,
                      take_opening_balance: bool) -> Scenario:
    """The scenario with the forecast's lines.

    ``add`` False replaces the budget: the forecast then holds the whole budget, so the flat
    other income and core costs become £0 (else they would be counted twice).  ``add`` True
    puts the lines after those there are and keeps the flat amounts as typed.  The horizon grows
    to cover the forecast if it is shorter.  Raises ValueError past the limit on lines.
    """
    org = scenario.organisation
    new = budget_lines(forecast)
    if add:
        lines = org.budget + new
        org = replace(org, budget=lines)
    else:
        lines = new
        org = replace(org, budget=lines, monthly_other_income=Uncertain.fixed(0.0),
                      monthly_core_costs=0.0)
    if len(lines) > MAX_LINES:
        raise ValueError(f"that makes {len(lines)} budget lines; the most a scenario holds is {MAX_LINES}")
    if take_opening_balance and forecast.opening_balance is not None:
        org = replace(org, opening_reserves=float(forecast.opening_balance))
    # Month 1 is the forecast's first month: name it, as the sheet's headings do.
    return replace(scenario, organisation=org, first_month=forecast.first_month or scenario.first_month,
                   horizon_months=max(scenario.horizon_months, forecast.horizon_months))
