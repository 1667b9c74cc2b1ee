"""Decision tools (engine.decisions): compare, sensitivity and goal seeking, no Qt.

Statistical tolerance used below: sigma = sqrt(a(1 - a) / n) is the Monte Carlo standard
error of a chance of running out near the appetite a estimated from n futures; two
independent estimates differ by sqrt(sigma_1^2 + sigma_2^2) in standard error, and checks
allow 4 of those (a false alarm about once in 16,000 runs).
"""
from __future__ import annotations

import copy
import math
from dataclasses import replace

import numpy as np
import pytest

from charityrisk.engine import Cancelled, simulate
from charityrisk.engine.decisions import (
    SOLVABLE,
    Workspace,
    analyse,
    apply_structure,
    compare,
    compare_steps,
    goal_seek,
    preset_options,
    sensitivity,
    solve,
)
from charityrisk.engine.decisions.common import standard_error
from charityrisk.engine.decisions.goalseek import scan
from charityrisk.engine.verdict import Verdict, verdict
from charityrisk.model import LatePayment, Uncertain, scenario_from_dict
from charityrisk.report import decision_text

# A small charity with a PbR contract: about 9% chance of running out in 24 months.
BASE = {
    "name": "test charity",
    "horizon_months": 24,
    "organisation": {"opening_reserves": 40000, "monthly_core_costs": 15000,
                     "monthly_other_income": {"low": 14000, "likely": 15000, "high": 16000}},
    "contracts": [{
        "name": "mentoring", "start_month": 1, "duration_months": 24,
        "referrals_per_month": {"low": 4, "likely": 6, "high": 8}, "p_no_referrals": 0.03,
        "price_per_referral": 1000, "share_at_risk": 0.3, "payment_mode": "earn", "fee_lag_months": 1,
        "success_rate": {"low": 0.35, "likely": 0.45, "high": 0.55}, "target_success_rate": 0.5,
        "cohort_months": 3, "outcome_lag_months": 12, "cost_per_referral": 300,
        "fixed_monthly_cost": 3500, "late_payment": {"probability": 0.2, "months": 2}}],
    "simulation": {"paths": 4000, "seed": 1, "risk_appetite": 0.05},
}
PATHS = 4000


def scenario(org=None, contract=None, contracts=None, **top):
    data = copy.deepcopy(BASE)
    data["organisation"].update(org or {})
    data["contracts"][0].update(contract or {})
    if contracts is not None:
        data["contracts"] = contracts
    data.update(top)
    return scenario_from_dict(data)


def sigma(p, n):
    return math.sqrt(p * (1 - p) / n)


# ------------------------------------------------------------------ workspace

CHANGES = [
    {"share_at_risk": 0.1}, {"share_at_risk": 1.0}, {"price_per_referral": 1300, "share_at_risk": 0.45},
    {"outcome_lag_months": 3}, {"outcome_lag_months": 40}, {"fee_lag_months": 0}, {"fee_lag_months": 4},
    {"cost_per_referral": 420, "fixed_monthly_cost": 2500}, {"late_payment": LatePayment(0.7, 5)},
    {"late_payment": LatePayment(0, 0)}, {"payment_mode": "clawback", "target_success_rate": 0.42},
    {"payment_mode": "threshold"}, {"referrals_per_month": Uncertain(4, 6, 8).scaled(1.37)},
    {"referrals_per_month": Uncertain.fixed(4)}, {"success_rate": Uncertain.fixed(0.55)},
    {"p_no_referrals": 0.25}, {"cohort_months": 7}, {"target_success_rate": 0.4},
    {"count_noise": "none"}, {"start_month": 4, "duration_months": 12}, {"price_per_referral": 0.0},
]


