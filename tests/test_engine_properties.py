"""Properties that must hold for any scenario (hypothesis), plus reproducibility checks."""
import subprocess
import sys
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charityrisk.engine import PERCENTILES, simulate
from charityrisk.engine.cashflow import contract_flows, fixed_costs
from charityrisk.engine.simulate import BLOCK, simulate_block
from charityrisk.model import Uncertain, scenario_from_dict
from scenario_factory import contract, make_scenario

PATHS = 300
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

@st.composite
def uncertain(draw, lo, hi, integers=False):
    value = st.integers(lo, hi) if integers else st.floats(lo, hi, allow_nan=False)
    if draw(st.booleans()):
        return draw(value)
    low, likely, high = sorted(draw(st.lists(value, min_size=3, max_size=3)))
    return {"low": low, "likely": likely, "high": high}


@st.composite
def contract_dicts(draw, horizon):
    return {
        "name": "c",
        "start_month": draw(st.integers(1, horizon + 2)),
        "duration_months": draw(st.integers(1, 24)),
        "referrals_per_month": draw(uncertain(0, 15, integers=True)),
        "p_no_referrals": draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])),
        "count_noise": draw(st.sampled_from(["poisson", "none"])),
        "price_per_referral": float(draw(st.integers(0, 3000))),
        "share_at_risk": draw(st.sampled_from([0.0, 0.1, 0.2, 0.5, 1.0])),
        "payment_mode": draw(st.sampled_from(["earn", "threshold", "clawback"])),
        "fee_lag_months": draw(st.integers(0, 6)),
        "success_rate": draw(uncertain(0.0, 1.0)),
        "target_success_rate": draw(st.sampled_from([0.05, 0.3, 0.5, 0.8, 1.0])),
        "cohort_months": draw(st.integers(1, 12)),
        "outcome_lag_months": draw(st.integers(0, 18)),
        "cost_per_referral": float(draw(st.integers(0, 1500))),
        "fixed_monthly_cost": float(draw(st.integers(0, 3000))),
        "late_payment": {"probability": draw(st.sampled_from([0.0, 0.3, 1.0])),
                         "months": draw(st.integers(0, 6))},
    }


@st.composite
def scenario_dicts(draw):
    horizon = draw(st.integers(1, 36))
    income = draw(uncertain(0, 20_000, integers=True))
    likely = income["likely"] if isinstance(income, dict) else income
    # Core costs near the likely income, so that many scenarios are neither safe nor doomed.
    core = max(0, likely + draw(st.integers(-3000, 3000)))
    return {
        "horizon_months": horizon,
        "organisation": {
            "opening_reserves": draw(st.integers(-5000, 40_000)),
            "monthly_other_income": income,
            "monthly_core_costs": core,
            "overdraft_facility": draw(st.sampled_from([0, 1000, 5000])),
            "reserves_floor": draw(st.sampled_from([-1000, 0, 5000, 20_000])),
        },
        "contracts": draw(st.lists(contract_dicts(horizon), min_size=0, max_size=3)),
    }


scenarios = scenario_dicts().map(scenario_from_dict)
seeds = st.integers(0, 2**32)


@FAST
@given(scenario_dicts(), seeds, st.integers(1, 50_000))
def test_more_opening_reserves_never_raise_p_run_out(data, seed, extra):
    s = scenario_from_dict(data)
    richer = s.with_organisation(opening_reserves=s.organisation.opening_reserves + extra)
    a, b = simulate(s, PATHS, seed), simulate(richer, PATHS, seed)
    assert b.p_run_out <= a.p_run_out
    assert np.all(b.p_run_out_by_month <= a.p_run_out_by_month)
    # Future by future: the richer one runs out later or never.
    later = (b.run_out_month == 0) | ((a.run_out_month > 0) & (b.run_out_month >= a.run_out_month))
    assert np.all(later)
    assert b.working_capital_needed_95 <= a.working_capital_needed_95
    assert b.p_below_floor <= a.p_below_floor


