"""Version 3 budget lines with ``monthly_amounts`` and ``scale`` (domain.md): entry k falls in
month start_month + k - 1, the list repeats until end_month, growth by whole years from
start_month, ``scale`` drawn once per future (income-like or cost-like), and every error."""
import copy
import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charityrisk.engine import simulate
from charityrisk.engine.budget import budget_parts
from charityrisk.engine.sampling import FutureDraws
from charityrisk.engine.simulate import simulate_block
from charityrisk.model import Uncertain
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_dict
from charityrisk.model.problems import ScenarioError
from charityrisk.model.scenario import BudgetLine
from scenario_factory import make_scenario

PENNY = 0.005


def quiet(horizon, *lines, opening=0.0, **kw):
    s = make_scenario(contracts=[], horizon_months=horizon, opening_reserves=opening, monthly_other_income=0,
                      monthly_core_costs=0, **kw)
    return dataclasses.replace(s, organisation=dataclasses.replace(s.organisation, budget=tuple(lines)))


def pattern(name, kind, amounts, scale=1.0, **kw):
    u = scale if isinstance(scale, Uncertain) else Uncertain.fixed(scale)
    return BudgetLine(name, kind, Uncertain.fixed(0.0), monthly_amounts=tuple(amounts), scale=u, **kw)


def flows(s, n=3, seed=2):
    r = simulate(s, n, seed)
    return r.mean_flows_by_month["income"], r.mean_flows_by_month["costs"], r


def test_a_pattern_falls_from_its_start_month_and_repeats_until_its_end():
    # Entries 100, 200, 300 from month 3 to month 10: 100, 200, 300, 100, 200, 300, 100, 200.
    s = quiet(12, pattern("Shop", "income", [100, 200, 300], start_month=3, end_month=10))
    income, costs, r = flows(s)
    np.testing.assert_allclose(income, [0, 0, 100, 200, 300, 100, 200, 300, 100, 200, 0, 0], atol=PENNY)
    np.testing.assert_allclose(r.mean_balance_by_month, np.cumsum(income), atol=PENNY)
    assert not costs.any()


def test_growth_applies_by_whole_years_to_listed_entries_and_repeats():
    # A yearly pattern 10, 20, ..., 120 from month 1 with 10% growth: months 1-12 as listed,
    # months 13-24 each 1.1 times (11 in month 13, 132 in month 24).  A 14-entry list also
    # grows in its 13th and 14th entries (listed, but in the second year): 130 x 1.1, 140 x 1.1.
    yearly = [10.0 * k for k in range(1, 13)]
    income, _, _ = flows(quiet(24, pattern("Donations", "income", yearly, growth_per_year=0.1)))
    np.testing.assert_allclose(income, yearly + [1.1 * x for x in yearly], atol=PENNY)
    longer = [10.0 * k for k in range(1, 15)]
    income, _, _ = flows(quiet(16, pattern("Donations", "income", longer, growth_per_year=0.1)))
    np.testing.assert_allclose(income, longer[:12] + [143, 154, 11, 22], atol=PENNY)


def test_a_cost_pattern_with_a_fixed_scale():
    s = quiet(6, pattern("Heating", "cost", [300, 200, 50], scale=1.5), opening=2000)
    _, costs, r = flows(s)
    np.testing.assert_allclose(costs, [450, 300, 75, 450, 300, 75], atol=PENNY)
    np.testing.assert_allclose(r.mean_balance_by_month, [1550, 1250, 1175, 725, 425, 350], atol=PENNY)


@pytest.mark.parametrize("kind", ["income", "cost"])
@pytest.mark.parametrize("correlation", [0.0, 0.5])
def test_the_scale_draws_as_an_amount_of_the_same_name_would(kind, correlation):
    """A one-entry pattern of 1 scaled by U pays exactly what an amount U pays: the scale is
    drawn from the line's amount stream, income-like or cost-like as its kind."""
    u = Uncertain(700, 1000, 1600)
    a = BudgetLine("Grant", kind, u, probability=0.7)
    b = pattern("Grant", kind, [1.0], scale=u, probability=0.7)
    draws = FutureDraws(9, 0, 2000, correlation)
    got_a = budget_parts([a], draws, 5)[kind].flows()
    got_b = budget_parts([b], FutureDraws(9, 0, 2000, correlation), 5)[kind].flows()
    np.testing.assert_array_equal(got_a, got_b)


def test_the_scale_is_drawn_once_per_future():
    u = Uncertain(0.8, 1.0, 1.1)
    s = quiet(12, pattern("Shop", "income", [100, 250, 50], scale=u))
    n = 4000
    b = simulate_block(s, n, 3, 0).balances
    income = np.diff(b, axis=1, prepend=0)
    ratio = income / np.array([100, 250, 50] * 4)
    assert np.allclose(ratio, ratio[:, :1])  # one scale a future
    scale = ratio[:, 0]
    assert scale.min() >= 0.8 - 1e-12 and scale.max() <= 1.1 + 1e-12
    sd = math.sqrt((u.mean - u.low) * (u.high - u.mean) / 7)
    assert abs(scale.mean() - u.mean) < 4 * sd / math.sqrt(n)


