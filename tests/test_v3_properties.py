"""Invariants of version 3 scenarios, for scenarios hypothesis makes up: the flows' running
sum is the mean balance (interest subtracted), the baseline's too; reordering contracts (with
ids) and budget lines (distinct names) changes no figure; owed amounts are never negative
for a rate card."""
import dataclasses
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charityrisk.engine import simulate
from charityrisk.model.fileformat import parse_scenario_text

SETTINGS = dict(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

guess = st.tuples(st.floats(0.05, 0.5), st.floats(0.0, 0.3), st.floats(0.0, 0.3)).map(
    lambda t: {"low": t[0], "likely": min(1.0, t[0] + t[1]), "high": min(1.0, t[0] + t[1] + t[2])})


@st.composite
def scenarios(draw):
    horizon = draw(st.integers(6, 36))
    stages = [{"name": f"s{k}", "price": draw(st.integers(0, 400)), "rate": draw(guess),
               "lag_months": draw(st.integers(0, 8)), "payments": draw(st.integers(1, 6))}
              for k in range(draw(st.integers(1, 3)))]
    card = {"name": "card", "id": 7, "start_month": draw(st.integers(1, 4)),
            "duration_months": draw(st.integers(1, 24)), "referrals_per_month": {"low": 1, "likely": 4, "high": 8},
            "count_noise": draw(st.sampled_from(["poisson", "none"])), "payment_mode": "rate_card",
            "fee_per_referral": draw(st.lists(st.integers(0, 300), min_size=1, max_size=3)),
            "outcome_payments": stages, "cost_per_referral": 120, "fixed_monthly_cost": 800,
            "p_no_referrals": draw(st.sampled_from([0, 0.2])),
            "late_payment": {"probability": draw(st.sampled_from([0, 0.4])), "months": 2}}
    share = {"name": "share", "id": 3, "start_month": 2, "duration_months": 10, "referrals_per_month": 3,
             "price_per_referral": 900, "share_at_risk": 0.3, "payment_mode": "threshold", "fee_lag_months": 1,
             "success_rate": {"low": 0.2, "likely": 0.4, "high": 0.6},
             "target_success_rate": 0.45, "pooled_target_success_rate": 0.35, "cohort_months": 3,
             "outcome_lag_months": 4, "cost_per_referral": 300, "fixed_monthly_cost": 600}
    budget = [{"name": "Donations", "kind": "income", "monthly_amounts": draw(st.lists(st.integers(0, 3000),
                                                                                       min_size=1, max_size=12)),
               "scale": {"low": 0.7, "likely": 1, "high": 1.2}, "growth_per_year": 0.05},
              {"name": "Grant", "kind": "income", "amount": {"low": 1000, "likely": 2000, "high": 2500},
               "probability": 0.7},
              {"name": "Staff", "kind": "cost", "amount": 3500}]
    return {"version": 3, "horizon_months": horizon, "correlation": draw(st.sampled_from([0, 0.4])),
            "first_month": "2027-04",
            "organisation": {"opening_reserves": draw(st.integers(-5000, 20000)),
                             "overdraft_interest_per_year": draw(st.sampled_from([0, 0.08, 0.5])),
                             "budget": budget},
            "contracts": [card, share]}


@settings(**SETTINGS)
@given(data=scenarios(), seed=st.integers(0, 100))
def test_the_flows_running_sum_is_the_mean_balance(data, seed):
    s = parse_scenario_text(json.dumps(data))
    r = simulate(s, 300, seed)
    f = r.mean_flows_by_month
    opening = s.organisation.opening_reserves
    net = f["income"] - f["costs"] + f["contract_receipts"] - f["contract_costs"] - f["interest"]
    np.testing.assert_allclose(opening + np.cumsum(net), r.mean_balance_by_month, rtol=0, atol=1e-6)
    assert np.all(f["interest"] >= 0) and np.all(f["contract_receipts"] >= 0)
    assert r.expected_owed_after_horizon >= 0
    if s.organisation.overdraft_interest_per_year == 0:
        np.testing.assert_allclose(r.baseline.mean_balance_by_month, opening + np.cumsum(f["income"] - f["costs"]),
                                   rtol=0, atol=1e-6)


@settings(**SETTINGS)
@given(data=scenarios(), seed=st.integers(0, 100), turn=st.permutations([0, 1, 2]))
def test_reordering_contracts_with_ids_and_budget_lines_changes_no_figure(data, seed, turn):
    s = parse_scenario_text(json.dumps(data))
    moved = dict(data, contracts=data["contracts"][::-1])
    moved["organisation"] = dict(data["organisation"], budget=[data["organisation"]["budget"][i] for i in turn])
    t = parse_scenario_text(json.dumps(moved))
    a, b = simulate(s, 300, seed), simulate(t, 300, seed)
    assert a.p_run_out == b.p_run_out and np.array_equal(a.run_out_month, b.run_out_month)
    for key in ("5", "50", "95"):
        np.testing.assert_allclose(a.balance_percentiles[key], b.balance_percentiles[key], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(a.mean_balance_by_month, b.mean_balance_by_month, rtol=1e-12, atol=1e-6)
    assert np.isclose(a.expected_owed_after_horizon, b.expected_owed_after_horizon, rtol=1e-12, atol=1e-6)


@settings(**SETTINGS)
@given(data=scenarios(), month=st.integers(1, 12))
def test_first_month_changes_no_figure(data, month):
    s = parse_scenario_text(json.dumps(data))
    t = dataclasses.replace(s, first_month=f"2031-{month:02d}")
    assert json.dumps(simulate(s, 200, 1).to_json_dict()) == json.dumps(simulate(t, 200, 1).to_json_dict())
