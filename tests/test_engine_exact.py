"""Engine cases without uncertainty: every balance is arithmetic, checked to the penny.

Every scenario here uses count_noise "none" and fixed values, so all futures are the same
future and the expected figures are worked out by hand (shown in the comments) from the
rules in domain.md, never by re-running the engine's own formulas.
"""
import json

import numpy as np
import pytest

from charityrisk.engine import PERCENTILES, simulate
from charityrisk.engine.simulate import simulate_block
from scenario_factory import QUIET, contract, make_scenario

PENNY = 0.005
PATHS = 40


def balances(s, n=3):
    """Closing balances of a deterministic scenario: every future must be the same."""
    b = simulate_block(s, n, seed=11, block=0).balances
    assert b.shape == (n, s.horizon_months)
    assert np.all(b == b[0]), "a scenario without uncertainty gave different futures"
    return b[0]


def owed(s, n=3):
    o = simulate_block(s, n, seed=11, block=0).owed
    assert np.all(o == o[0])
    return float(o[0])


def assert_pennies(got, expected):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float),
                               rtol=0, atol=PENNY)


# --- the domain.md worked example ------------------------------------------------------

WORKED_EARN = [2500, 300, -100, 700, 300, 2800, 2300, 1800]
# Clawback, success 0.4: fees 800 x 3 = 2,400 in months 3-6, each cohort repays 200 x 6.
WORKED_CLAWBACK = [2500, 300, 500, -500, -300, 400, -100, -600]


def test_worked_example_earn_balances():
    assert_pennies(balances(make_scenario()), WORKED_EARN)


def test_worked_example_earn_results():
    r = simulate(make_scenario(), PATHS, 3)
    assert r.p_run_out == 1.0
    assert r.p_run_out_se == 0.0
    assert np.all(r.run_out_month == 3)
    assert r.most_likely_run_out_month == 3
    assert r.working_capital_needed_95 == pytest.approx(100, abs=PENNY)
    assert_pennies(r.p_run_out_by_month, [0, 0, 1, 1, 1, 1, 1, 1])
    assert r.lowest_balance_percentiles["5"] == pytest.approx(-100, abs=PENNY)
    for q in PERCENTILES:
        assert_pennies(r.balance_percentiles[str(q)], WORKED_EARN)
    assert r.expected_owed_after_horizon == pytest.approx(0, abs=PENNY)
    # The reserves floor defaults to 0 and the balance is -100 in month 3.
    assert r.p_below_floor == 1.0


def test_worked_example_clawback_balances():
    s = make_scenario(payment_mode="clawback", success_rate=0.4)
    assert_pennies(balances(s), WORKED_CLAWBACK)


def test_worked_example_clawback_results():
    r = simulate(make_scenario(payment_mode="clawback", success_rate=0.4), PATHS, 3)
    assert r.p_run_out == 1.0
    assert np.all(r.run_out_month == 4)  # -500 in month 4 is the first balance below 0
    assert r.most_likely_run_out_month == 4
    assert r.working_capital_needed_95 == pytest.approx(600, abs=PENNY)
    assert_pennies(r.p_run_out_by_month, [0, 0, 0, 1, 1, 1, 1, 1])


def test_clawback_met_target_keeps_the_full_price():
    # Success 0.6 >= 0.5: nothing repaid; fees 2,400 in months 3-6, costs 1,700 in months 2-5.
    s = make_scenario(payment_mode="clawback")
    assert_pennies(balances(s), [2500, 300, 500, 700, 900, 2800, 2300, 1800])


# --- payment modes -----------------------------------------------------------------------

def test_threshold_met_pays_whole_amount_at_risk():
    # Rate 0.6 >= 0.5: each cohort (N = 6) gets 200 x 6 = 1,200, as in earn (capped).
    s = make_scenario(payment_mode="threshold")
    assert_pennies(balances(s), WORKED_EARN)


def test_threshold_missed_pays_nothing():
    # Rate 0.4 < 0.5: fees 600 x 3 = 1,800 in months 3-6 and no outcome payments.
    # 2500; 300; -100; -100-2200+1800=-500; -900; -900-500+1800=400; -100; -600.
    s = make_scenario(payment_mode="threshold", success_rate=0.4)
    assert_pennies(balances(s), [2500, 300, -100, -500, -900, 400, -100, -600])


@pytest.mark.parametrize("rate, per_month, cohort", [(0.3, 5, 2), (0.7, 3, 1), (0.1, 10, 3),
                                                     (1 / 3, 3, 1)])
