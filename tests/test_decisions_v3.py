"""Decision tools on version 3 scenarios: the Workspace sees exactly what the simulation sees
(rate cards, the pooled target, overdraft interest, a pattern's scale), and the tornado, the
goal seeks and the two-terms grid vary the new terms through the field table.  No Qt."""
from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.decisions import Workspace, sensitivity
from charityrisk.model import Uncertain, scenario_from_dict
from charityrisk.report import decision_text

# A charity with a December appeal, an overdraft that costs 8% a year, a Work Programme
# style rate card (an attachment fee falling by year, a job outcome, then sustainment
# payments every month for a year) and a Peterborough style threshold contract with a
# pooled target.
V3 = {
    "format": "charityrisk-scenario", "version": 3, "name": "v3 charity", "horizon_months": 30,
    "first_month": "2027-04", "correlation": 0.3,
    "organisation": {
        "opening_reserves": 25000, "monthly_core_costs": 12000, "overdraft_facility": 10000,
        "overdraft_interest_per_year": 0.08,
        "monthly_other_income": {"low": 10500, "likely": 12000, "high": 13000},
        "budget": [
            {"name": "Appeal", "kind": "income", "monthly_amounts": [0] * 8 + [1000, 4000, 0, 0],
             "scale": {"low": 0.6, "likely": 1.0, "high": 1.2}},
            {"name": "Rent", "kind": "cost", "amount": 800, "every_months": 3},
        ]},
    "contracts": [
        {"id": 1, "name": "work programme", "start_month": 1, "duration_months": 24,
         "referrals_per_month": {"low": 4, "likely": 7, "high": 9}, "p_no_referrals": 0.1,
         "payment_mode": "rate_card", "fee_per_referral": [400, 300, 200, 0], "fee_lag_months": 1,
         "outcome_payments": [
             {"name": "Job start", "price": 1200, "rate": {"low": 0.2, "likely": 0.3, "high": 0.4},
              "lag_months": 6},
             {"name": "Sustained job", "price": 100, "rate": {"low": 0.5, "likely": 0.6, "high": 0.7},
              "lag_months": 7, "payments": 12}],
         "cost_per_referral": 300, "fixed_monthly_cost": 2500,
         "late_payment": {"probability": 0.2, "months": 2}},
        {"id": 2, "name": "peterborough", "start_month": 3, "duration_months": 18,
         "referrals_per_month": {"low": 3, "likely": 5, "high": 6}, "price_per_referral": 900,
         "share_at_risk": 0.5, "payment_mode": "threshold", "fee_lag_months": 1,
         "success_rate": {"low": 0.05, "likely": 0.09, "high": 0.12}, "target_success_rate": 0.1,
         "pooled_target_success_rate": 0.075, "cohort_months": 6, "outcome_lag_months": 6,
         "cost_per_referral": 200, "fixed_monthly_cost": 1000},
    ],
    "simulation": {"paths": 2000, "seed": 3, "risk_appetite": 0.05},
}


def v3(**top):
    data = copy.deepcopy(V3)
    data.update(top)
    return scenario_from_dict(data)


def stage(c, k, **change):
    stages = list(c.outcome_payments)
    stages[k] = replace(stages[k], **change)
    return tuple(stages)


def test_workspace_sees_the_simulation_of_a_rate_card_future_by_future():
    s = v3()
    paths, seed = 1500, 7
    ws = Workspace.build(s, paths, seed)
    base = simulate(s, paths, seed)
    assert 0.02 < base.p_run_out < 0.9  # the test can tell futures apart
    assert np.array_equal(ws.run_out(), base.run_out_month > 0)
    card, pooled = s.contracts
    for index, c, change in [
            (0, card, {"fee_per_referral": (480.0, 360.0, 240.0, 0.0)}),
            (0, card, {"fee_per_referral": (0.0,)}),
            (0, card, {"outcome_payments": stage(card, 0, price=900.0)}),
            (0, card, {"outcome_payments": stage(card, 1, rate=Uncertain(0.7, 0.8, 0.9))}),
            (0, card, {"outcome_payments": stage(card, 1, payments=6, lag_months=9)}),
            (0, card, {"late_payment": replace(card.late_payment, months=5)}),
            (1, pooled, {"pooled_target_success_rate": 0.05}),
            (1, pooled, {"pooled_target_success_rate": None})]:
        ours = ws.run_out_contract(index, replace(c, **change))
        theirs = simulate(s.with_contract(index, **change), paths, seed)
        assert np.array_equal(ours, theirs.run_out_month > 0), change
    org = s.organisation
    appeal = replace(org.budget[0], scale=Uncertain.fixed(0.6))
    for change in [{"overdraft_interest_per_year": 0.2}, {"overdraft_interest_per_year": 0.0},
                   {"budget": (appeal, org.budget[1])}]:
        ours = ws.run_out(replace(org, **change))
        assert np.array_equal(ours, simulate(s.with_organisation(**change), paths, seed).run_out_month > 0), change


