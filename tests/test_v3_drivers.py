"""``run_out_drivers`` (domain.md, version 3): entries, thresholds from the beta-PERT's own
quantiles, bad sides, shares from the same futures, the sort with its ties and nulls."""
import dataclasses
import math

import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.sampling import FutureDraws
from charityrisk.engine.simulate import run_out_month, simulate_block
from charityrisk.model import Uncertain
from charityrisk.model.scenario import BudgetLine, LatePayment
from scenario_factory import contract, make_scenario

Z = 4


def scenario(opening=60_000.0, correlation=0.0):
    s = make_scenario(
        contracts=[
            contract(start_month=1, duration_months=24, referrals_per_month={"low": 2, "likely": 6, "high": 9},
                     p_no_referrals=0.1, success_rate={"low": 0.2, "likely": 0.4, "high": 0.7},
                     late_payment={"probability": 0.3, "months": 3}, outcome_lag_months=6, fixed_monthly_cost=2500),
            contract(start_month=3, duration_months=6),  # nothing uncertain: no entries
        ],
        horizon_months=30, opening_reserves=opening, correlation=correlation,
        monthly_other_income={"low": 1500, "likely": 2000, "high": 2600}, monthly_core_costs=2300)
    lines = (
        BudgetLine("Grant", "income", Uncertain(600, 800, 900), probability=0.6),
        BudgetLine("Rent", "cost", Uncertain.fixed(300)),  # fixed, sure: no entries
        BudgetLine("Heating", "cost", Uncertain.fixed(0.0), monthly_amounts=(300, 100, 50),
                   scale=Uncertain(0.9, 1.0, 1.5), probability=0.5),
    )
    return dataclasses.replace(s, organisation=dataclasses.replace(s.organisation, budget=lines))


FILE_ORDER = [
    ("organisation.monthly_other_income", "value"),
    ("organisation.budget[0].amount", "value"),
    ("organisation.budget[0].probability", "event"),
    ("organisation.budget[2].scale", "value"),
    ("organisation.budget[2].probability", "event"),
    ("contracts[0].referrals_per_month", "value"),
    ("contracts[0].p_no_referrals", "event"),
    ("contracts[0].success_rate", "value"),
    ("contracts[0].late_payment", "event"),
]


def beta_cdf_integer(x, a, b):
    """Beta(a, b) CDF for whole a, b: the binomial tail, exactly."""
    n = a + b - 1
    return sum(math.comb(n, j) * x ** j * (1 - x) ** (n - j) for j in range(a, n + 1))


def pert_quantile_exact(u, p):
    # PERT(low, likely, high) with whole shape parameters, by bisection on the exact CDF.
    a = round(1 + 4 * (u.likely - u.low) / (u.high - u.low))
    b = round(1 + 4 * (u.high - u.likely) / (u.high - u.low))
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if beta_cdf_integer(mid, a, b) < p else (lo, mid)
    return u.low + (u.high - u.low) * lo


def test_every_varying_draw_is_an_entry_and_nothing_else():
    r = simulate(scenario(), 4000, 3)
    got = {(d["input"], d["kind"]) for d in r.run_out_drivers}
    assert got == set(FILE_ORDER)
    assert all(("threshold" in d) == (d["kind"] == "value") for d in r.run_out_drivers)
    assert 0 < r.p_run_out < 1


def test_thresholds_are_the_distributions_own_quartiles():
    drivers = {d["input"]: d for d in simulate(scenario(), 500, 3).run_out_drivers}
    # These shapes are not whole numbers: compared with a quantile from a finer grid.
    heating = Uncertain(0.9, 1.0, 1.5)
    for path, u, q in [("organisation.monthly_other_income", Uncertain(1500, 2000, 2600), 0.25),
                       ("organisation.budget[0].amount", Uncertain(600, 800, 900), 0.25),
                       ("organisation.budget[2].scale", heating, 0.75),  # a cost: the 75th
                       ("contracts[0].referrals_per_month", Uncertain(2, 6, 9), 0.25),
                       ("contracts[0].success_rate", Uncertain(0.2, 0.4, 0.7), 0.25)]:
        assert drivers[path]["threshold"] == pytest.approx(fine_quantile(u, q), abs=1e-6 * (u.high - u.low)), path
    # and a whole-shape case against the exact binomial-tail CDF: PERT(0, 0.5, 1) is Beta(3, 3)
    s = scenario()
    s = s.with_contract(0, success_rate=Uncertain(0.0, 0.5, 1.0))
    d = {d["input"]: d for d in simulate(s, 200, 1).run_out_drivers}["contracts[0].success_rate"]
    assert d["threshold"] == pytest.approx(pert_quantile_exact(Uncertain(0.0, 0.5, 1.0), 0.25), abs=1e-7)