def test_threshold_exactly_at_target_is_met(rate, per_month, cohort):
    # S / N >= target: a rate equal to the target must pay (floating point must not miss it).
    s = make_scenario(payment_mode="threshold", success_rate=rate, target_success_rate=rate,
                      share_at_risk=1, price_per_referral=100, referrals_per_month=per_month,
                      cohort_months=cohort, start_month=1, duration_months=cohort,
                      fee_lag_months=0, outcome_lag_months=0, cost_per_referral=0,
                      fixed_monthly_cost=0, horizon_months=cohort, **QUIET)
    assert balances(s)[-1] == pytest.approx(100 * per_month * cohort, abs=PENNY)


def test_clawback_exactly_at_target_is_not_repaid():
    s = make_scenario(payment_mode="clawback", success_rate=0.3, target_success_rate=0.3,
                      referrals_per_month=5, start_month=1, duration_months=2, fee_lag_months=0,
                      outcome_lag_months=0, cost_per_referral=0, fixed_monthly_cost=0,
                      horizon_months=2, **QUIET)
    # Fees 800 x 5 a month, nothing repaid.
    assert_pennies(balances(s), [4000, 8000])


def test_earn_pro_rata_below_target():
    # Rate 0.4, target 0.5: a cohort earns min(200 x 6, 200 / 0.5 x 2.4) = 960 (not capped).
    # 2500; 300; -100; -100-2200+1800+960=460; 60; 60-500+1800+960=2320; 1820; 1320.
    s = make_scenario(success_rate=0.4)
    assert_pennies(balances(s), [2500, 300, -100, 460, 60, 2320, 1820, 1320])


def test_earn_with_no_successes_earns_nothing():
    # Rate 0: only the fees 1,800 (months 3-6): same path as a missed threshold.
    s = make_scenario(success_rate=0)
    assert_pennies(balances(s), [2500, 300, -100, -500, -900, 400, -100, -600])


def test_fee_for_service_share_zero():
    # Share at risk 0: the whole price 800 x 3 = 2,400 is the fee, in months 3-6.
    s = make_scenario(share_at_risk=0, success_rate=0)
    assert_pennies(balances(s), [2500, 300, 500, 700, 900, 2800, 2300, 1800])


# --- timing: fee lag, cohorts, outcome lag, start month ----------------------------------

def simple(**changes):
    """One referral a month, price 100, no costs, quiet organisation; months 1-3."""
    base = dict(start_month=1, duration_months=3, referrals_per_month=1, price_per_referral=100,
                share_at_risk=0, fee_lag_months=0, outcome_lag_months=0, cohort_months=1,
                success_rate=1, target_success_rate=1, cost_per_referral=0, fixed_monthly_cost=0)
    base.update(changes)
    horizon = base.pop("horizon_months", 6)
    return make_scenario(horizon_months=horizon, **{**QUIET, **base})


@pytest.mark.parametrize("lag, expected", [
    (0, [100, 200, 300, 300, 300, 300]),
    (1, [0, 100, 200, 300, 300, 300]),
    (2, [0, 0, 100, 200, 300, 300]),
    (3, [0, 0, 0, 100, 200, 300]),
])
def test_fee_lag(lag, expected):
    assert_pennies(balances(simple(fee_lag_months=lag)), expected)


def test_cohorts_with_shorter_last_cohort():
    # Months 1-5, cohorts of 2: (1-2) pays 200 in month 2, (3-4) 200 in month 4,
    # the short last cohort (5) pays 100 in month 5 (its own last month, not month 6).
    s = simple(duration_months=5, share_at_risk=1, payment_mode="earn", cohort_months=2)
    assert_pennies(balances(s), [0, 200, 200, 400, 500, 500])


def test_cohorts_with_shorter_last_cohort_threshold():
    # Same in threshold mode, success 1 >= target 0.5: all of A x N for each cohort.
    s = simple(duration_months=5, share_at_risk=1, payment_mode="threshold", cohort_months=2,
               target_success_rate=0.5)
    assert_pennies(balances(s), [0, 200, 200, 400, 500, 500])


def test_outcome_lag():
    # As above with outcome lag 3: cohorts paid in months 2+3, 4+3, 5+3.
    s = simple(duration_months=5, share_at_risk=1, cohort_months=2, outcome_lag_months=3,
               horizon_months=10)
    assert_pennies(balances(s), [0, 0, 0, 0, 200, 200, 400, 500, 500, 500])


def test_outcome_and_fee_lag_together_split_the_price():
    # Share 0.25: fee 75 per referral after 1 month; cohort of 3 months (N = 3, all succeed)
    # earns 25 x 3 = 75 in month 3 + 2 = 5.
    s = simple(share_at_risk=0.25, fee_lag_months=1, cohort_months=3, outcome_lag_months=2)
    assert_pennies(balances(s), [0, 75, 150, 225, 300, 300])