def test_the_tornado_has_a_bar_for_each_new_term_and_none_a_rate_card_does_not_read():
    s = v3()
    sens = sensitivity(s, paths=800)
    bars = {b.key: b for b in sens.bars}
    for key in ("contracts[0].outcome_payments[0].price", "contracts[0].outcome_payments[0].rate",
                "contracts[0].outcome_payments[1].price", "contracts[0].outcome_payments[1].rate",
                "contracts[0].fee_per_referral", "contracts[1].pooled_target_success_rate",
                "organisation.overdraft_interest_per_year", "organisation.budget[0].scale"):
        assert key in bars, key
    for unread in ("share_at_risk", "price_per_referral", "success_rate", "target_success_rate",
                   "cohort_months", "outcome_lag_months"):
        assert f"contracts[0].{unread}" not in bars  # a rate card has no such term
        assert f"contracts[1].{unread}" in bars  # the threshold contract has
    assert "contracts[1].fee_per_referral" not in bars and "organisation.budget[1].scale" not in bars

    # Each bar is the engine's own risk for the scenario with the input at that end.
    fee = bars["contracts[0].fee_per_referral"]
    assert (fee.base_value, fee.low_value, fee.high_value) == (400, pytest.approx(360), pytest.approx(440))
    card = s.contracts[0]
    assert fee.p_low == simulate(s.with_contract(0, fee_per_referral=tuple(f * 0.9 for f in card.fee_per_referral)),
                                 800, s.settings.seed).p_run_out
    rate = bars["contracts[0].outcome_payments[1].rate"]
    assert (rate.kind, rate.low_value, rate.high_value, rate.item) == ("range", 0.5, 0.7, "Sustained job")
    assert rate.p_high == simulate(s.with_contract(0, outcome_payments=stage(card, 1, rate=Uncertain.fixed(0.7))),
                                   800, s.settings.seed).p_run_out
    assert rate.p_high <= rate.p_low  # more people sustained in work never costs money
    price = bars["contracts[0].outcome_payments[0].price"]
    assert (price.low_value, price.high_value) == (pytest.approx(1080), pytest.approx(1320))
    pooled = bars["contracts[1].pooled_target_success_rate"]
    assert (pooled.low_value, pooled.high_value) == (pytest.approx(0.05), pytest.approx(0.1))
    assert pooled.p_low <= pooled.p_high  # an easier pooled target never costs money
    interest = bars["organisation.overdraft_interest_per_year"]
    assert (interest.low_value, interest.high_value) == (pytest.approx(0.06), pytest.approx(0.1))
    assert interest.p_high == simulate(s.with_organisation(overdraft_interest_per_year=0.1), 800,
                                       s.settings.seed).p_run_out
    scale = bars["organisation.budget[0].scale"]
    assert (scale.low_value, scale.high_value, scale.item) == (0.6, 1.2, "Appeal")

    # The sentences name the stage and the line.
    assert decision_text.label(rate) == "Share who reach the outcome “Sustained job”"
    assert decision_text.label(scale) == "Scale of the pattern “Appeal”"
    for bar in sens.bars:
        assert decision_text.bar_sentence(bar)


# ------------------------------------------------------------------ goal seeks and the grid