def fine_quantile(u, q):
    alpha = 1 + 4 * (u.likely - u.low) / (u.high - u.low)
    beta = 1 + 4 * (u.high - u.likely) / (u.high - u.low)
    x = np.linspace(0, 1, 2_000_001)
    density = x ** (alpha - 1) * (1 - x) ** (beta - 1)
    cdf = np.concatenate(([0], np.cumsum((density[1:] + density[:-1]) / 2)))
    cdf /= cdf[-1]
    return u.low + (u.high - u.low) * float(np.interp(q, cdf, x))


@pytest.mark.parametrize("correlation", [0.0, 0.5])
def test_shares_are_of_the_same_futures(correlation):
    """Recomputed here from the block's own draws and balances: one block of 3,000 futures."""
    s = scenario(correlation=correlation)
    n, seed = 3000, 8
    r = simulate(s, n, seed)
    b = simulate_block(s, n, seed, 0)
    out = run_out_month(b.balances, s.organisation.overdraft_facility) > 0
    assert np.array_equal(out, r.run_out_month > 0)
    drivers = {d["input"]: d for d in r.run_out_drivers}
    draws = FutureDraws(seed, 0, n, correlation)  # the block's streams, drawn again here
    income = draws.value(s.organisation.monthly_other_income, 0, 0)
    threshold = drivers["organisation.monthly_other_income"]["threshold"]
    bad = income < threshold
    assert drivers["organisation.monthly_other_income"]["share_all"] == np.mean(bad)
    assert drivers["organisation.monthly_other_income"]["share_run_out"] == np.mean(bad[out])
    late = draws.bad_event(0.3, 1, 4)  # contract 0 (id 1), LATE
    assert drivers["contracts[0].late_payment"]["share_all"] == np.mean(late)
    assert drivers["contracts[0].late_payment"]["share_run_out"] == np.mean(late[out])


def test_shares_of_the_bad_sides_are_what_they_should_be():
    n = 20_000
    drivers = {d["input"]: d for d in simulate(scenario(), n, 5).run_out_drivers}

    def near(value, p):
        assert abs(value - p) < Z * math.sqrt(p * (1 - p) / n), (value, p)

    for path in ("organisation.monthly_other_income", "organisation.budget[0].amount",
                 "organisation.budget[2].scale", "contracts[0].referrals_per_month", "contracts[0].success_rate"):
        near(drivers[path]["share_all"], 0.25)  # a quarter of all futures
    near(drivers["organisation.budget[0].probability"]["share_all"], 0.4)  # the grant does not come
    near(drivers["organisation.budget[2].probability"]["share_all"], 0.5)  # the cost falls due
    near(drivers["contracts[0].p_no_referrals"]["share_all"], 0.1)
    near(drivers["contracts[0].late_payment"]["share_all"], 0.3)
    # the contract's own bad luck is over-represented among the futures that ran out
    assert drivers["contracts[0].p_no_referrals"]["share_run_out"] > 0.1 + 0.05


def test_sorted_by_the_excess_share_with_ties_in_file_order():
    r = simulate(scenario(), 3000, 4)
    keys = [(d["share_run_out"] or 0) - d["share_all"] for d in r.run_out_drivers]
    assert keys == sorted(keys, reverse=True)
    order = [(d["input"], d["kind"]) for d in r.run_out_drivers]
    for a, b in zip(range(len(keys)), range(1, len(keys))):
        if keys[a] == keys[b]:
            assert FILE_ORDER.index(order[a]) < FILE_ORDER.index(order[b])


def test_no_future_runs_out_then_share_run_out_is_null_and_the_sort_counts_it_as_0():
    s = scenario(opening=10_000_000)
    r = simulate(s, 1000, 2)
    assert r.p_run_out == 0
    assert all(d["share_run_out"] is None for d in r.run_out_drivers)
    keys = [-d["share_all"] for d in r.run_out_drivers]
    assert keys == sorted(keys, reverse=True)
    assert r.to_json_dict()["run_out_drivers"][0]["share_run_out"] is None


def test_events_at_0_or_1_and_fixed_values_are_not_entries():
    s = scenario().with_contract(0, p_no_referrals=0.0, late_payment=LatePayment(1.0, 2),
                                 referrals_per_month=Uncertain.fixed(5), success_rate=Uncertain(0.3, 0.3, 0.3))
    inputs = {d["input"] for d in simulate(s, 300, 1).run_out_drivers}
    assert not any(i.startswith("contracts[") for i in inputs)


def test_drivers_leave_every_other_figure_alone():
    s = scenario()
    a, b = simulate(s, 2000, 6).to_json_dict(), simulate(s, 2000, 6).to_json_dict()
    assert a == b
