"""The search for safe terms (issues 25 and 27): searched on the first 2,500 futures, then
confirmed on every future; answers in whole pounds, referrals and months, the least such
value that is safe, with the chance there simulated again; an appetite of 0% said to be
unprovable; the reserves needed with overdraft interest charged afresh at the answer."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charityrisk.engine import simulate
from charityrisk.engine.decisions import goalseek, solve
from charityrisk.engine.decisions.goalseek import (
    COARSE_PATHS,
    boundary,
    coarse_workspace,
    money_needs,
    scan,
    with_term,
)
from charityrisk.engine.decisions.workspace import Workspace, _LinearContract, _RateCardContract, drain
from charityrisk.engine.verdict import Verdict, verdict
from charityrisk.model import Uncertain, load_scenario
from charityrisk.report import decision_text
from scenario_factory import contract, make_scenario

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "scenarios" / "example.json"
PATHS = 4 * COARSE_PATHS  # two blocks: searched on fewer futures than it confirms on
SEED = 7


def judged(p: float, paths: int, appetite: float) -> Verdict:
    return verdict(p, np.sqrt(p * (1 - p) / paths), appetite)


@pytest.fixture(scope="module")
def example():
    return load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def solved(example):
    targets = ["referrals_per_month", "price_per_referral", "guaranteed_referrals_per_month", "success_rate"]
    return solve(example, targets, paths=PATHS, seed=SEED)


def test_the_coarse_futures_are_the_full_runs_first_futures_future_by_future(example):
    """The search's futures are the engine's own first ones: a variant that redraws (more
    referrals, another chance of none, another success rate) or not (a price) runs out in
    exactly the futures a fresh simulation with the same seed runs out in, on the coarse
    Workspace and on the first futures of the full one (whose blocks run side by side)."""
    full = Workspace.build(example, PATHS, SEED)
    coarse = drain(coarse_workspace(full))
    assert coarse is not full and coarse.paths == COARSE_PATHS
    c = example.contracts[0]
    variants = [replace(c, referrals_per_month=c.referrals_per_month.scaled(1.5)),
                replace(c, p_no_referrals=0.2), replace(c, price_per_referral=1500.0)]
    for variant in variants:
        fresh = simulate(example.with_contract(0, **{k: getattr(variant, k) for k in
                                                     ("referrals_per_month", "p_no_referrals",
                                                      "price_per_referral")}), PATHS, SEED)
        everyone = full.run_out_contract(0, variant)
        np.testing.assert_array_equal(everyone, fresh.run_out_month > 0)
        np.testing.assert_array_equal(coarse.run_out_contract(0, variant), everyone[:COARSE_PATHS])


def test_the_answer_stated_is_confirmed_on_every_future(example, solved):
    """Each answer, simulated afresh with the same futures, has the chance stated and is
    within the appetite; one step less safe is not (the least safe value of the grid); the
    Monte Carlo range's far end is not above the appetite and one step beyond it is."""
    a = example.settings.risk_appetite
    for g in solved.goals:
        if g.status != "found":
            continue
        assert g.direction == "at_least", g.input
        again = simulate(g.safe_scenario, PATHS, SEED)
        assert again.p_run_out == g.p_run_out_at_value, g.input
        assert judged(again.p_run_out, PATHS, a) is Verdict.WITHIN
        riskier = goalseek._problem(Workspace.build(example, PATHS, SEED), Workspace.build(example, 10, SEED),
                                    g.input, 0)
        index = round((g.value - riskier.grid.value(0)) / g.step)
        assert riskier.grid.value(index) == pytest.approx(g.value)
        assert judged(riskier.p_exact(index - 1), PATHS, a) is not Verdict.WITHIN, g.input
        low, high = g.value_range
        assert high == g.value
        k = round((low - riskier.grid.value(0)) / g.step)
        assert judged(riskier.p_exact(k), PATHS, a) is not Verdict.ABOVE
        if k > 0:
            assert judged(riskier.p_exact(k - 1), PATHS, a) is Verdict.ABOVE, g.input


