"""Version 3 rate cards (domain.md): fees per contract year, stages with rate, price, wait and
instalments, the binomial funnel, the guarantee, lateness, what is owed after the horizon,
the file's rules; and the decision workspace drawing exactly as the simulation does."""
import copy
import dataclasses
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.cashflow import stage_reach
from charityrisk.engine.decisions.workspace import Workspace
from charityrisk.engine.sampling import FutureDraws, stream
from charityrisk.model import Uncertain
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_dict
from charityrisk.model.problems import ScenarioError
from charityrisk.model.scenario import LatePayment, OutcomeStage

PENNY = 0.005
Z = 4


def card(horizon=8, **contract):
    """A quiet organisation (no money of its own) and one rate card: 10 referrals a month in
    months 1-2, no noise, fee 100; a job outcome (50, half the referrals, 2 months on) and a
    sustainment stage (10, 40% of those, 3 months on, 3 instalments).  No costs."""
    c = {"name": "WP", "start_month": 1, "duration_months": 2, "referrals_per_month": 10, "count_noise": "none",
         "payment_mode": "rate_card", "fee_per_referral": 100, "cost_per_referral": 0, "fixed_monthly_cost": 0,
         "outcome_payments": [{"name": "Job", "price": 50, "rate": 0.5, "lag_months": 2},
                              {"name": "Sustain", "price": 10, "rate": 0.4, "lag_months": 3, "payments": 3}]}
    c.update(contract)
    return {"format": "charityrisk-scenario", "version": 3, "horizon_months": horizon,
            "organisation": {"opening_reserves": 0}, "contracts": [c]}


def run(data, paths=5, seed=1):
    return simulate(parse_scenario_text(json.dumps(data)), paths, seed)


def receipts(data, **kw):
    return run(data, **kw).mean_flows_by_month["contract_receipts"]


def assert_pennies(got, expected):
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(expected, float), rtol=0, atol=PENNY)


# --- exact cases ----------------------------------------------------------------------------

def test_fees_and_stages_by_hand():
    # Fees 10 x 100 in months 1, 2.  Job: 10 x 0.5 = 5 a month x 50 = 250 in months 3, 4.
    # Sustain: 5 x 0.4 = 2 x 10 = 20 in months 4-6 (month 1's) and 5-7 (month 2's).
    r = run(card())
    assert_pennies(r.mean_flows_by_month["contract_receipts"], [1000, 1000, 250, 270, 40, 40, 20, 0])
    assert_pennies(r.mean_balance_by_month, [1000, 2000, 2250, 2520, 2560, 2600, 2620, 2620])
    assert r.expected_owed_after_horizon == 0


def test_instalments_after_the_horizon_are_owed_for_referrals_within_it():
    # Horizon 5: month 6's 40 and month 7's 20 are owed (all for months 1-2's referrals).
    r = run(card(horizon=5))
    assert_pennies(r.mean_flows_by_month["contract_receipts"], [1000, 1000, 250, 270, 40])
    assert r.expected_owed_after_horizon == pytest.approx(60)


def test_nothing_is_owed_for_referrals_after_the_horizon():
    # Referrals in months 1-10, horizon 5; one stage of 100 a person (all reach it), 2 months
    # on, 3 instalments; fee 10 a referral paid a month later.  Paid within the horizon:
    # stage 100, 200, 300 in months 3-5; fees 10 in months 2-5.  Owed: months 1-5's
    # referrals' 15 instalments less the 6 paid (900), and month 5's fee (10); nothing for
    # months 6-10.
    data = card(horizon=5, duration_months=10, referrals_per_month=1, fee_per_referral=10, fee_lag_months=1,
                outcome_payments=[{"name": "Stage", "price": 100, "rate": 1, "lag_months": 2, "payments": 3}])
    r = run(data)
    assert_pennies(r.mean_flows_by_month["contract_receipts"], [0, 10, 110, 210, 310])
    assert r.expected_owed_after_horizon == pytest.approx(910)