@pytest.mark.parametrize("two_contracts", [False, True])
def test_workspace_matches_the_engine_for_every_kind_of_change(two_contracts):
    """Every shortcut the decision tools take gives the engine's own answer (same futures)."""
    contracts = None
    if two_contracts:
        second = dict(copy.deepcopy(BASE["contracts"][0]), name="second", start_month=6,
                      duration_months=10, price_per_referral=900, payment_mode="threshold")
        contracts = [copy.deepcopy(BASE["contracts"][0]), second]
    s = scenario(contracts=contracts)
    paths, seed = 1500, 7
    ws = Workspace.build(s, paths, seed)
    assert ws.run_out().mean() == simulate(s, paths, seed).p_run_out
    c = s.contracts[0]
    for change in CHANGES:
        ours = ws.run_out_contract(0, replace(c, **change))
        theirs = simulate(s.with_contract(0, **change), paths, seed)
        assert np.array_equal(ours, theirs.run_out_month > 0), change
    for change in [{"opening_reserves": 55000}, {"overdraft_facility": 9000}, {"monthly_core_costs": 14000},
                   {"monthly_other_income": Uncertain.fixed(14000)}]:
        ours = ws.run_out(replace(s.organisation, **change))
        assert np.array_equal(ours, simulate(s.with_organisation(**change), paths, seed).run_out_month > 0), change
    lowest = ws.lowest_before_opening() + s.organisation.opening_reserves
    assert np.allclose(lowest, simulate(s, paths, seed).lowest_balance)


def test_decision_tools_refuse_runs_they_cannot_do():
    s = scenario()
    with pytest.raises(ValueError, match="paths"):
        solve(s, paths=10**6)
    with pytest.raises(ValueError, match="cannot solve for 'price'"):
        solve(s, ["price"])
    with pytest.raises(ValueError, match="contract: no contract 3"):
        solve(s, ["share_at_risk"], contract=3)
    with pytest.raises(ValueError, match="risk_appetite"):
        solve(s, appetite=1.5)


# ---------------------------------------------------------------- goal seeking

@pytest.mark.parametrize("target", ["share_at_risk", "outcome_lag_months", "referrals_per_month",
                                    "overdraft_facility"])
def test_goal_seek_answer_holds_on_fresh_futures(target):
    """The answer, re-simulated with a fresh seed, brackets the appetite within 4 sigma:
    the chance of running out at the answer is at most a + 4 sigma, and one grid step on
    the risky side it is at least a - 4 sigma (sigma: two independent estimates at a)."""
    s = scenario()
    a = s.settings.risk_appetite
    g = goal_seek(s, target, paths=PATHS, seed=1)
    assert g.status == "found" and not g.current_is_safe
    # On its own futures the answer is exact: within the appetite there by the one verdict
    # (the headline's), and the next step is not.
    at_value = simulate(g.safe_scenario, PATHS, 1)
    assert at_value.p_run_out == g.p_run_out_at_value <= a
    assert verdict(at_value.p_run_out, at_value.p_run_out_se, a) is Verdict.WITHIN
    riskier = simulate(_one_step_riskier(s, g), PATHS, 1)
    assert verdict(riskier.p_run_out, riskier.p_run_out_se, a) is not Verdict.WITHIN
    riskier = _one_step_riskier(s, g)
    fresh_paths = 12_000
    tolerance = 4 * math.hypot(sigma(a, PATHS), sigma(a, fresh_paths))
    assert simulate(g.safe_scenario, fresh_paths, 424242).p_run_out <= a + tolerance
    assert simulate(riskier, fresh_paths, 424242).p_run_out >= a - tolerance
    low, high = g.value_range
    assert low is not None and high is not None and low <= g.value <= high


def _one_step_riskier(s, g):
    c = s.contracts[0]
    if g.input == "share_at_risk":
        return s.with_contract(0, share_at_risk=g.value + g.step)
    if g.input == "outcome_lag_months":
        return s.with_contract(0, outcome_lag_months=int(g.value) + 1)
    if g.input == "referrals_per_month":
        return s.with_contract(0, referrals_per_month=c.referrals_per_month.scaled(round(g.scale * 100 - 1) / 100))
    return s.with_organisation(overdraft_facility=g.value - g.step)