def test_contract_starting_after_month_one():
    # Months 4-6: fixed cost 50 and 1 referral costing 30 each month; fee 100 after 1 month.
    # Core: +10 a month.  10; 20; 30; 30+10-80=-40; -40+10-80+100=-10; 20; 20+10+100=130.
    s = simple(start_month=4, fee_lag_months=1, fixed_monthly_cost=50, cost_per_referral=30,
               horizon_months=7, monthly_other_income=10)
    assert_pennies(balances(s), [10, 20, 30, -40, -10, 20, 130])


def test_contract_starting_after_the_horizon_changes_nothing():
    s = simple(start_month=7, fixed_monthly_cost=50, cost_per_referral=30, monthly_other_income=10)
    assert_pennies(balances(s), [10, 20, 30, 40, 50, 60])
    assert owed(s) == pytest.approx(0, abs=PENNY)


def test_two_contracts_add_up():
    # The worked example plus a fee-for-service contract paying 100 a month in months 1-3.
    extra = contract(name="second", start_month=1, duration_months=3, referrals_per_month=1,
                     price_per_referral=100, share_at_risk=0, fee_lag_months=0,
                     cost_per_referral=0, fixed_monthly_cost=0)
    s = make_scenario(contracts=[contract(), extra])
    assert_pennies(balances(s), np.array(WORKED_EARN) + [100, 200, 300, 300, 300, 300, 300, 300])


# --- late payment --------------------------------------------------------------------------

def test_late_payment_certain_shifts_every_payment():
    # Probability 1, 2 months: fees 1,800 in months 5-8, outcomes 1,200 in months 6 and 8;
    # costs unchanged.  2500; 300; -1900; -4100; -4100-2200+1800=-4500;
    # -4500-500+3000=-2000; -700; -700-500+3000=1800.
    s = make_scenario(late_payment={"probability": 1, "months": 2})
    assert_pennies(balances(s), [2500, 300, -1900, -4100, -4500, -2000, -700, 1800])
    assert owed(s) == pytest.approx(0, abs=PENNY)


def test_late_payment_certain_shifts_clawbacks_too():
    # Clawback, success 0.4, 1 month late: fees 2,400 in months 4-7, repayments in 5 and 7;
    # costs 1,700 in months 2-5.  2500; 300; -1900; -1900-2200+2400=-1700;
    # -1700-2200+2400-1200=-2700; -2700-500+2400=-800; -800-500+2400-1200=-100; -600.
    s = make_scenario(payment_mode="clawback", success_rate=0.4,
                      late_payment={"probability": 1, "months": 1})
    assert_pennies(balances(s), [2500, 300, -1900, -1700, -2700, -800, -100, -600])


def test_late_payment_never():
    s = make_scenario(late_payment={"probability": 0, "months": 6})
    assert_pennies(balances(s), WORKED_EARN)


def test_late_payment_past_the_horizon_is_owed():
    # 3 months late: fees in months 6-9, outcomes in 7 and 9; month 9 is after the horizon,
    # so 1,800 (fee) + 1,200 (cohort 2) are owed.  Balances: 2500; 300; -1900; -4100;
    # -6300; -5000; -2500; -1200 (= 1,800 - 3,000).
    s = make_scenario(late_payment={"probability": 1, "months": 3})
    assert_pennies(balances(s), [2500, 300, -1900, -4100, -6300, -5000, -2500, -1200])
    assert owed(s) == pytest.approx(3000, abs=PENNY)
    assert simulate(s, PATHS, 2).expected_owed_after_horizon == pytest.approx(3000, abs=PENNY)


# --- overdraft and reserves floor --------------------------------------------------------

def test_overdraft_equal_to_lowest_balance_is_not_run_out():
    # Lowest balance -100 is not below -100.
    r = simulate(make_scenario(overdraft_facility=100), PATHS, 1)
    assert r.p_run_out == 0.0
    assert np.all(r.run_out_month == 0)
    assert r.most_likely_run_out_month is None
    assert r.working_capital_needed_95 == pytest.approx(0, abs=PENNY)
    assert_pennies(r.p_run_out_by_month, np.zeros(8))


def test_overdraft_smaller_than_shortfall_runs_out():
    r = simulate(make_scenario(overdraft_facility=60), PATHS, 1)
    assert r.p_run_out == 1.0
    assert np.all(r.run_out_month == 3)
    assert r.working_capital_needed_95 == pytest.approx(40, abs=PENNY)