@FAST
@given(scenarios, seeds)
def test_p_run_out_by_month_cumulative_ending_at_p_run_out(s, seed):
    r = simulate(s, PATHS, seed)
    by = r.p_run_out_by_month
    assert by.shape == (s.horizon_months,)
    assert np.all(np.diff(by) >= 0)
    assert 0 <= by[0] and by[-1] <= 1
    assert by[-1] == r.p_run_out
    for month in (1, s.horizon_months // 2 + 1, s.horizon_months):
        assert by[month - 1] == np.mean((r.run_out_month > 0) & (r.run_out_month <= month))
    assert r.p_run_out_se == np.sqrt(r.p_run_out * (1 - r.p_run_out) / PATHS)


@FAST
@given(scenarios, seeds)
def test_run_out_month_is_first_month_below_minus_overdraft(s, seed):
    n = 200
    b = simulate_block(s, n, seed, 0).balances
    r = simulate(s, n, seed)
    od = s.organisation.overdraft_facility
    # domain.md's penny rule: below a line means below it by at least half a penny (Hypothesis
    # found balances within half a penny of -overdraft, which "b < -od" counted as run out).
    below = b <= -od - 0.005
    expected = np.where(below.any(axis=1), below.argmax(axis=1) + 1, 0)
    assert np.array_equal(r.run_out_month, expected)
    assert np.array_equal(r.lowest_balance, b.min(axis=1))
    assert r.p_below_floor == np.mean((b <= s.organisation.reserves_floor - 0.005).any(axis=1))
    lowest = b.min(axis=1)
    shortfall = np.where(lowest <= -od - 0.005, -od - lowest, 0.0)
    assert r.working_capital_needed_95 == np.percentile(shortfall, 95)
    if s.organisation.reserves_floor >= -od:
        assert r.p_below_floor >= r.p_run_out


@FAST
@given(scenarios, seeds)
def test_working_capital_needed_keeps_95_percent_safe(s, seed):
    r = simulate(s, PATHS, seed)
    topped = s.with_organisation(
        opening_reserves=s.organisation.opening_reserves + r.working_capital_needed_95 + 0.01)
    # At most 5% of futures (plus one for the percentile's interpolation) still run out.
    assert simulate(topped, PATHS, seed).p_run_out <= 0.05 + 1 / PATHS


@FAST
@given(scenario_dicts(), seeds)
def test_share_at_risk_zero_makes_payment_mode_irrelevant(data, seed):
    for c in data["contracts"]:
        c["share_at_risk"] = 0.0
    blocks = []
    for mode in ("earn", "threshold", "clawback"):
        for c in data["contracts"]:
            c["payment_mode"] = mode
        blocks.append(simulate_block(scenario_from_dict(data), 200, seed, 0))
    for other in blocks[1:]:
        assert np.array_equal(other.balances, blocks[0].balances)
        assert np.array_equal(other.owed, blocks[0].owed)


@FAST
@given(scenarios, seeds)
def test_same_seed_same_results(s, seed):
    a, b = simulate(s, PATHS, seed), simulate(s, PATHS, seed)
    assert a.to_json_dict() == b.to_json_dict()
    assert np.array_equal(a.run_out_month, b.run_out_month)
    assert np.array_equal(a.lowest_balance, b.lowest_balance)


@FAST
@given(scenarios, seeds)
def test_balance_percentiles_ordered(s, seed):
    r = simulate(s, PATHS, seed)
    rows = np.array([r.balance_percentiles[str(q)] for q in PERCENTILES])
    assert rows.shape == (5, s.horizon_months)
    assert np.all(np.diff(rows, axis=0) >= 0)
    low = [r.lowest_balance_percentiles[str(q)] for q in PERCENTILES]
    assert np.all(np.diff(low) >= 0)
    # No future's lowest balance is above its own balance in any month.
    assert low[0] <= rows[0].min()


@FAST
@given(scenario_dicts(), seeds)
def test_a_contract_with_no_money_changes_nothing(data, seed):
    # Common random numbers: adding a contract that moves no money leaves every draw of the
    # others, hence every balance, unchanged.
    before = simulate_block(scenario_from_dict(data), 200, seed, 0)
    data["contracts"].append(contract(name="nothing", price_per_referral=0, cost_per_referral=0,
                                      fixed_monthly_cost=0, count_noise="poisson",
                                      referrals_per_month={"low": 1, "likely": 2, "high": 5},
                                      success_rate={"low": 0.1, "likely": 0.2, "high": 0.9},
                                      late_payment={"probability": 0.5, "months": 3}))
    after = simulate_block(scenario_from_dict(data), 200, seed, 0)
    assert np.array_equal(after.balances, before.balances)
    assert np.array_equal(after.owed, before.owed)


# --- seeds and blocks, on one scenario with every kind of uncertainty ------------------------

def uncertain_scenario():
    return make_scenario(
        horizon_months=24, opening_reserves=4000, overdraft_facility=500,
        monthly_other_income={"low": 1500, "likely": 2000, "high": 2600},
        contracts=[
            contract(count_noise="poisson", duration_months=12, p_no_referrals=0.2,
                     referrals_per_month={"low": 1, "likely": 3, "high": 6},
                     success_rate={"low": 0.3, "likely": 0.5, "high": 0.7},
                     late_payment={"probability": 0.3, "months": 2}),
            contract(name="b", count_noise="poisson", payment_mode="clawback", start_month=3,
                     duration_months=18, cohort_months=6, outcome_lag_months=6,
                     referrals_per_month={"low": 0, "likely": 2, "high": 4},
                     success_rate={"low": 0.2, "likely": 0.45, "high": 0.6}),
        ])


def test_uncertain_scenario_is_uncertain():
    r = simulate(uncertain_scenario(), 2000, 1)
    assert 0.05 < r.p_run_out < 0.95


def test_seed_zero_works_and_differs_from_seed_one():
    s = uncertain_scenario()
    r0, r1 = simulate(s, 1000, 0), simulate(s, 1000, 1)
    assert r0.seed == 0 and r1.seed == 1
    assert 0 < r0.p_run_out < 1
    assert not np.array_equal(r0.lowest_balance, r1.lowest_balance)
    assert np.array_equal(simulate(s, 1000, 0).lowest_balance, r0.lowest_balance)


def test_results_do_not_depend_on_the_number_of_paths_beyond_each_block():
    s = uncertain_scenario()
    big = simulate(s, 12_000, 7)
    for paths in (BLOCK, 2 * BLOCK, 1234):
        small = simulate(s, paths, 7)
        assert np.array_equal(big.run_out_month[:paths], small.run_out_month)
        assert np.array_equal(big.lowest_balance[:paths], small.lowest_balance)
    # Blocks are distinct streams: the second block is not a copy of the first.
    assert not np.array_equal(big.lowest_balance[:BLOCK], big.lowest_balance[BLOCK:2 * BLOCK])
    b2 = simulate_block(s, 2000, 7, 2)
    assert np.array_equal(big.lowest_balance[2 * BLOCK:], b2.balances.min(axis=1))


def test_every_stream_differs_between_blocks():
    # With the organisation's income fixed, only the contracts' draws are random: each block
    # must still draw its own (a block repeating another would shrink the sample unseen).
    s = uncertain_scenario().with_organisation(monthly_other_income=Uncertain.fixed(2000))
    first, second = simulate_block(s, 500, 7, 0), simulate_block(s, 500, 7, 1)
    assert not np.array_equal(first.balances, second.balances)
    for i in range(len(s.contracts)):
        silenced = s.with_contract(i, p_no_referrals=1.0)  # only the other contract draws
        assert not np.array_equal(simulate_block(silenced, 500, 7, 0).balances,
                                  simulate_block(silenced, 500, 7, 1).balances)


def test_progress_reports_each_block():
    seen = []
    simulate(uncertain_scenario(), 2 * BLOCK + 1, 3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(BLOCK, 2 * BLOCK + 1), (2 * BLOCK, 2 * BLOCK + 1),
                                                 (2 * BLOCK + 1, 2 * BLOCK + 1)]


def test_engine_import_does_not_load_gui_or_plotting():
    code = ("import sys, charityrisk.engine, charityrisk.model; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'matplotlib', "
            "'shiboken6')); print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


ZERO_ORG = {"opening_reserves": 0, "monthly_other_income": 0, "monthly_core_costs": 0,
            "overdraft_facility": 0, "reserves_floor": 0}


@st.composite
def one_contract_runs(draw):
    horizon = draw(st.integers(1, 120))
    data = draw(contract_dicts(horizon))
    data["start_month"] = draw(st.integers(1, horizon + 2))
    data["exit_cost"] = float(draw(st.integers(0, 5000)))
    s = scenario_from_dict({"format": "charityrisk-scenario", "version": 2, "horizon_months": horizon,
                            "organisation": ZERO_ORG, "contracts": [data]})
    return s.contracts[0], horizon, draw(seeds)


@FAST
@given(one_contract_runs())
def test_every_pound_a_contract_earns_is_in_the_balance_or_owed(run):
    """A contract's flows are kept only up to its last payment (``flow_months``): however
    late and lagged its payments, none may fall between that and the horizon unseen.  Lags
    and late payment only move money in time, so what is received plus what is owed after
    the horizon is the same without them; and its costs are every worked month's plus the
    exit cost if it falls within the horizon."""
    c, horizon, seed = run
    prompt = replace(c, fee_lag_months=0, outcome_lag_months=0,
                     late_payment=replace(c.late_payment, months=0))
    flows, now = contract_flows(c, 0, 60, horizon, seed, 0), contract_flows(prompt, 0, 60, horizon, seed, 0)
    assert flows.months <= horizon and flows.receipts.shape == flows.costs.shape == (60, flows.months)
    np.testing.assert_allclose(flows.receipts.sum(axis=1) + flows.owed, now.receipts.sum(axis=1) + now.owed,
                               rtol=1e-12, atol=1e-6)
    worked = np.arange(c.start_month - 1, c.start_month - 1 + c.duration_months) < horizon
    fixed = np.broadcast_to(fixed_costs(c, flows.referrals), flows.referrals.shape)
    exit_month = c.start_month - 1 + c.duration_months
    costs = ((fixed + c.cost_per_referral * flows.referrals) * worked).sum(axis=1)
    costs += c.exit_cost if exit_month < horizon else 0.0
    np.testing.assert_allclose(flows.costs.sum(axis=1), costs, rtol=1e-12, atol=1e-6)
    net = flows.net(horizon)
    assert net.shape == (60, horizon) and not net[:, flows.months:].any()


def test_exit_cost_in_the_month_after_8_whole_months_of_work():
    # Flows are kept in whole 8 months: here the work fills them exactly, and the exit cost
    # falls in the next month, with no payment after it to keep it in.
    data = {**contract(name="c", start_month=1, duration_months=8, fee_lag_months=0, outcome_lag_months=0,
                       count_noise="none", late_payment={"probability": 0.0, "months": 0}),
            "exit_cost": 4000.0}
    s = scenario_from_dict({"format": "charityrisk-scenario", "version": 2, "horizon_months": 24,
                            "organisation": ZERO_ORG, "contracts": [data]})
    flows = contract_flows(s.contracts[0], 0, 3, 24, 1, 0)
    assert flows.months > 8 and np.all(flows.net(24)[:, 8] == -4000.0)