def test_goal_seeks_state_their_direction_grid_and_uncertainty():
    s = scenario()
    sol = solve(s, paths=PATHS)
    # every input its payment mode reads (not a rate card's fee, nor a pooled target it has not),
    # and not the interest on an overdraft that costs nothing
    unread = ("fee_per_referral", "pooled_target_success_rate", "overdraft_interest_per_year")
    assert [g.input for g in sol.goals] == [n for n in SOLVABLE if n not in unread]
    by = {g.input: g for g in sol.goals}
    assert by["share_at_risk"].direction == "at_most" and by["outcome_lag_months"].direction == "at_most"
    for name in ("referrals_per_month", "price_per_referral", "overdraft_facility", "opening_reserves"):
        assert by[name].direction == "at_least"
    # Answers in what a contract or a bank can state: whole pounds, months and referrals,
    # the least such value that is safe (one pound, or one referral, less is not).
    assert by["overdraft_facility"].value == int(by["overdraft_facility"].value)
    assert by["referrals_per_month"].value == int(by["referrals_per_month"].value)
    assert by["overdraft_facility"].step == by["referrals_per_month"].step == 1
    riskier = s.with_organisation(overdraft_facility=by["overdraft_facility"].value - 1)
    p = simulate(riskier, PATHS, 1).p_run_out
    assert verdict(p, sigma(p, PATHS), 0.05) is not Verdict.WITHIN
    assert by["outcome_lag_months"].value == int(by["outcome_lag_months"].value)
    assert by["price_per_referral"].value % 10 == 0  # £10 steps for a £1,000 price
    u = by["referrals_per_month"].safe_scenario.contracts[0].referrals_per_month
    assert u.low / 4 == pytest.approx(u.high / 8) == pytest.approx(by["referrals_per_month"].scale)
    for g in sol.goals:
        assert g.p_run_out_current == sol.p_run_out > g.risk_appetite
        assert g.appetite_se == pytest.approx(sigma(0.05, PATHS))
        low, high = g.value_range
        if g.status == "found":
            assert low <= g.value <= high
        else:  # this charity's risk is not in its fee wait, late payment, success or p_no_referrals
            assert g.input in ("fee_lag_months", "late_payment.months", "success_rate", "p_no_referrals")
    # The opening-reserves answer is the facility answer moved across: the same futures.
    assert by["opening_reserves"].value == pytest.approx(40000 + by["overdraft_facility"].value, abs=1)


def test_no_safe_value_and_every_value_safe_are_reported():
    # Core costs far above income: no contract term can save it, but enough money can.
    hopeless = scenario(org={"monthly_core_costs": 25000})
    sol = solve(hopeless, paths=1000)
    for name in ("share_at_risk", "outcome_lag_months", "referrals_per_month", "price_per_referral"):
        g = sol.goal(name)
        assert g.status == "none_safe" and g.value is None and g.safe_scenario is None
        assert g.p_run_out_best > g.risk_appetite
        assert "on its own" in decision_text.goal_sentence(g)
    assert sol.goal("overdraft_facility").status == "found"
    # Rich enough that no term matters.
    rich = scenario(org={"opening_reserves": 5_000_000})
    g = goal_seek(rich, "share_at_risk", paths=1000)
    assert g.status == "all_safe" and g.value == 1.0 and g.current_is_safe
    assert "cannot push" in decision_text.goal_sentence(g)
    g = goal_seek(rich, "overdraft_facility", paths=1000)
    assert g.status == "all_safe" and g.value == 0


def test_clawback_lag_is_safer_when_longer():
    s = scenario(contract={"payment_mode": "clawback", "target_success_rate": 0.6, "share_at_risk": 0.5,
                           "outcome_lag_months": 2})
    g = goal_seek(s, "outcome_lag_months", paths=2000)
    assert g.direction == "at_least"
    if g.status == "found":
        assert simulate(g.safe_scenario, 2000, 1).p_run_out <= g.risk_appetite


def _finish(steps):
    with pytest.raises(StopIteration) as done:
        while True:
            next(steps)
    return done.value.value