def test_searching_on_fewer_futures_gives_the_answers_of_a_search_on_all(example, solved, monkeypatch):
    monkeypatch.setattr(goalseek, "COARSE_PATHS", 10**9)  # search on every future
    full = solve(example, [g.input for g in solved.goals], paths=PATHS, seed=SEED)
    for fast, slow in zip(solved.goals, full.goals):
        assert (fast.status, fast.direction, fast.value, fast.value_range, fast.p_run_out_at_value) == (
            slow.status, slow.direction, slow.value, slow.value_range, slow.p_run_out_at_value), fast.input
        assert fast.evaluations <= slow.evaluations + 12


def test_answers_are_whole_referrals_and_whole_pounds(example, solved):
    by = {g.input: g for g in solved.goals}
    referrals = by["referrals_per_month"]
    assert referrals.status == "found" and referrals.value == int(referrals.value) and referrals.step == 1
    likely = referrals.safe_scenario.contracts[0].referrals_per_month.likely
    assert likely == pytest.approx(referrals.value)
    guarantee = by["guaranteed_referrals_per_month"]
    assert guarantee.value == int(guarantee.value)
    assert by["price_per_referral"].value % 10 == 0  # the price's round steps: £10 for £1,000s
    assert by["success_rate"].status == "none_safe"
    # the chance stated where nothing is safe is that of every future, at the safest value
    best = simulate(example.with_contract(0, **goalseek._changes(
        example.contracts[0], "success_rate", goalseek.percent_grid(example.contracts[0], "success_rate", 36),
        round(by["success_rate"].best_value * 100))), PATHS, SEED)
    assert best.p_run_out == by["success_rate"].p_run_out_best


def test_an_appetite_of_nothing_is_said_to_be_unprovable(example):
    sol = solve(example, ["share_at_risk", "overdraft_facility"], paths=1000, appetite=0.0)
    for g in sol.goals:
        assert g.status == "unprovable" and g.value is None and g.safe_scenario is None
        assert g.evaluations == 0
        assert "0%" in decision_text.goal_sentence(g)
        assert "no number of simulated futures proves a chance of nothing" in decision_text.goal_sentence(g)
    assert "0%" in decision_text.advice(sol) and "largest" not in decision_text.advice(sol)


def test_scan_side_by_side_finds_the_same_ranges():
    # not one way: safe from 20 to 35 and from 70 to 80 of 0..100
    def p(i: int) -> float:
        return 0.01 if 20 <= i <= 35 or 70 <= i <= 80 else 0.5

    def finish(steps):
        return drain(steps)

    one = finish(scan(p, 100, lambda q: q < 0.05, {}))
    both = finish(scan(p, 100, lambda q: q < 0.05, {}, many=lambda idx: [p(i) for i in idx]))
    assert one == both == [(20, 35), (70, 80)]


@pytest.mark.parametrize("start", [0, 3, 17, 40, 99])
def test_boundary_finds_the_least_safe_index_from_anywhere(start):
    def p(i: int) -> float:
        return 0.0 if i >= 23 else 1.0
    assert boundary(p, lambda q: q < 0.5, start, 1, 99) == 23
    assert boundary(lambda i: 1.0, lambda q: q < 0.5, start, 1, 99) is None


def test_reserves_needed_with_interest_are_simulated_at_the_answer():
    """With overdraft interest other reserves are charged other interest: the reserves
    answer (needed anyway and with the contract) is simulated at the value shown, within
    the appetite there, and a pound less is not."""
    s = make_scenario(contracts=[contract(referrals_per_month={"low": 1, "likely": 3, "high": 5},
                                          late_payment={"probability": 0.3, "months": 2})],
                      overdraft_facility=500)
    s = s.with_organisation(overdraft_interest_per_year=0.3)
    paths = 400
    _, reserves = money_needs(s, paths=paths)
    for answer, scenario in ((reserves.with_contracts, s), (reserves.without, replace(s, contracts=()))):
        r = simulate(scenario.with_organisation(opening_reserves=answer.value), paths=paths)
        assert r.p_run_out == answer.p_run_out_at_value
        assert judged(r.p_run_out, paths, 0.05) is Verdict.WITHIN
        less = simulate(scenario.with_organisation(opening_reserves=answer.value - 1), paths=paths)
        assert judged(less.p_run_out, paths, 0.05) is not Verdict.WITHIN


