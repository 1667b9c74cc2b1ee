"""Decision tools on version 2 scenarios: the Workspace sees exactly the model the
simulation sees (budget lines, correlation, guarantee, ramp-up, wind-down, exit cost), the
new goal seeks, and the new tornado terms.  No Qt."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charityrisk.engine import simulate
from charityrisk.engine.decisions import Workspace, goal_seek, sensitivity, solve
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


# ------------------------------------------------------- new goal seeks, known answers

def exact(contract=None, **org):
    return scenario_from_dict(exact_dict(contract, **org))


def exact_dict(contract=None, **org):
    """Every future the same but for the chance of no referrals: income pays the core costs,
    and the contract (5 referrals a month at £1,000, a quarter at risk, fixed costs of
    £3,000 a month, no per-referral cost) is the only thing that moves the balance."""
    c = {"name": "exact", "start_month": 1, "duration_months": 24, "referrals_per_month": 5,
         "count_noise": "none", "price_per_referral": 1000, "share_at_risk": 0.25, "payment_mode": "earn",
         "fee_lag_months": 0, "success_rate": 0.5, "target_success_rate": 0.5, "cohort_months": 3,
         "outcome_lag_months": 0, "cost_per_referral": 0, "fixed_monthly_cost": 3000}
    c.update(contract or {})
    o = {"opening_reserves": 0, "monthly_other_income": 10000, "monthly_core_costs": 10000}
    o.update(org)
    return {"format": "charityrisk-scenario", "version": 2, "horizon_months": 24, "organisation": o,
            "contracts": [c], "simulation": {"paths": 2000, "seed": 1, "risk_appetite": 0.05}}


def test_the_smallest_guarantee_makes_a_future_without_referrals_break_even():
    """Half the futures get nobody: each month they pay £3,000 of fixed costs and are paid
    the fee (£750) on the guarantee g, so they break even at g = 3,000 / 750 = 4 referrals
    a month; at 3.9 they fall £75 a month behind and run out in month 1.  Futures with
    referrals earn £750 x 5 = £3,750 a month of fees and never run out."""
    s = exact({"p_no_referrals": 0.5})
    g = goal_seek(s, "guaranteed_referrals_per_month", paths=2000)
    assert (g.status, g.direction, g.value, g.step) == ("found", "at_least", 4.0, 1.0)  # whole referrals
    assert g.p_run_out_at_value == 0 and g.value_range == (4.0, 4.0)
    assert 0.45 < g.p_run_out_current < 0.55
    assert simulate(g.safe_scenario, 2000, 1).p_run_out == 0
    assert simulate(s.with_contract(0, guaranteed_referrals_per_month=3.9), 2000, 1).p_run_out == g.p_run_out_current
    assert decision_text.goal_sentence(g).startswith(
        "Secure a minimum contract value: the fee paid on at least 4 referrals a month")


def test_the_longest_fee_wait_and_the_latest_payment_we_can_absorb():
    """Fee for service (nothing at risk): £10,000 of reserves pay £3,000 of fixed costs a
    month until the first fee of £5,000 arrives: waiting L months the lowest balance is
    10,000 - 3,000 L, so 3 months is the longest wait (£1,000 left) and 4 runs out
    (-£2,000).  A prime that pays late by L months in every future is the same wait."""
    g = goal_seek(exact({"share_at_risk": 0}, opening_reserves=10000), "fee_lag_months", paths=500)
    assert (g.status, g.direction, g.value, g.p_run_out_at_value) == ("found", "at_most", 3, 0)
    assert g.safe_ranges == ((0, 3),)
    assert "get the service fee within 3 months of the work" in decision_text.goal_sentence(g).lower()
    late = exact({"share_at_risk": 0, "late_payment": {"probability": 1, "months": 6}}, opening_reserves=10000)
    g = goal_seek(late, "late_payment.months", paths=500)
    assert (g.status, g.direction, g.value, g.key) == ("found", "at_most", 3, "contracts[0].late_payment.months")
    assert g.p_run_out_current == 1 and g.safe_scenario.contracts[0].late_payment.probability == 1
    assert "pays no more than 3 months late" in decision_text.goal_sentence(g)


def test_the_lowest_success_rate_we_can_live_with():
    """All or nothing, the whole price at risk, paid the month each one-month cohort ends:
    a cohort at or above the 40% target brings £5,000 against £3,000 of costs, below it
    nothing.  So 40% is the lowest success rate, and the low and high guesses move with
    the most likely one."""
    s = exact({"payment_mode": "threshold", "share_at_risk": 1.0, "cohort_months": 1,
               "target_success_rate": 0.4, "success_rate": {"low": 0.2, "likely": 0.3, "high": 0.35}})
    g = goal_seek(s, "success_rate", paths=500)
    assert (g.status, g.direction, g.current_value, g.p_run_out_current) == ("found", "at_least", 0.3, 1.0)
    u = g.safe_scenario.contracts[0].success_rate
    # At 40% most likely (low 30%) a quarter of futures draw below the target; the answer is
    # the first most likely value whose futures all but 5% (and 2 standard errors) meet it.
    assert u.likely == g.value and u.low == pytest.approx(g.value - 0.1) and u.high == pytest.approx(g.value + 0.05)
    assert 0.4 < g.value < 0.5
    assert simulate(g.safe_scenario, 500, 1).p_run_out == g.p_run_out_at_value
    fixed = exact({"payment_mode": "threshold", "share_at_risk": 1.0, "cohort_months": 1,
                   "target_success_rate": 0.4, "success_rate": 0.3})
    g = goal_seek(fixed, "success_rate", paths=500)
    assert (g.value, g.p_run_out_at_value, g.safe_ranges) == (0.4, 0, ((0.4, 1.0),))
    assert "most likely success rate of at least 40%" in decision_text.goal_sentence(g)


def test_the_largest_chance_of_no_referrals():
    """Only the futures without referrals run out, so the chance of running out at p is the
    share of futures whose no-referral draw falls below p: the answer is the largest p on
    the 1% grid the verdict accepts, and 1% more is not accepted."""
    s = exact({"p_no_referrals": 0.3}, opening_reserves=1000)
    g = goal_seek(s, "p_no_referrals", paths=4000)
    assert (g.status, g.direction) == ("found", "at_most")
    assert 0.01 <= g.value <= 0.05 and g.p_run_out_at_value <= 0.05
    riskier = simulate(s.with_contract(0, p_no_referrals=g.value + 0.01), 4000, 1)
    assert riskier.p_run_out + 2 * riskier.p_run_out_se > 0.05
    assert simulate(g.safe_scenario, 4000, 1).p_run_out == g.p_run_out_at_value
    assert "chance of getting no referrals at all at or below" in decision_text.goal_sentence(g)


def test_the_tornado_moves_the_new_terms():
    s = v2()
    sens = sensitivity(s, paths=1000)
    bars = {b.input: b for b in sens.bars}
    guarantee = bars["guaranteed_referrals_per_month"]
    assert (guarantee.low_value, guarantee.high_value) == (1, 3)
    assert (bars["ramp_up_months"].low_value, bars["ramp_up_months"].high_value) == (1, 7)
    assert (bars["wind_down_months"].low_value, bars["wind_down_months"].high_value) == (2, 8)
    assert (bars["exit_cost"].low_value, bars["exit_cost"].high_value) == (pytest.approx(3600), pytest.approx(4400))
    # A bigger guarantee is never riskier; a bigger exit cost never safer (same futures).
    assert bars["guaranteed_referrals_per_month"].p_high <= bars["guaranteed_referrals_per_month"].p_low
    assert bars["exit_cost"].p_high >= bars["exit_cost"].p_low
    # The correlation moves every draw: its bar is the engine's own runs on the same seed.
    corr = bars["correlation"]
    assert (corr.key, corr.contract, corr.unit) == ("correlation", None, "level")
    assert (corr.low_value, corr.high_value) == (pytest.approx(0.15), pytest.approx(0.75))
    assert corr.p_low == simulate(replace(s, correlation=corr.low_value), 1000, s.settings.seed).p_run_out
    assert corr.p_high == simulate(replace(s, correlation=corr.high_value), 1000, s.settings.seed).p_run_out
    assert "How strongly bad surprises come together" in decision_text.bar_sentence(corr)


def test_the_correlation_bar_speaks_the_forms_words():
    s = v2(0.3)
    sens = sensitivity(s, paths=300)
    corr = next(b for b in sens.bars if b.input == "correlation")
    assert (corr.low_value, corr.high_value) == (0.0, 0.6)
    sentence = decision_text.bar_sentence(corr)
    assert "at No (0)" in sentence and "at Strongly (0.6)" in sentence


# ------------------------------------------------------------------- solve --for

CLI_CASES = [
    ("guaranteed_referrals_per_month", exact_dict({"p_no_referrals": 0.5}), 4.0,
     "Secure a minimum contract value"),
    ("fee_lag_months", exact_dict({"share_at_risk": 0}, opening_reserves=10000), 3, "Get the service fee within"),
    ("late_payment.months", exact_dict({"share_at_risk": 0, "late_payment": {"probability": 1, "months": 6}},
                                       opening_reserves=10000), 3, "Make sure the prime, when late"),
    ("success_rate", exact_dict({"payment_mode": "threshold", "share_at_risk": 1.0, "cohort_months": 1,
                                 "target_success_rate": 0.4, "success_rate": 0.3}), 0.4,
     "Be confident of a most likely success rate of at least 40%"),
    ("p_no_referrals", exact_dict({"p_no_referrals": 0.3}, opening_reserves=1000), None,
     "Keep the chance of getting no referrals at all at or below"),
]


@pytest.mark.parametrize("target, data, answer, words", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_solve_for_each_new_input_on_the_command_line(tmp_path, target, data, answer, words):
    path = tmp_path / "exact.json"
    path.write_text(json.dumps(data))
    done = subprocess.run([sys.executable, "-m", "charityrisk", "solve", str(path), "--for", target,
                           "--paths", "1000", "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (goal,) = json.loads(done.stdout)["goals"]
    assert goal["input"] == target and goal["key"] == f"contracts[0].{target}" and goal["status"] == "found"
    if answer is not None:
        assert goal["value"] == answer
    else:
        assert 0 < goal["value"] <= 0.05
    assert goal["sentence"].startswith(words), goal["sentence"]
    low, high = goal["value_range"]
    assert low <= goal["value"] <= high
    if target == "success_rate":
        assert goal["success_rate_at_value"] == {"low": 0.4, "likely": 0.4, "high": 0.4}
    text = subprocess.run([sys.executable, "-m", "charityrisk", "solve", str(path), "--for", target,
                           "--paths", "1000"], capture_output=True, text=True, timeout=300)
    assert text.returncode == 0 and words in text.stdout, text.stderr


# ------------------------------------------------------------------ properties

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cost=st.floats(0, 50_000), extra=st.floats(0, 50_000), seed=st.integers(0, 10_000),
       correlation=st.sampled_from([0.0, 0.45]), mode=st.sampled_from(["earn", "threshold", "clawback"]))
def test_a_larger_exit_cost_never_lowers_the_chance_of_running_out(cost, extra, seed, correlation, mode):
    """Same futures, and the engine and the decision tools agree on it."""
    s = v2(correlation, {"payment_mode": mode, "exit_cost": cost})
    more = s.with_contract(0, exit_cost=cost + extra)
    low, high = simulate(s, 400, seed), simulate(more, 400, seed)
    assert np.all(high.lowest_balance <= low.lowest_balance + 1e-6)
    assert high.p_run_out >= low.p_run_out
    ws = Workspace.build(s, 400, seed)
    assert ws.run_out_contract(0, more.contracts[0]).mean() == high.p_run_out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=st.floats(0, 6), extra=st.floats(0, 6), seed=st.integers(0, 10_000))
def test_the_guarantee_goal_seeks_risk_never_rises_with_the_guarantee(g, extra, seed):
    s = v2(0.45, {"guaranteed_referrals_per_month": g})
    ws = Workspace.build(s, 400, seed)
    c = s.contracts[0]
    low = ws.run_out_contract(0, replace(c, guaranteed_referrals_per_month=g))
    high = ws.run_out_contract(0, replace(c, guaranteed_referrals_per_month=g + extra))
    assert not np.any(high & ~low)  # a future safe with the smaller guarantee stays safe