def test_scan_on_a_known_step_function():
    p = np.linspace(0.0, 1.0, 101)  # p(i) = i / 100: the largest i with p <= 0.137 is 13
    known = {}
    assert _finish(scan(lambda i: p[i], 100, lambda x: x <= 0.137, known)) == [(0, 13)]
    # The coarse pass, then one bisection of one bracket.
    assert len(known) <= 11 + math.ceil(math.log2(10))
    assert _finish(scan(lambda i: 1 - p[i], 100, lambda x: x <= 0.137, {})) == [(87, 100)]
    assert _finish(scan(lambda i: p[i], 100, lambda x: x <= 2, {})) == [(0, 100)]
    assert _finish(scan(lambda i: p[i], 100, lambda x: x < 0, {})) == []


def test_scan_finds_every_safe_range_when_the_risk_turns():
    """A valley (lowest in the middle) and two valleys: the old search judged from the two
    ends and answered "nothing is safe" for both."""
    valley = lambda i: 0.124 + 0.0001 * (i - 70) ** 2  # noqa: E731 -- lowest (12.4%) at 70
    assert _finish(scan(valley, 100, lambda x: x <= 0.13, {})) == [(63, 77)]
    two = lambda i: min(abs(i - 20), abs(i - 75)) / 100  # noqa: E731
    assert _finish(scan(two, 100, lambda x: x <= 0.05, {})) == [(15, 25), (70, 80)]


# ------------------------------------------------------------------ sensitivity

def _quiet(**contract):
    base = {"name": "c", "start_month": 1, "duration_months": 24, "referrals_per_month": 5,
            "price_per_referral": 1000, "share_at_risk": 0.3, "payment_mode": "earn", "fee_lag_months": 1,
            "success_rate": 0.5, "target_success_rate": 0.5, "cohort_months": 6, "outcome_lag_months": 6,
            "cost_per_referral": 500, "fixed_monthly_cost": 2000}
    return scenario_from_dict({
        "horizon_months": 24,
        "organisation": {"opening_reserves": contract.pop("opening_reserves", 15000),
                         "monthly_other_income": 0, "monthly_core_costs": 0},
        "contracts": [{**base, **contract}]})


@pytest.mark.parametrize("s,dominant", [
    (_quiet(referrals_per_month={"low": 1, "likely": 5, "high": 10}), "contracts[0].referrals_per_month"),
    (_quiet(success_rate={"low": 0.2, "likely": 0.5, "high": 0.8}, payment_mode="threshold",
            share_at_risk=0.6, price_per_referral=1500, fee_lag_months=0, opening_reserves=20000),
     "contracts[0].success_rate"),
])
def test_tornado_ranks_the_dominant_input_first(s, dominant):
    """Each scenario is built so that one uncertain input decides whether it runs out."""
    sens = sensitivity(s, paths=2000, seed=3)
    first, second = sens.bars[0], sens.bars[1]
    assert first.key == dominant and first.kind == "range"
    assert first.swing - second.swing > 4 * math.hypot(first.swing_se, second.swing_se)
    assert [b.swing for b in sens.bars] == sorted((b.swing for b in sens.bars), reverse=True)


def test_sensitivity_steps_and_ends():
    s = scenario()
    sens = sensitivity(s, paths=1000)
    bars = {b.key: b for b in sens.bars}
    # correlation; 4 organisation inputs and version 3's interest on the overdraft; 13 contract
    # inputs and guarantee, ramp-up, wind-down, exit cost
    assert len(bars) == 1 + 5 + 17
    wind = bars["contracts[0].wind_down_months"]  # left out: the whole contract, never beyond
    assert (wind.low_value, wind.base_value, wind.high_value) == (21, 24, 24)
    assert bars["contracts[0].guaranteed_referrals_per_month"].high_value == 1
    ref = bars["contracts[0].referrals_per_month"]
    assert (ref.kind, ref.low_value, ref.base_value, ref.high_value) == ("range", 4, 6, 8)
    assert ref.p_low > sens.p_run_out > ref.p_high
    share = bars["contracts[0].share_at_risk"]
    assert (share.kind, share.low_value, share.high_value) == ("step", pytest.approx(0.25), pytest.approx(0.35))
    lag = bars["contracts[0].outcome_lag_months"]
    assert (lag.low_value, lag.high_value) == (9, 15) and lag.p_low <= sens.p_run_out <= lag.p_high
    od = bars["organisation.overdraft_facility"]
    assert od.low_value == 0 and od.high_value == bars["organisation.opening_reserves"].high_value - 40000
    core = bars["organisation.monthly_core_costs"]
    assert (core.low_value, core.high_value) == (pytest.approx(13500), pytest.approx(16500))
    for b in sens.bars:
        assert 0 <= b.p_low <= 1 and 0 <= b.p_high <= 1 and b.swing == pytest.approx(abs(b.p_high - b.p_low))
    assert decision_text.sensitivity_lines(sens)[1].startswith(" 1. ")