def test_overdraft_runs_out_only_below_minus_facility():
    # Clawback path: -500 in month 4 is not below -500; -600 in month 8 is.
    r = simulate(make_scenario(payment_mode="clawback", success_rate=0.4, overdraft_facility=500),
                 PATHS, 1)
    assert r.p_run_out == 1.0
    assert np.all(r.run_out_month == 8)
    assert_pennies(r.p_run_out_by_month, [0, 0, 0, 0, 0, 0, 0, 1])
    assert r.working_capital_needed_95 == pytest.approx(100, abs=PENNY)


@pytest.mark.parametrize("floor, breached", [(-100, 0.0), (-99.99, 1.0), (300, 1.0), (-101, 0.0),
                                             (2500, 1.0), (-1e6, 0.0)])
def test_reserves_floor(floor, breached):
    # Worked example: lowest closing balance -100 (month 3); breach means strictly below.
    r = simulate(make_scenario(reserves_floor=floor, overdraft_facility=1000), PATHS, 1)
    assert r.p_below_floor == breached
    assert r.p_run_out == 0.0  # the floor is a policy, not running out


def test_reserves_floor_above_all_balances_but_no_run_out():
    r = simulate(make_scenario(opening_reserves=100_000, reserves_floor=200_000), PATHS, 1)
    assert r.p_below_floor == 1.0
    assert r.p_run_out == 0.0


# --- payments owed after the horizon -------------------------------------------------------

def test_owed_after_horizon_earn():
    # Horizon 5: the month-5 referrals' fee (1,800, due month 6) and cohort 2's 1,200
    # (due month 6) are owed; the balances are the worked example's first five.
    s = make_scenario(horizon_months=5)
    assert_pennies(balances(s), WORKED_EARN[:5])
    assert owed(s) == pytest.approx(3000, abs=PENNY)
    r = simulate(s, PATHS, 5)
    assert r.expected_owed_after_horizon == pytest.approx(3000, abs=PENNY)


def test_owed_after_horizon_counts_clawback_as_negative():
    # Clawback, success 0.4, horizon 5: fee 2,400 owed, cohort 2's repayment of 1,200 due in
    # month 6 is owed by the organisation: 2,400 - 1,200 = 1,200.
    s = make_scenario(payment_mode="clawback", success_rate=0.4, horizon_months=5)
    assert_pennies(balances(s), WORKED_CLAWBACK[:5])
    assert owed(s) == pytest.approx(1200, abs=PENNY)


def test_owed_after_horizon_only_clawback_is_negative():
    # Share 1 under clawback: fees are the full price in the referral month (lag 0); the
    # cohort misses and repays 800 x 6 = 4,800 one month after the horizon.
    s = make_scenario(payment_mode="clawback", success_rate=0.4, share_at_risk=1, fee_lag_months=0,
                      duration_months=2, horizon_months=3)
    assert owed(s) == pytest.approx(-4800, abs=PENNY)
    assert simulate(s, PATHS, 1).expected_owed_after_horizon == pytest.approx(-4800, abs=PENNY)


def test_owed_for_cohort_straddling_the_horizon():
    # Horizon 4: referrals of months 2-4 are work done (month 5's is not).  Owed: the
    # month-4 fee 1,800 (due month 5) and cohort 2 (months 4-5, due month 6) for the share
    # of its referrals already seen, 3 of 6: 1,200 x 3 / 6 = 600.  Total 2,400.
    s = make_scenario(horizon_months=4)
    assert_pennies(balances(s), WORKED_EARN[:4])
    assert owed(s) == pytest.approx(2400, abs=PENNY)


def test_nothing_owed_for_work_after_the_horizon():
    # Horizon 1: the contract has not started; no work, nothing owed, no costs.
    s = make_scenario(horizon_months=1)
    assert_pennies(balances(s), [2500])
    assert owed(s) == pytest.approx(0, abs=PENNY)


# --- no referrals ----------------------------------------------------------------------------

def test_no_referrals_certain_pays_only_fixed_costs():
    # Fixed cost 500 in months 2-5, no fees, no outcomes, no per-referral costs.
    # 2500; 1500; 500; -500; -1500; -2000; -2500; -3000.
    s = make_scenario(p_no_referrals=1)
    assert_pennies(balances(s), [2500, 1500, 500, -500, -1500, -2000, -2500, -3000])
    r = simulate(s, PATHS, 1)
    assert r.p_run_out == 1.0
    assert r.most_likely_run_out_month == 4
    assert r.expected_owed_after_horizon == pytest.approx(0, abs=PENNY)
    assert r.working_capital_needed_95 == pytest.approx(3000, abs=PENNY)


