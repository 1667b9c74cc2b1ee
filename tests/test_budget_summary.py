"""The budget's own arithmetic behind the "months of reserves" hint, and importing a forecast
into a scenario as the user chose: exact sums done by hand."""
from __future__ import annotations

from dataclasses import replace

import pytest

from charityrisk.model.budget_import import imported_scenario
from charityrisk.model.budget_summary import (
    average_monthly_net,
    budgeted_months,
    line_amount,
    months_of_reserves,
    reserves_hint,
)
from charityrisk.model.forecast import ForecastImport
from charityrisk.model.scenario import BudgetLine, Organisation, Uncertain


def line(name, kind, amount, **kw):
    return BudgetLine(name=name, kind=kind, amount=Uncertain(amount / 2, amount, amount * 3), **kw)


LINES = (
    line("Grant", "income", 3000, start_month=1, end_month=6),
    line("Rent", "cost", 6000, every_months=3),  # months 1, 4, 7, 10
    line("Appeal", "income", 12000, start_month=9, every_months=12),
    line("Bid", "income", 50000, probability=0.3),  # a long shot: not in the budget
    line("Renewal", "income", 2000, start_month=7, end_month=12, probability=0.5),  # as likely as not
    line("Pay", "cost", 1000, growth_per_year=0.1),
)
ORG = Organisation(opening_reserves=45_000, monthly_other_income=Uncertain(8000, 10000, 12000),
                   monthly_core_costs=15_000, budget=LINES)


def test_each_month_by_hand():
    months = budgeted_months(ORG, horizon=36)
    assert [m.month for m in months] == list(range(1, 13))
    income = [10000 + (3000 if m <= 6 else 0) + (12000 if m == 9 else 0) + (2000 if m >= 7 else 0)
              for m in range(1, 13)]
    costs = [15000 + (6000 if m in (1, 4, 7, 10) else 0) + 1000 for m in range(1, 13)]
    assert [m.income for m in months] == income
    assert [m.costs for m in months] == costs


def test_months_of_reserves_by_hand():
    # in 150,000 + 12,000 renewal; out 216,000: net -54,000 over 12 months = -4,500 a month
    assert average_monthly_net(ORG, 36) == -4500
    assert months_of_reserves(ORG, 36) == 45_000 / 4500 == 10
    assert reserves_hint(ORG, 36) == ("About 10.0 months of reserves at your budgeted spending "
                                      "(£4,500 a month more out than in, over the first 12 months).")


def test_growth_applies_each_twelve_months_from_the_line_start():
    pay = LINES[-1]
    assert [line_amount(pay, m, 36) for m in (1, 12, 13, 24, 25)] == [1000, 1000, 1100, 1100, 1000 * 1.1 ** 2]
    late = replace(pay, start_month=5)
    assert [line_amount(late, m, 36) for m in (4, 5, 16, 17)] == [0, 1000, 1000, 1100]


def test_end_month_left_out_is_the_horizon_and_short_horizons_average_what_there_is():
    org = replace(ORG, budget=(line("Rent", "cost", 600),), monthly_other_income=Uncertain.fixed(0),
                  monthly_core_costs=0, opening_reserves=1500)
    assert [m.costs for m in budgeted_months(org, horizon=4)] == [600] * 4
    assert months_of_reserves(org, 4) == 2.5
    assert "over the first 4 months" in reserves_hint(org, 4)


def test_a_budget_in_surplus_says_so():
    org = replace(ORG, monthly_other_income=Uncertain.fixed(40_000))
    assert months_of_reserves(org, 36) is None
    assert reserves_hint(org, 36) == "Your budget brings in more than it spends over the first 12 months."


def test_no_reserves_and_a_deficit():
    org = replace(ORG, opening_reserves=-5000)
    assert months_of_reserves(org, 36) == 0
    assert reserves_hint(org, 36) == "No free reserves to cover your budgeted spending."


# ----- a forecast into a scenario -------------------------------------------------------------