def test_progress_and_cancel():
    s = scenario()
    seen = []
    sensitivity(s, paths=1000, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1]
    assert all(0 <= d <= t for d, t in seen) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) >= 4

    with pytest.raises(Cancelled):
        analyse(s, paths=1000, cancelled=cancelled)
    assert len(asked) == 4  # stopped at the first step after the answer changed


# ------------------------------------------------------------------ comparison

def test_comparison_with_common_random_numbers_ranks_less_at_risk_safer():
    """0% at risk is safer than 20% at risk in every seed, even with few futures, because
    both see the same futures: no future that runs out at 0% survives at 20%."""
    base = scenario(org={"opening_reserves": 30000}, contract={"outcome_lag_months": 9})
    options = [("20% at risk", base.with_contract(0, share_at_risk=0.2)),
               ("0% at risk", base.with_contract(0, share_at_risk=0.0))]
    for seed in range(1, 6):
        result = compare(options, paths=300, seed=seed)
        at20, at0 = (o.results for o in result.options)
        assert at0.p_run_out < at20.p_run_out, seed
        assert result.safest.label == "0% at risk" and result.ranking() == (1, 0)
        out20, out0 = at20.run_out_month > 0, at0.run_out_month > 0
        assert not np.any(out0 & ~out20)
        paired = result.options[1].p_run_out_difference_se
        independent = math.hypot(at20.p_run_out_se, at0.p_run_out_se)
        assert 0 < paired < independent
        assert result.options[1].p_run_out_difference == pytest.approx(at0.p_run_out - at20.p_run_out)


def test_comparison_reports_every_option_and_progress():
    s = scenario()
    options = preset_options(s)
    assert len(options) == 5 and options[0][1] is s
    for _, variant in options[1:]:
        assert variant.organisation == s.organisation
        assert variant.contracts[0].price_per_referral == s.contracts[0].price_per_referral
    steps = compare_steps(options, paths=1000, seed=2)
    reports = []
    with pytest.raises(StopIteration) as done:
        while True:
            reports.append(next(steps))
    result = done.value.value
    assert reports[-1].done == reports[-1].total == 5000
    data = result.to_json_dict()
    assert [o["label"] for o in data["options"]] == [label for label, _ in options]
    assert sorted(o["rank"] for o in data["options"]) == [1, 2, 3, 4, 5]
    for o, (_, variant) in zip(data["options"], options):
        assert o["p_run_out"] == simulate(variant, 1000, 2).p_run_out
        assert len(o["p_run_out_by_month"]) == 24
    lines = decision_text.comparison_lines(result)
    assert lines[0].startswith("Option") and any("Safest:" in line for line in lines)


def test_apply_structure_takes_only_the_payment_terms():
    s = scenario()
    heavy = scenario(contract={"share_at_risk": 0.5, "p_no_referrals": 0.33, "price_per_referral": 1,
                               "payment_mode": "threshold"})
    variant = apply_structure(s, 0, heavy.contracts[0])
    assert variant.contracts[0].share_at_risk == 0.5 and variant.contracts[0].payment_mode == "threshold"
    assert variant.contracts[0].p_no_referrals == s.contracts[0].p_no_referrals  # a guess, not a term
    assert variant.contracts[0].price_per_referral == 1000


# ------------------------------------------------------------------ plain words