def test_goal_seeks_on_a_rate_card_are_its_own_terms_and_the_engines_risks():
    from charityrisk.engine.decisions import solve
    from charityrisk.engine.decisions.goalseek import ORGANISATION_INPUTS

    s = v3()
    sol = solve(s, contract=0, paths=1000, seed=5)
    names = [g.input for g in sol.goals]
    assert names == ["referrals_per_month", "guaranteed_referrals_per_month",
                     "fee_lag_months", "late_payment.months", "p_no_referrals", "fee_per_referral",
                     "outcome_payments[0].price", "outcome_payments[0].rate",
                     "outcome_payments[1].price", "outcome_payments[1].rate", *ORGANISATION_INPUTS]
    p = simulate(s, 1000, 5).p_run_out
    assert sol.p_run_out == p
    for g in sol.goals:
        assert g.p_run_out_current == p, g.input
        if g.value is not None:  # the answer, simulated, is what the goal seek says
            assert simulate(g.safe_scenario, 1000, 5).p_run_out == g.p_run_out_at_value, g.input
        assert decision_text.goal_sentence(g)
    goals = {g.input: g for g in sol.goals}
    interest = goals["overdraft_interest_per_year"]  # the scenario's overdraft costs 8%
    assert (interest.current_value, interest.unit, interest.search_high) == (0.08, "share", 1.0)
    if interest.value is not None:
        assert interest.safe_scenario.organisation.overdraft_interest_per_year == interest.value
    fee = goals["fee_per_referral"]
    assert fee.current_value == 400 and fee.unit == "money"
    if fee.value is not None:  # the schedule scaled as a whole: 400, 300, 200, 0 keep their shape
        fees = fee.safe_scenario.contracts[0].fee_per_referral
        assert fees[0] == pytest.approx(fee.value) and fees[1] == pytest.approx(0.75 * fee.value) and fees[3] == 0
    rate = goals["outcome_payments[0].rate"]
    assert (rate.item, rate.unit, rate.current_value) == ("Job start", "share", 0.3)
    assert rate.key == "contracts[0].outcome_payments[0].rate"
    assert "“Job start”" in decision_text.goal_sentence(rate)
    for g in sol.goals:  # a stage's input is named by its row, never by its key
        assert "outcome_payments" not in decision_text.goal_sentence(g), g.input
    assert "outcome_payments" not in decision_text.advice(sol)
    assert decision_text.label(rate) == "Share who reach the outcome “Job start”"


def test_a_pooled_target_is_sought_up_to_the_cohort_target():
    from charityrisk.engine.decisions import goal_seek

    s = v3()
    g = goal_seek(s, "pooled_target_success_rate", contract=1, paths=1000, seed=5)
    assert (g.search_low, g.search_high, g.current_value) == (0.01, pytest.approx(0.1), pytest.approx(0.075))
    assert g.p_run_out_current == simulate(s, 1000, 5).p_run_out
    if g.value is not None:
        assert 0 < g.safe_scenario.contracts[1].pooled_target_success_rate <= 0.1
        assert simulate(g.safe_scenario, 1000, 5).p_run_out == g.p_run_out_at_value


def test_the_two_terms_grid_scales_the_fee_schedule_and_charges_each_interest_rate():
    from charityrisk.engine.decisions.negotiate import _applied, negotiate

    s = v3()
    n = negotiate(s, ("fee_per_referral", "overdraft_interest_per_year"), contract=0, paths=600, seed=2)
    assert n.rows.current == 400 and n.columns.current == pytest.approx(0.08)
    assert len(n.rows.values) > 2 and len(n.columns.values) > 2
    for i, fee in enumerate(n.rows.values):
        for j, rate in enumerate(n.columns.values):
            at = _applied(s, 0, {"fee_per_referral": fee, "overdraft_interest_per_year": rate})
            assert at.contracts[0].fee_per_referral[0] == pytest.approx(fee)
            assert n.p[i][j] == simulate(at, 600, 2).p_run_out, (fee, rate)


def test_with_interest_other_opening_reserves_are_charged_afresh_in_the_grid():
    """Interest makes the balance more than the opening reserves plus the same sum: each
    cell's reserves are charged their own interest, as the simulation charges them."""
    from charityrisk.engine.decisions.negotiate import _applied, negotiate

    s = v3()
    n = negotiate(s, ("opening_reserves", "overdraft_interest_per_year"), contract=0, paths=600, seed=2)
    for i, reserves in enumerate(n.rows.values):
        for j, rate in enumerate(n.columns.values):
            at = _applied(s, 0, {"opening_reserves": reserves, "overdraft_interest_per_year": rate})
            assert n.p[i][j] == simulate(at, 600, 2).p_run_out, (reserves, rate)
