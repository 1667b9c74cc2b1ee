"""Decision tools on version 2 scenarios: the Workspace sees exactly the model the
simulation sees (budget lines, correlation, guarantee, ramp-up, wind-down, exit cost), the
new goal seeks, and the new tornado terms.  No Qt."""
from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.decisions import SOLVABLE, Workspace, goal_seek, sensitivity, solve
from charityrisk.engine.decisions.goalseek import shifted
from charityrisk.model import LatePayment, Uncertain, scenario_from_dict
from charityrisk.report import decision_text

# A small charity with a budget of its own, bad surprises that come together, and a PbR
# contract with every version 2 term.
V2 = {
    "format": "charityrisk-scenario", "version": 2,
    "name": "v2 charity", "horizon_months": 30, "correlation": 0.45,
    "organisation": {
        "opening_reserves": 30000, "monthly_core_costs": 12000,
        "monthly_other_income": {"low": 10500, "likely": 12000, "high": 13000},
        "budget": [
            {"name": "Trust grant", "kind": "income", "amount": {"low": 2000, "likely": 3000, "high": 3500},
             "end_month": 18, "probability": 0.7},
            {"name": "Rent review", "kind": "cost", "amount": {"low": 500, "likely": 800, "high": 1500},
             "start_month": 7, "every_months": 3, "growth_per_year": 0.05, "probability": 0.6},
            {"name": "Appeal", "kind": "income", "amount": 6000, "start_month": 12, "every_months": 12},
        ]},
    "contracts": [{
        "name": "mentoring", "start_month": 2, "duration_months": 20,
        "referrals_per_month": {"low": 4, "likely": 7, "high": 9}, "p_no_referrals": 0.15,
        "guaranteed_referrals_per_month": 2, "ramp_up_months": 4, "wind_down_months": 5, "exit_cost": 4000,
        "price_per_referral": 1100, "share_at_risk": 0.4, "payment_mode": "earn", "fee_lag_months": 1,
        "success_rate": {"low": 0.3, "likely": 0.45, "high": 0.55}, "target_success_rate": 0.5,
        "cohort_months": 3, "outcome_lag_months": 9, "cost_per_referral": 350,
        "fixed_monthly_cost": 3000, "late_payment": {"probability": 0.3, "months": 2}}],
    "simulation": {"paths": 3000, "seed": 3, "risk_appetite": 0.05},
}


def v2(correlation=0.45, contract=None, contracts=None, **org):
    data = copy.deepcopy(V2)
    data["correlation"] = correlation
    data["organisation"].update(org)
    data["contracts"][0].update(contract or {})
    if contracts is not None:
        data["contracts"] = contracts
    return scenario_from_dict(data)


# Every kind of change to the contract, the new terms included.
CHANGES = [
    {"share_at_risk": 0.1}, {"price_per_referral": 1400}, {"outcome_lag_months": 2}, {"fee_lag_months": 4},
    {"cost_per_referral": 420, "fixed_monthly_cost": 2500}, {"late_payment": LatePayment(0.6, 4)},
    {"late_payment": LatePayment(0.0, 0)}, {"exit_cost": 0.0}, {"exit_cost": 15000.0},
    {"guaranteed_referrals_per_month": 0.0}, {"guaranteed_referrals_per_month": 5.5},
    {"ramp_up_months": 0}, {"ramp_up_months": 9}, {"wind_down_months": None}, {"wind_down_months": 0},
    {"wind_down_months": 2, "p_no_referrals": 0.4}, {"p_no_referrals": 0.0},
    {"success_rate": shifted(Uncertain(0.3, 0.45, 0.55), 0.6)}, {"payment_mode": "clawback"},
    {"payment_mode": "threshold", "cohort_months": 6}, {"referrals_per_month": Uncertain(4, 7, 9).scaled(1.3)},
    {"count_noise": "none"}, {"start_month": 5, "duration_months": 12},
]


@pytest.mark.parametrize("correlation", [0.0, 0.45])
@pytest.mark.parametrize("two_contracts", [False, True])
def test_workspace_sees_the_simulation_of_version_2_scenarios(correlation, two_contracts):
    """The Workspace's futures are simulate()'s, future by future (same paths and seed), for
    the scenario itself, every kind of change to a contract and to the organisation.
    Exact: both sum the same flows; only float rounding of the order of 1e-10 differs,
    far inside the half-penny of the run-out rule."""
    contracts = None
    if two_contracts:
        second = dict(copy.deepcopy(V2["contracts"][0]), name="second", start_month=6, duration_months=10,
                      payment_mode="threshold", guaranteed_referrals_per_month=0, wind_down_months=None)
        contracts = [copy.deepcopy(V2["contracts"][0]), second]
    s = v2(correlation, contracts=contracts)
    paths, seed = 1500, 7
    ws = Workspace.build(s, paths, seed)
    base = simulate(s, paths, seed)
    assert 0.02 < base.p_run_out < 0.9  # the test can tell futures apart
    assert np.array_equal(ws.run_out(), base.run_out_month > 0)
    assert np.allclose(ws.lowest_before_opening() + s.organisation.opening_reserves, base.lowest_balance)
    c = s.contracts[0]
    for change in CHANGES:
        ours = ws.run_out_contract(0, replace(c, **change))
        theirs = simulate(s.with_contract(0, **change), paths, seed)
        assert np.array_equal(ours, theirs.run_out_month > 0), change
    for change in [{"opening_reserves": 45000}, {"overdraft_facility": 9000}, {"monthly_core_costs": 11000},
                   {"monthly_other_income": Uncertain.fixed(11500)}]:
        ours = ws.run_out(replace(s.organisation, **change))
        assert np.array_equal(ours, simulate(s.with_organisation(**change), paths, seed).run_out_month > 0), change


def test_goal_seeks_at_the_scenarios_own_values_report_the_simulations_risk():
    s = v2()
    sol = solve(s, paths=2000, seed=5)
    p = simulate(s, 2000, 5).p_run_out
    assert sol.p_run_out == p
    for g in sol.goals:
        assert g.p_run_out_current == p
        if g.value is not None:  # the answer, simulated, is what the goal seek says
            assert simulate(g.safe_scenario, 2000, 5).p_run_out == g.p_run_out_at_value, g.input