def test_the_fee_of_the_contract_year_the_referral_arrives_in():
    # The Work Programme's attachment fee: 400, 300, 200, then 0.  One referral a month from
    # month 3 for 40 months, fee paid a month later, late by 2 more months in every future:
    # a referral keeps its year's fee whatever the wait (months 3-14 earn 400, paid 6-17).
    data = card(horizon=48, start_month=3, duration_months=40, referrals_per_month=1, fee_lag_months=1,
                fee_per_referral=[400, 300, 200, 0], late_payment={"probability": 1, "months": 2},
                outcome_payments=[{"name": "Job", "price": 0, "rate": 0, "lag_months": 0}])
    expected = np.zeros(48)
    for i in range(40):
        expected[3 + i + 1 + 2 - 1] = [400, 300, 200, 0][min(i // 12, 3)]
    assert_pennies(receipts(data), expected)
    # a single-entry list is the same as the number; the last entry holds for later years
    assert_pennies(receipts(card(fee_per_referral=[100])), receipts(card()))
    held = card(horizon=30, duration_months=26, referrals_per_month=1, fee_per_referral=[5, 7],
                outcome_payments=[{"name": "Job", "price": 0, "rate": 0, "lag_months": 0}])
    assert_pennies(receipts(held), [5] * 12 + [7] * 14 + [0] * 4)


def test_the_guarantee_raises_only_the_fee():
    # A guarantee of 15 a month: fees 1,500 in months 1, 2; stages follow the 10 actual.
    assert_pennies(receipts(card(guaranteed_referrals_per_month=15)), [1500, 1500, 250, 270, 40, 40, 20, 0])
    # and in a future with no referrals at all, only the guaranteed fee comes
    assert_pennies(receipts(card(guaranteed_referrals_per_month=15, p_no_referrals=1)), [1500, 1500, 0, 0, 0, 0, 0, 0])


def test_late_payment_delays_every_payment():
    assert_pennies(receipts(card(late_payment={"probability": 1, "months": 2})), [0, 0, 1000, 1000, 250, 270, 40, 40])
    r = run(card(late_payment={"probability": 1, "months": 2}))
    assert r.expected_owed_after_horizon == pytest.approx(20)  # month 9's 20


def test_costs_exit_and_wind_down_apply_as_in_other_modes():
    # Cost 30 a referral, fixed 100 a month, exit 500 in month 3: contract_costs 400, 400, 500.
    r = run(card(cost_per_referral=30, fixed_monthly_cost=100, exit_cost=500))
    assert_pennies(r.mean_flows_by_month["contract_costs"], [400, 400, 500, 0, 0, 0, 0, 0])


def test_ramp_up_and_a_stage_with_twelve_instalments():
    # Ramp-up 1: referrals 5 then 10.  One stage: all reach it, 12 monthly payments of 1 from
    # the referral month: 5 a month in month 1, then 15 for 11 months, then 10 in month 13.
    data = card(horizon=14, ramp_up_months=1,
                outcome_payments=[{"name": "Sustain", "price": 1, "rate": 1, "lag_months": 0, "payments": 12}],
                fee_per_referral=0)
    assert_pennies(receipts(data), [5] + [15] * 11 + [10, 0])


# --- counts under Poisson -------------------------------------------------------------------

def test_the_binomial_funnel():
    """With Poisson referrals (mean 20) and rates 0.5 then 0.4, the numbers reaching each stage
    are whole, never more than the stage before, and (thinned Poisson) Poisson themselves:
    mean 10 and 4, variance equal to the mean, within 4 standard errors."""
    s = parse_scenario_text(json.dumps(card(referrals_per_month=20, count_noise="poisson", duration_months=6)))
    c = s.contracts[0]
    n = 20_000
    draws = FutureDraws(3, 0, n)
    referrals = stream(3, 0, 1, 5).poisson(20.0, size=(n, 6)).astype(float)
    reach1, reach2 = stage_reach(c, referrals, draws, 1, lambda q, k: stream(3, 0, 1, q, k))
    assert np.all(reach1 == np.round(reach1)) and np.all(reach2 <= reach1) and np.all(reach1 <= referrals)
    for reach, mean in ((reach1, 10.0), (reach2, 4.0)):
        x = reach[:, 0]
        assert abs(x.mean() - mean) < Z * math.sqrt(mean / n)
        assert abs(x.var() - mean) < Z * mean * math.sqrt(2 / n) * 1.5
    # the simulated receipts' mean: fees 100 x 20, job 50 x 10, sustainment 10 x 4
    r = run(card(referrals_per_month=20, count_noise="poisson", duration_months=1, horizon=8), paths=n, seed=2)
    got = r.mean_flows_by_month["contract_receipts"]
    for month, mean, sd in ((0, 2000, 100 * math.sqrt(20)), (2, 500, 50 * math.sqrt(10)),
                            (3, 40, 10 * 2), (4, 40, 10 * 2), (5, 40, 10 * 2)):
        assert abs(got[month] - mean) < Z * sd / math.sqrt(n), month


def test_each_stage_rate_is_drawn_once_per_future_and_is_a_driver():
    data = card(horizon=12, duration_months=6, count_noise="poisson", referrals_per_month=12)
    data["contracts"][0]["outcome_payments"][1]["rate"] = {"low": 0.2, "likely": 0.4, "high": 0.8}
    data["organisation"]["monthly_core_costs"] = 1900
    r = run(data, paths=3000, seed=4)
    inputs = [d["input"] for d in r.run_out_drivers]
    assert "contracts[0].outcome_payments[1].rate" in inputs
    assert "contracts[0].success_rate" not in inputs  # not used in this mode
    assert "contracts[0].outcome_payments[0].rate" not in inputs  # fixed


# --- the file -------------------------------------------------------------------------------

def problems(data):
    with pytest.raises(ScenarioError) as error:
        parse_scenario_text(json.dumps(data))
    return [(p.path, p.code) for p in error.value.problems]


def stages(*changes):
    data = card()
    for k, change in changes:
        data["contracts"][0]["outcome_payments"][k].update(change)
    return data


P = "contracts[0]"


@pytest.mark.parametrize("data,expected", [
    (stages((0, {"rate": 1.2})), [(f"{P}.outcome_payments[0].rate", "range")]),
    (stages((1, {"payments": 0})), [(f"{P}.outcome_payments[1].payments", "range")]),
    (stages((1, {"payments": 61})), [(f"{P}.outcome_payments[1].payments", "range")]),
    (stages((0, {"lag_months": -1})), [(f"{P}.outcome_payments[0].lag_months", "range")]),
    (stages((0, {"price": "fifty"})), [(f"{P}.outcome_payments[0].price", "type")]),
    (card(outcome_payments=[]), [(f"{P}.outcome_payments", "count")]),
    (card(outcome_payments=[{"name": "s", "price": 1, "rate": 0.5, "lag_months": 1}] * 11),
     [(f"{P}.outcome_payments", "count")]),
    (card(outcome_payments=None), [(f"{P}.outcome_payments", "required")]),
    (card(fee_per_referral=[]), [(f"{P}.fee_per_referral", "count")]),
    (card(fee_per_referral=[400, "300"]), [(f"{P}.fee_per_referral[1]", "type")]),
    (card(fee_per_referral=[400] * 121), [(f"{P}.fee_per_referral", "count")]),
    (card(fee_per_referral=-4), [(f"{P}.fee_per_referral", "range")]),
])
def test_every_rate_card_error_is_named(data, expected):
    assert problems(data) == expected


def share_contract(**change):
    c = {"name": "c", "start_month": 2, "duration_months": 4, "referrals_per_month": 3, "count_noise": "none",
         "price_per_referral": 800, "share_at_risk": 0.25, "payment_mode": "earn", "fee_lag_months": 1,
         "success_rate": 0.6, "target_success_rate": 0.5, "cohort_months": 2, "outcome_lag_months": 1,
         "cost_per_referral": 400, "fixed_monthly_cost": 500}
    c.update(change)
    return {"version": 3, "horizon_months": 8,
            "organisation": {"opening_reserves": 3000, "monthly_other_income": 2000, "monthly_core_costs": 2500},
            "contracts": [c]}


def test_rate_card_keys_in_another_mode_are_errors():
    assert problems(share_contract(fee_per_referral=100)) == [(f"{P}.fee_per_referral", "conflict")]
    stage = {"name": "Job", "price": 50, "rate": 0.5, "lag_months": 2}
    found = problems(share_contract(payment_mode="threshold", outcome_payments=[stage]))
    assert found == [(f"{P}.outcome_payments", "conflict")]
    # their "none" values (a fee of 0, no stages: the field table's defaults) say nothing
    s = parse_scenario_text(json.dumps(share_contract(fee_per_referral=0, outcome_payments=[])))
    assert s == parse_scenario_text(json.dumps(share_contract()))
    with pytest.raises(ScenarioError) as error:
        parse_scenario_text(json.dumps(share_contract(fee_per_referral=100)))
    assert 'only a rate card (payment_mode "rate_card") has it' in str(error.value.problems[0])


def test_unused_keys_in_a_rate_card_are_named_in_warnings_and_kept():
    data = card(price_per_referral=800, success_rate=0.4, fee_lag_months=1)
    warnings: list = []
    s = parse_scenario_text(json.dumps(data), warnings)
    assert sorted((w.path, w.code) for w in warnings) == [(f"{P}.price_per_referral", "unused"),
                                                          (f"{P}.success_rate", "unused")]
    written = scenario_to_dict(s)["contracts"][0]
    assert written["price_per_referral"] == 800 and written["success_rate"] == 0.4
    assert "share_at_risk" not in written and "cohort_months" not in written
    assert parse_scenario_text(json.dumps(scenario_to_dict(s))) == s
    # the fee's wait defaults to 0 in this mode
    assert parse_scenario_text(json.dumps(card())).contracts[0].fee_lag_months == 0


def test_a_rate_card_round_trips_and_warns_in_a_version_2_file():
    data = card(fee_per_referral=[400, 300, 200, 0])
    data["contracts"][0]["outcome_payments"][0]["rate"] = {"low": 0.3, "likely": 0.5, "high": 0.6}
    s = parse_scenario_text(json.dumps(data))
    c = s.contracts[0]
    assert c.fee_per_referral == (400, 300, 200, 0)
    assert c.outcome_payments[0] == OutcomeStage("Job", 50, Uncertain(0.3, 0.5, 0.6), 2, 1)
    written = scenario_to_dict(s)
    assert written["contracts"][0]["fee_per_referral"] == [400, 300, 200, 0]
    assert written["contracts"][0]["outcome_payments"][1]["payments"] == 3
    assert parse_scenario_text(json.dumps(written)) == s
    older = dict(data, version=2)
    warnings: list = []
    assert parse_scenario_text(json.dumps(older), warnings) == s
    paths = {w.path for w in warnings}
    assert {f"{P}.payment_mode", f"{P}.fee_per_referral", f"{P}.outcome_payments"} <= paths
    [mode] = [w for w in warnings if w.path == f"{P}.payment_mode"]
    assert mode.limits["got"] == "rate_card" and "rate_card" in str(mode)
    # share-at-risk contracts write no rate-card key
    assert "fee_per_referral" not in scenario_to_dict(parse_scenario_text(json.dumps(share_contract())))["contracts"][0]


# --- the pooled target ----------------------------------------------------------------------

def test_the_pooled_target_pays_cohorts_that_missed_their_own():
    # The worked example in threshold mode at success 0.4 against a target of 0.5: both
    # cohorts miss (fees 1,800 in months 3-6, costs 1,700 in months 2-5).  Pooled at 0.4, all
    # cohorts together reach it: each is paid A x N = 1,200 in month 6 (the last cohort's
    # outcome month).  Balances 2,500; 300; -100; -500; -900; 2,800; 2,300; 1,800.
    pooled = share_contract(payment_mode="threshold", success_rate=0.4, pooled_target_success_rate=0.4)
    r = run(pooled)
    assert_pennies(r.mean_balance_by_month, [2500, 300, -100, -500, -900, 2800, 2300, 1800])
    # Pooled at 0.45: not reached, nothing: 400; -100; -600 in months 6-8.
    r = run(share_contract(payment_mode="threshold", success_rate=0.4, pooled_target_success_rate=0.45))
    assert_pennies(r.mean_balance_by_month, [2500, 300, -100, -500, -900, 400, -100, -600])
    # late by one month: the pooled payment comes in month 7
    late = copy.deepcopy(pooled)
    late["contracts"][0]["late_payment"] = {"probability": 1, "months": 1}
    assert_pennies(run(late).mean_flows_by_month["contract_receipts"], [0, 0, 0, 1800, 1800, 1800, 4200, 0])


def test_a_cohort_that_met_its_own_target_is_not_paid_twice():
    # Success 0.6 meets the 0.5 target: each cohort paid 1,200 in months 4 and 6 as usual.
    plain = run(share_contract(payment_mode="threshold"))
    pooled = run(share_contract(payment_mode="threshold", pooled_target_success_rate=0.3))
    assert_pennies(pooled.mean_balance_by_month, plain.mean_balance_by_month)


def test_the_pooled_payment_owed_after_the_horizon():
    # Horizon 5: month 6's pooled 2,400 (both cohorts wholly seen) and month 6's fee 1,800 owed.
    data = share_contract(payment_mode="threshold", success_rate=0.4, pooled_target_success_rate=0.4)
    data["horizon_months"] = 5
    assert run(data).expected_owed_after_horizon == pytest.approx(4200)
    # Horizon 4: cohort 2 (months 4-5) half seen: pooled 1,200 + 600; fee of month 4's
    # referrals (1,800, paid in month 5); none for month 5's.
    data["horizon_months"] = 4
    assert run(data).expected_owed_after_horizon == pytest.approx(3600)


def test_pooled_target_errors():
    assert problems(share_contract(pooled_target_success_rate=0.3)) == [(f"{P}.pooled_target_success_rate",
                                                                           "conflict")]
    assert problems(share_contract(payment_mode="threshold", pooled_target_success_rate=0.6)) == [
        (f"{P}.pooled_target_success_rate", "order")]
    assert problems(share_contract(payment_mode="threshold", pooled_target_success_rate=0)) == [
        (f"{P}.pooled_target_success_rate", "range")]
    s = parse_scenario_text(json.dumps(share_contract(payment_mode="threshold", pooled_target_success_rate=0.5)))
    assert s.contracts[0].pooled_target_success_rate == 0.5
    assert scenario_to_dict(s)["contracts"][0]["pooled_target_success_rate"] == 0.5


# --- the decision workspace -----------------------------------------------------------------

def poisson_card(correlation):
    data = card(horizon=30, start_month=2, duration_months=18, count_noise="poisson",
                referrals_per_month={"low": 4, "likely": 8, "high": 11}, p_no_referrals=0.1,
                fee_per_referral=[150, 100], fee_lag_months=1, cost_per_referral=90, fixed_monthly_cost=900,
                late_payment={"probability": 0.3, "months": 2}, wind_down_months=4, exit_cost=2000,
                outcome_payments=[{"name": "Job", "price": 300, "rate": {"low": 0.2, "likely": 0.35, "high": 0.5},
                                   "lag_months": 4},
                                  {"name": "Sustain", "price": 60, "rate": 0.6, "lag_months": 6, "payments": 12}])
    data["correlation"] = correlation
    data["organisation"] |= {"opening_reserves": 6000, "monthly_other_income": 3000, "monthly_core_costs": 3200}
    second = share_contract(payment_mode="threshold", pooled_target_success_rate=0.45, count_noise="poisson",
                            success_rate={"low": 0.3, "likely": 0.5, "high": 0.6})["contracts"][0]
    data["contracts"].append(second | {"name": "second"})
    return parse_scenario_text(json.dumps(data))


@pytest.mark.parametrize("correlation", [0.0, 0.4])
def test_the_workspace_sees_the_simulation_of_rate_cards_future_by_future(correlation):
    s = poisson_card(correlation)
    paths, seed = 1200, 5
    ws = Workspace.build(s, paths, seed)
    base = simulate(s, paths, seed)
    assert 0.02 < base.p_run_out < 0.95
    assert np.array_equal(ws.run_out(), base.run_out_month > 0)
    c = s.contracts[0]
    stage = c.outcome_payments[0]
    for change in [{"fee_lag_months": 3}, {"fee_per_referral": (90.0,)}, {"late_payment": LatePayment(0.7, 3)},
                   {"outcome_payments": (replace(stage, price=500.0),) + c.outcome_payments[1:]},
                   {"outcome_payments": (replace(stage, rate=Uncertain(0.1, 0.2, 0.3)),) + c.outcome_payments[1:]},
                   {"guaranteed_referrals_per_month": 6.0}, {"p_no_referrals": 0.3}, {"cost_per_referral": 150.0}]:
        ours = ws.run_out_contract(0, replace(c, **change))
        theirs = simulate(s.with_contract(0, **change), paths, seed)
        assert np.array_equal(ours, theirs.run_out_month > 0), change
    # the pooled-target contract, and turning it into a rate card
    d = s.contracts[1]
    for change in [{"pooled_target_success_rate": 0.3}, {"pooled_target_success_rate": None},
                   {"outcome_lag_months": 3},
                   {"payment_mode": "rate_card", "fee_per_referral": (400.0,), "outcome_payments": c.outcome_payments}]:
        ours = ws.run_out_contract(1, replace(d, **change))
        theirs = simulate(s.with_contract(1, **change), paths, seed)
        assert np.array_equal(ours, theirs.run_out_month > 0), change


def flat(value):
    if isinstance(value, dict):
        return [x for k in sorted(value) for x in flat(value[k])]
    if isinstance(value, list):
        return [x for v in value for x in flat(v)]
    return [float(value)]


def test_reordering_contracts_with_ids_changes_no_figure():
    s = poisson_card(0.3)
    turned = dataclasses.replace(s, contracts=tuple(reversed(s.contracts)))
    a, b = simulate(s, 1500, 3).to_json_dict(), simulate(turned, 1500, 3).to_json_dict()
    for key in ("p_run_out", "balance_percentiles", "mean_balance_by_month", "mean_flows_by_month",
                "expected_owed_after_horizon", "baseline", "contract_margin"):
        np.testing.assert_allclose(flat(a[key]), flat(b[key]), rtol=1e-12, atol=1e-6, err_msg=key)

    def by_contract(entries, names):
        out = {}
        for e in entries:
            path = e["input"]
            for i, name in enumerate(names):
                path = path.replace(f"contracts[{i}]", f"<{name}>")
            out[path] = (e["share_all"], e["share_run_out"])
        return out
    assert by_contract(a["run_out_drivers"], [c.name for c in s.contracts]) == by_contract(
        b["run_out_drivers"], [c.name for c in turned.contracts])