def test_with_term_keeps_the_rest_of_the_guess(example):
    c = example.contracts[0]
    grid = goalseek.referral_scale_grid(c, "referrals_per_month", 36)
    u = with_term(c, "referrals_per_month", grid, 12).referrals_per_month
    assert u.likely == pytest.approx(12)
    assert u.low / c.referrals_per_month.low == pytest.approx(12 / c.referrals_per_month.likely)


@settings(max_examples=200, deadline=None)
@given(last=st.integers(1, 400), edge=st.integers(0, 400), start=st.integers(0, 400), up=st.booleans())
def test_boundary_is_the_brute_force_answer_for_any_monotone_chance(last, edge, start, up):
    """Safe from ``edge`` upward (or downward): from any start, the boundary is the safe index
    nearest the unsafe side, or None when nothing on the safe side is safe."""
    edge, start = min(edge, last + 1), min(start, last)

    def safe_at(i: int) -> bool:
        return i >= edge if up else i <= last - edge

    asked: list[int] = []

    def p(i: int) -> float:
        assert 0 <= i <= last
        asked.append(i)
        return 0.0 if safe_at(i) else 1.0

    found = boundary(p, lambda q: q < 0.5, start, 1 if up else -1, last)
    safe = [i for i in range(last + 1) if safe_at(i)]
    assert found == ((min(safe) if up else max(safe)) if safe else None)
    assert len(set(asked)) <= 2 * (last + 1).bit_length() + 2  # galloping, then bisection


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=80))
def test_scan_side_by_side_is_scan_one_at_a_time(chances):
    last = len(chances) - 1

    def p(i: int) -> float:
        return chances[i]

    def safe(q: float) -> bool:
        return q <= 0.3

    known_one: dict[int, float] = {}
    known_many: dict[int, float] = {}
    one = drain(scan(p, last, safe, known_one))
    many = drain(scan(p, last, safe, known_many, many=lambda idx: [p(i) for i in idx]))
    assert one == many and known_one == known_many


def _rate_card_variants(c):
    def stages(k, **change):
        out = list(c.outcome_payments)
        out[k] = replace(out[k], **change)
        return tuple(out)
    # (change, whether the linear form answers it: nothing drawn or rebuilt)
    return [
        ({"fee_per_referral": tuple(1.7 * f for f in c.fee_per_referral)}, True),
        ({"fee_per_referral": (0.0,)}, True),
        ({"outcome_payments": stages(0, price=0.0)}, True),
        ({"outcome_payments": stages(1, price=260.0)}, True),
        ({"fee_lag_months": 0}, True),
        ({"fee_lag_months": 9}, True),
        ({"late_payment": replace(c.late_payment, months=5)}, True),
        ({"late_payment": replace(c.late_payment, probability=0.6)}, True),
        ({"cost_per_referral": 450.0, "fixed_monthly_cost": 4000.0, "exit_cost": 9000.0}, True),
        ({"guaranteed_referrals_per_month": 3.0}, False),
        ({"outcome_payments": stages(1, payments=6, lag_months=9)}, False),
        ({"outcome_payments": stages(1, rate=Uncertain(0.3, 0.4, 0.5))}, False),
        ({"outcome_payments": stages(0, rate=Uncertain(0.4, 0.5, 0.6))}, False),
        ({"p_no_referrals": 0.3}, False),
        ({"referrals_per_month": c.referrals_per_month.scaled(1.4)}, False),
    ]