def test_advice_sentence():
    s = scenario()
    sol = solve(s, ["share_at_risk", "overdraft_facility", "outcome_lag_months"], paths=PATHS)
    text = decision_text.advice(sol)
    share = decision_text.share(sol.goal("share_at_risk").value)
    facility = decision_text.money(sol.goal("overdraft_facility").value)
    months = int(sol.goal("outcome_lag_months").value)
    assert text == (f"Keep the share at risk at or below {share}, or secure a {facility} overdraft "
                    f"facility, or get outcome payments within {months} months of each cohort's end.")
    sentence = decision_text.goal_sentence(sol.goal("share_at_risk"))
    assert "Allowing for Monte Carlo error the answer lies between" in sentence
    safe = solve(scenario(org={"opening_reserves": 90000}), ["share_at_risk"], paths=1000)
    assert decision_text.advice(safe).startswith("The chance of running out (")


# ------------------------------------------------------- the risk need not move one way

def turning_scenario():
    """The single-line example (tests/data/example_v1.json, the built-in example before it had
    budget lines) with fees 6 months late and outcomes paid at once: putting some of the
    price at risk brings money in sooner, putting much of it at risk makes it uncertain, so
    the chance of running out is lowest in the middle (about 10% near 25-30% at risk) and
    higher at both ends (about 13% at none, 16% at all of it)."""
    from pathlib import Path

    from charityrisk.model import load_scenario

    s = load_scenario(Path(__file__).parent / "data" / "example_v1.json")
    return s.with_contract(0, fee_lag_months=6, outcome_lag_months=0)


def test_goal_seek_finds_the_safe_range_when_the_risk_turns():
    s, a, n = turning_scenario(), 0.12, 10_000
    g = goal_seek(s, "share_at_risk", paths=n, seed=1, appetite=a)
    # The old search judged from the two ends, both above the appetite: "none is safe".
    assert g.status == "found" and g.direction == "between"
    ((low, high),) = g.safe_ranges
    assert 0 < low < 0.3 < high < 1
    # Every share on the grid, on the same futures: exactly those in the range are within.
    ws = Workspace.build(s, n, 1)
    c = s.contracts[0]
    within = []
    for i in range(101):
        p = float(ws.run_out_contract(0, replace(c, share_at_risk=i / 100)).mean())
        if verdict(p, standard_error(p, n), a) is Verdict.WITHIN:
            within.append(i / 100)
    assert within == [pytest.approx(k / 100) for k in range(round(low * 100), round(high * 100) + 1)]
    assert g.p_run_out_best == min(g.p_run_out_best, g.p_run_out_current) < a
    text = decision_text.goal_sentence(g)
    assert f"between {decision_text.share(low)} and {decision_text.share(high)}" in text
    assert "does not move one way" in text


def test_one_answer_where_the_old_rules_disagreed():
    """A chance just under the appetite but within two standard errors of it: the headline
    said "too close to call" while the goal seeks and the comparison said "within".  Now
    every view gives the one verdict."""
    from charityrisk.report import text

    s = scenario()
    r = simulate(s, PATHS, 1)
    a = r.p_run_out + r.p_run_out_se  # p <= a, but p + 2 se > a
    assert r.p_run_out <= a
    assert text.run_verdict(r, a) is Verdict.TOO_CLOSE and text.verdict(r, a).startswith("Too close")
    assert text.risk_level(r, a) == "close"
    sol = solve(s, ["overdraft_facility"], paths=PATHS, seed=1, appetite=a)
    assert sol.p_run_out == r.p_run_out and sol.verdict is Verdict.TOO_CLOSE
    g = sol.goals[0]
    assert not g.current_is_safe and g.to_json_dict()["current_verdict"] == "too_close"
    assert "is within" not in decision_text.advice(sol)
    assert "too close to call" in decision_text.advice(sol)
    comparison = compare([("yours", s), ("same again", s)], PATHS, 1, a)
    assert comparison.verdict(comparison.options[0]) is Verdict.TOO_CLOSE
    assert comparison.to_json_dict()["options"][0]["within_appetite"] is False
    assert decision_text.comparison_rows(comparison)[1][-1] == "too close to call"