@settings(max_examples=10, deadline=None)
@given(year=st.integers(2000, 2050), month=st.integers(1, 12))
def test_where_entries_fall_does_not_depend_on_first_month(year, month):
    s = quiet(15, pattern("Donations", "income", [5, 10, 90], start_month=2))
    dated = dataclasses.replace(s, first_month=f"{year}-{month:02d}")
    assert list(flows(s)[0]) == list(flows(dated)[0])


# --- the file -------------------------------------------------------------------------------

BASE = scenario_to_dict(quiet(24, BudgetLine("Rent", "cost", Uncertain.fixed(900))))


def with_line(**line):
    data = copy.deepcopy(BASE)
    data["organisation"]["budget"] = [{"name": "Donations", "kind": "income", **line}]
    return data


def problems(data):
    with pytest.raises(ScenarioError) as error:
        parse_scenario_text(json.dumps(data))
    return [(p.path, p.code) for p in error.value.problems], error.value.problems


def test_a_pattern_line_is_written_and_read_back():
    data = with_line(monthly_amounts=[100, 200.5, 0], scale={"low": 0.8, "likely": 1, "high": 1.2}, start_month=2)
    s = parse_scenario_text(json.dumps(data))
    line = s.organisation.budget[0]
    assert line.monthly_amounts == (100, 200.5, 0) and line.scale == Uncertain(0.8, 1, 1.2)
    written = scenario_to_dict(s)["organisation"]["budget"][0]
    assert written["monthly_amounts"] == [100, 200.5, 0] and "amount" not in written
    assert written["scale"] == {"low": 0.8, "likely": 1, "high": 1.2}
    assert parse_scenario_text(json.dumps(scenario_to_dict(s))) == s
    plain = parse_scenario_text(json.dumps(with_line(monthly_amounts=[5])))
    assert "scale" not in scenario_to_dict(plain)["organisation"]["budget"][0]
    older = dict(data, version=2)
    warnings: list = []
    assert parse_scenario_text(json.dumps(older), warnings) == s
    assert sorted(w.path for w in warnings) == ["organisation.budget[0].monthly_amounts",
                                               "organisation.budget[0].scale"]


@pytest.mark.parametrize("line,expected", [
    ({"amount": 100, "monthly_amounts": [1, 2]}, ("organisation.budget[0].monthly_amounts", "conflict")),
    ({}, ("organisation.budget[0].amount", "required")),
    ({"monthly_amounts": [1, 2], "every_months": 3}, ("organisation.budget[0].every_months", "conflict")),
    ({"amount": 100, "scale": 1.2}, ("organisation.budget[0].scale", "conflict")),
    ({"monthly_amounts": [1.0] * 121}, ("organisation.budget[0].monthly_amounts", "count")),
    ({"monthly_amounts": []}, ("organisation.budget[0].monthly_amounts", "count")),
    ({"monthly_amounts": [1, -5]}, ("organisation.budget[0].monthly_amounts[1]", "range")),
    ({"monthly_amounts": [1, "ten"]}, ("organisation.budget[0].monthly_amounts[1]", "type")),
    ({"monthly_amounts": "100 a month"}, ("organisation.budget[0].monthly_amounts", "type")),
    ({"monthly_amounts": [1], "scale": -0.5}, ("organisation.budget[0].scale", "range")),
])
def test_every_pattern_error_names_its_key(line, expected):
    found, raw = problems(with_line(**line))
    assert found == [expected]
    assert str(raw[0]).startswith(expected[0] + ": ")


def test_the_words_of_the_pattern_errors():
    _, [p] = problems(with_line(amount=100, monthly_amounts=[1]))
    assert p.message == "cannot be given with amount; give one or the other"
    _, [p] = problems(with_line(monthly_amounts=[1], every_months=3))
    assert p.message == "must be 1 with monthly_amounts (got 3)" and p.limits["got"] == 3
    _, [p] = problems(with_line(monthly_amounts=[1.0] * 121))
    assert p.message == "must hold 1 to 120 monthly amounts (got 121)"
    assert (p.limits["lo"], p.limits["hi"], p.limits["count"]) == (1, 120, 121)
    _, [p] = problems(with_line())
    assert p.message == "is required, or monthly_amounts instead"


def test_the_budget_summary_reads_a_pattern_at_its_most_likely_scale():
    from charityrisk.model.budget_summary import line_amount
    line = pattern("Donations", "income", [100, 200, 300], scale=Uncertain(0.5, 2.0, 3.0), start_month=2,
                   growth_per_year=0.1)
    assert [line_amount(line, m, 24) for m in (1, 2, 3, 4, 5)] == [0, 200, 400, 600, 200]
    assert line_amount(line, 14, 24) == pytest.approx(200 * 1.1)
