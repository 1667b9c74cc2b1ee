"""Version 3's overdraft interest (domain.md): interest_t = max(0, -B_(t-1)) x rate / 12, on the
previous month's closing balance (B_0 the opening reserves), compounding, not rounded, after
running out too, in the baseline too; ``mean_flows_by_month.interest``; the baseline's mean
balance.  Exact cases by hand; a per-future loop as the reference for the vectorised code."""
import dataclasses
import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charityrisk.engine import simulate
from charityrisk.engine.decisions.workspace import Workspace
from charityrisk.engine.simulate import charge_interest, simulate_block
from charityrisk.model import Uncertain
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_dict
from charityrisk.model.problems import ScenarioError
from scenario_factory import make_scenario
from test_decisions_v2 import CHANGES, v2

PENNY = 0.005
FLOWS = ("income", "costs", "contract_receipts", "contract_costs", "interest")


def with_interest(s, rate, **org):
    return dataclasses.replace(s, organisation=dataclasses.replace(s.organisation, overdraft_interest_per_year=rate,
                                                                   **org))


def test_the_worked_example_with_12_percent_interest():
    # Month 3 closes at -100: month 4 pays 100 x 0.12 / 12 = 1, and every later balance is 1
    # lower (2,500; 300; -100; 699; 299; 2,799; 2,299; 1,799).  The baseline (2,000 a month
    # less 2,500: 2,500 ... 0, -500) pays 5 in month 8 on month 7's -500: -1,005.
    s = with_interest(make_scenario(), 0.12)
    r = simulate(s, 20, 3)
    np.testing.assert_allclose(r.mean_balance_by_month, [2500, 300, -100, 699, 299, 2799, 2299, 1799], atol=PENNY)
    np.testing.assert_allclose(r.balance_percentiles["50"], r.mean_balance_by_month, atol=PENNY)
    np.testing.assert_allclose(r.mean_flows_by_month["interest"], [0, 0, 0, 1, 0, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(r.baseline.mean_balance_by_month,
                               [2500, 2000, 1500, 1000, 500, 0, -500, -1005], atol=PENNY)
    np.testing.assert_allclose(r.baseline.balance_percentiles["5"], r.baseline.mean_balance_by_month, atol=PENNY)
    assert r.working_capital_needed_95 == pytest.approx(100)  # the lowest is still -100 (month 3)
    d = r.to_json_dict()
    assert d["mean_flows_by_month"]["interest"] == pytest.approx([0, 0, 0, 1, 0, 0, 0, 0])
    assert d["baseline"]["mean_balance_by_month"][-1] == pytest.approx(-1005)


def test_interest_compounds_and_goes_on_after_running_out():
    # Opening -1,000, nothing else, 12% a year: -1,010; -1,020.10; -1,030.301 (not rounded).
    s = with_interest(make_scenario(contracts=[], horizon_months=3, opening_reserves=-1000,
                                    monthly_other_income=0, monthly_core_costs=0), 0.12)
    r = simulate(s, 10, 1)
    np.testing.assert_allclose(r.mean_balance_by_month, [-1010, -1020.1, -1030.301], rtol=0, atol=1e-9)
    np.testing.assert_allclose(r.mean_flows_by_month["interest"], [10, 10.1, 10.201], rtol=0, atol=1e-9)
    assert r.p_run_out == 1 and list(r.p_run_out_by_month) == [1, 1, 1]


def test_no_interest_is_a_list_of_zeros_and_changes_nothing():
    s = make_scenario()
    r = simulate(s, 50, 2)
    assert list(r.mean_flows_by_month["interest"]) == [0.0] * 8
    again = simulate(with_interest(s, 0.0), 50, 2)
    assert json.dumps(r.to_json_dict()) == json.dumps(again.to_json_dict())


def reference(opening, net, rate):
    """The rule, one future and one month at a time."""
    out = np.empty_like(net)
    for f in range(net.shape[0]):
        b = opening
        for t in range(net.shape[1]):
            b = b + net[f, t] - max(0.0, -b) * rate / 12
            out[f, t] = b
    return out


@settings(max_examples=40, deadline=None)
@given(opening=st.floats(-5000, 5000), rate=st.floats(0.001, 1.0), seed=st.integers(0, 10**6),
       months=st.integers(1, 30))
def test_the_vectorised_charge_is_the_rule_future_by_future(opening, rate, seed, months):
    rng = np.random.default_rng(seed)
    net = rng.normal(0, 1500, size=(25, months))
    balances = opening + np.cumsum(net, axis=1)
    paid = charge_interest(opening, balances, rate)
    want = reference(opening, net, rate)
    np.testing.assert_allclose(balances, want, rtol=0, atol=1e-6)
    before = np.concatenate([np.full((25, 1), opening), want[:, :-1]], axis=1)
    np.testing.assert_allclose(paid, (np.maximum(0, -before) * rate / 12).sum(axis=0), rtol=1e-9, atol=1e-9)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rate=st.floats(0.0, 1.0), opening=st.floats(-20000, 30000), seed=st.integers(0, 1000))
def test_the_flows_running_sum_is_the_mean_balance(rate, opening, seed):
    s = with_interest(make_scenario(referrals_per_month={"low": 1, "likely": 3, "high": 6},
                                    success_rate={"low": 0.2, "likely": 0.5, "high": 0.8},
                                    count_noise="poisson", opening_reserves=opening), rate)
    r = simulate(s, 300, seed)
    f = r.mean_flows_by_month
    net = f["income"] - f["costs"] + f["contract_receipts"] - f["contract_costs"] - f["interest"]
    np.testing.assert_allclose(opening + np.cumsum(net), r.mean_balance_by_month, rtol=0, atol=1e-6)
    assert np.all(f["interest"] >= 0)
    # and it is the average of the balances simulated
    b = simulate_block(s, 300, seed, 0).balances  # 300 futures: one block
    np.testing.assert_allclose(b.mean(axis=0), r.mean_balance_by_month, rtol=0, atol=1e-6)


def test_validation_and_the_file():
    data = scenario_to_dict(make_scenario())
    data["organisation"]["overdraft_interest_per_year"] = 1.2
    with pytest.raises(ScenarioError) as error:
        parse_scenario_text(json.dumps(data))
    [p] = error.value.problems
    assert (p.path, p.code, p.limits["lo"], p.limits["hi"]) == ("organisation.overdraft_interest_per_year",
                                                                "range", 0, 1)
    data["organisation"]["overdraft_interest_per_year"] = 0.08
    s = parse_scenario_text(json.dumps(data))
    assert s.organisation.overdraft_interest_per_year == 0.08
    assert scenario_to_dict(s)["organisation"]["overdraft_interest_per_year"] == 0.08
    assert "overdraft_interest_per_year" not in scenario_to_dict(make_scenario())["organisation"]
    data["version"] = 2
    warnings: list = []
    parse_scenario_text(json.dumps(data), warnings)
    assert [(w.path, w.code) for w in warnings] == [("organisation.overdraft_interest_per_year", "newer")]


@pytest.mark.parametrize("correlation", [0.0, 0.45])
def test_the_decision_workspace_charges_interest_as_the_simulation_does(correlation):
    s = v2(correlation)
    s = with_interest(s, 0.25, opening_reserves=s.organisation.opening_reserves * 0.6)
    paths, seed = 1500, 7
    ws = Workspace.build(s, paths, seed)
    base = simulate(s, paths, seed)
    assert 0.02 < base.p_run_out < 0.95
    assert np.array_equal(ws.run_out(), base.run_out_month > 0)
    np.testing.assert_allclose(ws.lowest_before_opening() + s.organisation.opening_reserves, base.lowest_balance,
                               rtol=0, atol=1e-6)
    c = s.contracts[0]
    for change in CHANGES[:8] + CHANGES[-4:]:
        ours = ws.run_out_contract(0, replace(c, **change))
        theirs = simulate(s.with_contract(0, **change), paths, seed)
        assert np.array_equal(ours, theirs.run_out_month > 0), change
        np.testing.assert_allclose(ws.lowest_contract(0, replace(c, **change)), theirs.lowest_balance,
                                   rtol=0, atol=1e-6)
    for change in [{"overdraft_interest_per_year": 0.0}, {"overdraft_interest_per_year": 0.6},
                   {"monthly_other_income": Uncertain.fixed(11500)}]:
        ours = ws.run_out(replace(s.organisation, **change))
        assert np.array_equal(ours, simulate(s.with_organisation(**change), paths, seed).run_out_month > 0), change