def forecast(opening=None):
    return ForecastImport(
        sheet="Sheet1", month_labels=[f"M{i}" for i in range(1, 19)], opening_balance=opening,
        lines=[{"name": "Staff", "kind": "cost", "amount": 5000, "start_month": 1, "end_month": None,
                "every_months": 1, "growth_per_year": 0.0, "probability": 1.0},
               {"name": "Grant", "kind": "income", "amount": 4000, "start_month": 1, "end_month": 6,
                "every_months": 1, "growth_per_year": 0.0, "probability": 1.0}])


def scenario(example, **org):
    return replace(example, horizon_months=12, organisation=replace(ORG, **org))


def test_replacing_takes_the_forecast_as_the_whole_budget(example):
    s = imported_scenario(scenario(example), forecast(25_000), add=False, take_opening_balance=False)
    assert [b.name for b in s.organisation.budget] == ["Staff", "Grant"]
    assert s.organisation.budget[1].amount == Uncertain.fixed(4000) and s.organisation.budget[1].end_month == 6
    assert s.organisation.monthly_other_income == Uncertain.fixed(0) and s.organisation.monthly_core_costs == 0
    assert s.organisation.opening_reserves == 45_000  # not asked for
    assert s.horizon_months == 24  # 18 months of forecast, in whole years
    assert s.contracts == example.contracts and s.settings == example.settings


def test_adding_keeps_the_lines_and_flat_amounts_and_the_opening_balance_when_agreed(example):
    s = imported_scenario(scenario(example), forecast(25_000), add=True, take_opening_balance=True)
    assert [b.name for b in s.organisation.budget] == [b.name for b in LINES] + ["Staff", "Grant"]
    assert s.organisation.monthly_core_costs == 15_000
    assert s.organisation.opening_reserves == 25_000


def test_too_many_lines_are_refused(example):
    many = scenario(example, budget=LINES * 33)  # 198 + 2 fits, 204 does not
    assert len(imported_scenario(replace(many, organisation=replace(many.organisation, budget=LINES * 33)),
                                 forecast(), add=True, take_opening_balance=False).organisation.budget) == 200
    with pytest.raises(ValueError, match="the most a scenario holds is 200"):
        imported_scenario(scenario(example, budget=LINES * 34), forecast(), add=True,
                          take_opening_balance=False)


def pattern_forecast(first_year=2027, first_month=4):
    """A forecast with a version 3 pattern line (and the preview's low / high on it as scale)."""
    return ForecastImport(
        sheet="Sheet1", month_labels=[f"M{i}" for i in range(1, 13)],
        first_calendar_month=first_month, first_year=first_year,
        lines=[{"name": "Donations", "kind": "income", "monthly_amounts": [100] * 8 + [900, 100, 100, 100],
                "start_month": 1, "every_months": 1, "growth_per_year": 0, "probability": 0.9,
                "scale": {"low": 0.8, "likely": 1, "high": 1.1}}])


def test_a_pattern_line_is_imported_with_its_scale_and_month_1_named(example):
    s = imported_scenario(scenario(example), pattern_forecast(), add=False, take_opening_balance=False)
    (donations,) = s.organisation.budget
    assert donations.monthly_amounts == (100,) * 8 + (900, 100, 100, 100)
    assert donations.scale == Uncertain(0.8, 1, 1.1) and donations.probability == 0.9
    assert donations.base_amount(9) == 900 and donations.base_amount(21) == 900
    assert s.first_month == "2027-04"


def test_added_to_a_scenario_that_names_its_month_1_the_lines_keep_their_calendar_months(example):
    named = replace(scenario(example), first_month="2027-01")
    s = imported_scenario(named, pattern_forecast(2027, 4), add=True, take_opening_balance=False)
    assert s.first_month == "2027-01"  # the scenario's contracts keep their months
    donations = s.organisation.budget[-1]
    assert donations.start_month == 4 and donations.base_amount(12) == 900  # December still
    assert s.horizon_months == 15  # covers the forecast's year from April
    with pytest.raises(ValueError, match="before this scenario's month 1"):
        imported_scenario(named, pattern_forecast(2026, 12), add=True, take_opening_balance=False)
    replaced = imported_scenario(named, pattern_forecast(2026, 12), add=False, take_opening_balance=False)
    assert replaced.first_month == "2026-12"
