"""A parsed cash-flow forecast put into a scenario, as the user chose (File > Import).

``model.forecast.apply_forecast`` takes the forecast as the charity's whole budget.  In the
app the user has a say: the forecast's lines either replace the budget lines there are or are
added to them, and the forecast's opening balance becomes the opening reserves only if they
agree.  Contracts and settings are always kept.
"""
from __future__ import annotations

from dataclasses import replace

from .fields import MAX_HORIZON, MAX_ITEMS
from .forecast import ForecastImport, budget_lines
from .scenario import Scenario, Uncertain

MAX_LINES = MAX_ITEMS["organisation.budget"]


def imported_scenario(scenario: Scenario, forecast: ForecastImport, *, add: bool,
                      take_opening_balance: bool) -> Scenario:
    """The scenario with the forecast's lines.

    ``add`` False replaces the budget: the forecast then holds the whole budget, so the flat
    other income and core costs become £0 (else they would be counted twice).  ``add`` True
    puts the lines after those there are and keeps the flat amounts as typed.  The horizon grows
    to cover the forecast if it is shorter.  ``first_month`` becomes the sheet's first month; when
    adding to a scenario that already names its month 1, that name stays and the forecast's
    lines move to the calendar months the sheet gives them (a forecast starting earlier is
    refused).  Raises ValueError past the limit on lines.
    """
    org = scenario.organisation
    new = budget_lines(forecast)
    first_month = forecast.first_month or scenario.first_month
    shift = 0
    if add and scenario.first_month and forecast.first_month:
        # Added to a budget whose month 1 is already a calendar month: the forecast's lines
        # go in the calendar months the sheet gives them, so month 1 keeps its name.
        shift = _months_between(scenario.first_month, forecast.first_month)
        if shift < 0:
            raise ValueError(f"the forecast starts in {forecast.month_label(1)}, before this "
                             f"scenario's month 1 ({scenario.first_month}); replace the budget "
                             "with it instead, or make the scenario start earlier")
        new = tuple(replace(line, start_month=line.start_month + shift,
                            end_month=None if line.end_month is None else line.end_month + shift)
                    for line in new)
        first_month = scenario.first_month
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
    # Month 1 named as the sheet's headings name it (or, when adding, as the scenario did).
    horizon = min(MAX_HORIZON, max(scenario.horizon_months, forecast.horizon_months + shift))
    return replace(scenario, organisation=org, first_month=first_month, horizon_months=horizon)


def _months_between(first: str, later: str) -> int:
    """Months from one "YYYY-MM" to another (negative when ``later`` is earlier)."""
    (y1, m1), (y2, m2) = (map(int, first.split("-")), map(int, later.split("-")))
    return (y2 - y1) * 12 + (m2 - m1)