@pytest.mark.parametrize("mode", ["earn", "threshold", "clawback"])
def test_no_referrals_nothing_earned_nor_clawed_back(mode):
    s = make_scenario(p_no_referrals=1, payment_mode=mode, success_rate=0.1, horizon_months=5)
    assert_pennies(balances(s), [2500, 1500, 500, -500, -1500])
    assert owed(s) == pytest.approx(0, abs=PENNY)


# --- results as reported ----------------------------------------------------------------------

DOMAIN_KEYS = {"p_run_out", "p_run_out_se", "p_run_out_by_month", "p_below_floor",
               "balance_percentiles", "lowest_balance_percentiles", "working_capital_needed_95",
               "expected_owed_after_horizon", "paths", "seed"}


def test_results_keys_per_domain():
    s = make_scenario(payment_mode="clawback", success_rate=0.4)
    d = simulate(s, 123, 9).to_json_dict()
    assert DOMAIN_KEYS <= set(d)
    json.loads(json.dumps(d))  # plain JSON values
    assert d["paths"] == 123 and d["seed"] == 9
    assert len(d["p_run_out_by_month"]) == 8
    assert set(d["balance_percentiles"]) == {"5", "25", "50", "75", "95"}
    assert set(d["lowest_balance_percentiles"]) == {"5", "25", "50", "75", "95"}
    for values in d["balance_percentiles"].values():
        assert_pennies(values, WORKED_CLAWBACK)
    for value in d["lowest_balance_percentiles"].values():
        assert value == pytest.approx(-600, abs=PENNY)
    assert d["p_run_out"] == 1.0
    assert d["p_run_out_by_month"] == [0, 0, 0, 1, 1, 1, 1, 1]
    assert d["working_capital_needed_95"] == pytest.approx(600, abs=PENNY)
    assert d["most_likely_run_out_month"] == 4


def test_paths_and_seed_come_from_settings_when_not_given():
    s = make_scenario(simulation={"paths": 150, "seed": 4})
    r = simulate(s)
    assert (r.paths, r.seed) == (150, 4)
    assert r.run_out_month.shape == (150,)


def test_p_run_out_by_month_cumulative_with_mixed_futures():
    # p_no_referrals 0.8: futures with no referrals run out in month 4 (balance -500, see
    # test_no_referrals_certain_pays_only_fixed_costs); the others in month 3 (worked example).
    r = simulate(make_scenario(p_no_referrals=0.8), 2000, 1)
    with_referrals = float(np.mean(r.run_out_month == 3))
    assert 0.1 < with_referrals < 0.3
    assert np.all(np.isin(r.run_out_month, [3, 4]))
    assert_pennies(r.p_run_out_by_month, [0, 0, with_referrals, 1, 1, 1, 1, 1])
    assert r.p_run_out == 1.0
    assert r.most_likely_run_out_month == 4


def test_most_likely_run_out_month_is_the_commonest():
    # p_no_referrals 0.2: most futures have referrals and run out in month 3.
    r = simulate(make_scenario(p_no_referrals=0.2), 2000, 1)
    assert r.most_likely_run_out_month == 3
    # Opening reserves 3,600 (+600 on every balance): with referrals the lowest balance is
    # 500, safe; with none 3100; 2100; 1100; 100; -900: run out in month 5.  The commonest
    # run-out month counts only the futures that run out, however few.
    r = simulate(make_scenario(p_no_referrals=0.2, opening_reserves=3600), 2000, 1)
    assert set(np.unique(r.run_out_month)) == {0, 5}
    assert r.most_likely_run_out_month == 5
    assert r.p_run_out == pytest.approx(float(np.mean(r.run_out_month == 5)))


def test_most_likely_run_out_month_none_when_safe():
    r = simulate(make_scenario(opening_reserves=10_000), PATHS, 1)
    assert r.p_run_out == 0.0
    assert r.most_likely_run_out_month is None
    assert r.to_json_dict()["most_likely_run_out_month"] is None


def test_opening_reserves_shift_every_balance():
    # Fixed costs and fees do not depend on reserves: +1,000 opening lifts every month 1,000.
    assert_pennies(balances(make_scenario(opening_reserves=4000)), np.array(WORKED_EARN) + 1000)


def test_simulate_rejects_bad_paths_and_seed():
    s = make_scenario()
    with pytest.raises(ValueError, match="paths"):
        simulate(s, 0, 1)
    with pytest.raises(ValueError, match="seed"):
        simulate(s, 10, -1)