@pytest.mark.parametrize("late_start", [False, True])
def test_a_rate_cards_terms_are_the_simulations_futures_from_its_kept_draws(late_start):
    """Every kind of change to a rate card, answered from the Workspace's kept draws (prices,
    fee schedule, lags, late payment, costs and the guarantee without drawing anything again;
    a stage's rate, the chance of no referrals and the referrals by drawing again only what
    they change), runs out in exactly the futures a fresh simulation of it does, on two blocks
    with correlated draws."""
    from test_decisions_v3 import v3

    s = v3()
    if late_start:  # work past the horizon, a wind-down's fixed costs, a stage paid from the start
        c = s.contracts[0]
        stages = (replace(c.outcome_payments[0], lag_months=0),) + c.outcome_payments[1:]
        s = s.with_contract(0, start_month=12, wind_down_months=2, outcome_payments=stages, exit_cost=5000.0,
                            fixed_monthly_cost=4000.0)
    paths, seed = 6000, 4
    c = s.contracts[0]
    ws = Workspace.build(s, paths, seed)
    ws.prepare(0)
    for change, linear in _rate_card_variants(c):
        variant = replace(c, **change)
        fresh = simulate(s.with_contract(0, **change), paths, seed)
        assert 0.01 < fresh.p_run_out < 0.99, change  # the check can tell futures apart
        before = ws.block_simulations
        assert np.array_equal(ws.run_out_contract(0, variant), fresh.run_out_month > 0), change
        assert ws.block_simulations - before == (0 if linear else len(ws.blocks)), change


def test_a_stages_rate_redraws_that_stage_and_later_ones_only():
    """The numbers reaching the stages before the one whose rate changes are the kept arrays;
    that stage's and later ones are drawn again from their own streams (the engine's)."""
    from test_decisions_v3 import v3

    s = v3()
    c = s.contracts[0]
    ws = Workspace.build(s, 3000, 5)
    ws.prepare(0)
    draws = ws._draws[0]
    stages = list(c.outcome_payments)
    stages[1] = replace(stages[1], rate=Uncertain(0.3, 0.4, 0.5))
    variant = replace(c, outcome_payments=tuple(stages))
    base = draws.stage_reach(c, draws.referrals(c))
    again = draws.stage_reach(variant, draws.referrals(variant))
    assert again[0] is base[0]  # kept, not drawn again
    assert again[1] is not base[1] and not np.array_equal(again[1], base[1])
    kept = ws._linear[0]
    rebuilt = _LinearContract.from_draws(variant, draws, s.horizon_months, kept)
    assert isinstance(kept, _RateCardContract) and isinstance(rebuilt, _RateCardContract)
    assert rebuilt.stages[0] is kept.stages[0] and rebuilt.fee_base is kept.fee_base  # nothing redone there
    assert not np.array_equal(rebuilt.stages[1], kept.stages[1])
    fewer = draws.stage_reach(replace(c, p_no_referrals=0.4), draws.referrals(replace(c, p_no_referrals=0.4)))
    assert all(f is not b for f, b in zip(fewer, base))


def test_the_workspace_draws_a_latin_hypercube_as_the_simulation_does():
    from test_decisions_v3 import V3, v3

    s = v3(simulation={**V3["simulation"], "sampling": "latin_hypercube"})
    fresh = simulate(s, 3000, 2)
    assert 0.01 < fresh.p_run_out < 0.99
    assert np.array_equal(Workspace.build(s, 3000, 2).run_out(), fresh.run_out_month > 0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 130), st.integers(0, 2**32 - 1))
def test_the_running_total_is_numpys_cumsum_bit_for_bit(futures, months, seed):
    from charityrisk.engine.decisions.workspace import running_total

    a = np.random.default_rng(seed).normal(0, 1e5, (futures, months))
    assert np.array_equal(running_total(a.copy()), np.cumsum(a, axis=1))
