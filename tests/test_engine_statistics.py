"""Monte Carlo checks against known probabilities and moments.

Every tolerance is at most 4 standard errors (SE) of the quantity compared, stated next to
the assertion: with these fixed seeds a false alarm has odds of about 1 in 15,000 per check.
"""
import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.sampling import pert, pert_variance
from charityrisk.engine.simulate import simulate_block
from charityrisk.model import Uncertain
from scenario_factory import QUIET, contract, make_scenario

Z = 4  # tolerance, in standard errors


def proportion_se(p, n):
    return np.sqrt(p * (1 - p) / n)


# --- p_no_referrals ------------------------------------------------------------------------

def no_referral_risk(p):
    """Safe with referrals (+200 a month), run out by month 4 without (-300 a month)."""
    return make_scenario(horizon_months=6, opening_reserves=1000, monthly_other_income=0,
                         monthly_core_costs=0, start_month=1, duration_months=6,
                         referrals_per_month=10, price_per_referral=100, share_at_risk=0,
                         fee_lag_months=0, cost_per_referral=50, fixed_monthly_cost=300,
                         p_no_referrals=p)


@pytest.mark.parametrize("p", [0.3, 0.05, 0.9])
def test_p_no_referrals_is_the_run_out_probability(p):
    paths = 20_000
    r = simulate(no_referral_risk(p), paths, 21)
    # Every future either never runs out or runs out in month 4 (1000 - 4 x 300 = -200).
    assert set(np.unique(r.run_out_month)) <= {0, 4}
    # Tolerance: 4 SE of a proportion, SE = sqrt(p(1-p)/paths).
    assert abs(r.p_run_out - p) <= Z * proportion_se(p, paths)
    assert r.p_run_out_by_month[3] == r.p_run_out and r.p_run_out_by_month[2] == 0


def test_p_run_out_se_formula():
    paths = 3000
    r = simulate(no_referral_risk(0.3), paths, 5)
    assert 0 < r.p_run_out < 1
    assert r.p_run_out_se == pytest.approx(np.sqrt(r.p_run_out * (1 - r.p_run_out) / paths),
                                           rel=1e-12)
    assert r.p_run_out == pytest.approx(np.mean(r.run_out_month > 0), rel=1e-12)


# --- PERT ----------------------------------------------------------------------------------

PERTS = [(10, 30, 100), (0, 0, 1), (2, 5, 6), (0.2, 0.5, 0.8), (-50, 200, 201)]


@pytest.mark.parametrize("low, likely, high", PERTS)
def test_pert_mean_and_variance(low, likely, high):
    n = 200_000
    u = Uncertain(low, likely, high)
    x = pert(np.random.default_rng(1234), u, n)
    assert x.shape == (n,)
    assert np.all((x >= low) & (x <= high))
    mean = (low + 4 * likely + high) / 6
    var = (mean - low) * (high - mean) / 7
    assert u.mean == pytest.approx(mean) and pert_variance(u) == pytest.approx(var)
    # Mean: tolerance 4 SE, SE = sqrt(var / n).
    assert abs(x.mean() - mean) <= Z * np.sqrt(var / n)
    # Variance: tolerance 4 SE, SE of a sample variance = sqrt((mu4 - var^2) / n), with the
    # fourth central moment mu4 taken from the sample.
    mu4 = np.mean((x - x.mean()) ** 4)
    assert abs(x.var() - var) <= Z * np.sqrt((mu4 - var ** 2) / n)


def test_pert_fixed_is_constant():
    x = pert(np.random.default_rng(1), Uncertain.fixed(7.5), 100)
    assert np.all(x == 7.5)


def test_other_income_drawn_once_per_future_with_pert_mean():
    u = {"low": 1000, "likely": 1500, "high": 4000}
    s = make_scenario(monthly_other_income=u, monthly_core_costs=0, opening_reserves=0,
                      p_no_referrals=1, fixed_monthly_cost=0, horizon_months=6)
    n = 20_000
    b = simulate_block(s, n, seed=3, block=0).balances
    monthly = np.diff(b, axis=1, prepend=0.0)
    # One value a future: every month of a future gets the same income.
    assert np.allclose(monthly, monthly[:, :1])
    income = monthly[:, 0]
    mean = (1000 + 4 * 1500 + 4000) / 6
    var = (mean - 1000) * (4000 - mean) / 7
    # Tolerance: 4 SE, SE = sqrt(PERT variance / futures).
    assert abs(income.mean() - mean) <= Z * np.sqrt(var / n)
    assert income.min() >= 1000 and income.max() <= 4000


# --- referral counts ----------------------------------------------------------------------

def referral_counts(referrals, n, seed=8, months=12):
    """Referrals in each month of each future, read off a contract whose only cash flow is a
    delivery cost of 1 per referral."""
    s = make_scenario(horizon_months=months, start_month=1, duration_months=months,
                      referrals_per_month=referrals, count_noise="poisson", price_per_referral=0,
                      cost_per_referral=1, fixed_monthly_cost=0, **QUIET)
    b = simulate_block(s, n, seed=seed, block=0).balances
    return -np.diff(b, axis=1, prepend=0.0)


def test_poisson_monthly_referrals_fixed_mean():
    lam, n = 3.7, 20_000
    counts = referral_counts(lam, n)
    assert np.all(counts == np.round(counts)) and counts.min() >= 0
    k = counts.size  # independent Poisson(lam) counts
    # Mean: tolerance 4 SE, SE = sqrt(lam / k).
    assert abs(counts.mean() - lam) <= Z * np.sqrt(lam / k)
    # Poisson variance equals its mean: tolerance 4 SE, SE of a sample variance of a
    # Poisson = sqrt((mu4 - lam^2) / k) with mu4 = lam + 3 lam^2.
    assert abs(counts.var() - lam) <= Z * np.sqrt((lam + 2 * lam ** 2) / k)


def test_poisson_monthly_referrals_uncertain_mean():
    u = {"low": 1, "likely": 3, "high": 8}
    n = 20_000
    counts = referral_counts(u, n)
    per_future = counts.mean(axis=1)  # independent across futures
    mean = (1 + 4 * 3 + 8) / 6
    # Tolerance: 4 SE, SE = sample std of the per-future averages / sqrt(futures).
    assert abs(per_future.mean() - mean) <= Z * per_future.std(ddof=1) / np.sqrt(n)
    # Between-future spread: a month's variance is E[lam] + Var(lam) (Poisson mixed over the
    # PERT), against lam alone if the mean were not drawn per future.  4 SE as above, the SE
    # estimated from the sample's fourth moment.
    x = counts[:, 0]
    target = mean + (mean - 1) * (8 - mean) / 7
    mu4 = np.mean((x - x.mean()) ** 4)
    assert abs(x.var() - target) <= Z * np.sqrt((mu4 - x.var() ** 2) / n)


def test_binomial_successes_mean():
    # Earn, share 1, price 1, target 1: a cohort (one month) earns min(N, S) = S.
    rate, lam, n = 0.35, 20.0, 20_000
    s = make_scenario(horizon_months=1, start_month=1, duration_months=1, referrals_per_month=lam,
                      count_noise="poisson", price_per_referral=1, share_at_risk=1,
                      success_rate=rate, target_success_rate=1, cohort_months=1,
                      outcome_lag_months=0, fee_lag_months=0, cost_per_referral=0,
                      fixed_monthly_cost=0, **QUIET)
    successes = simulate_block(s, n, seed=4, block=0).balances[:, 0]
    assert np.all(successes == np.round(successes))
    # S is Poisson(lam x rate) (a thinned Poisson): tolerance 4 SE, SE = sqrt(lam rate / n).
    assert abs(successes.mean() - lam * rate) <= Z * np.sqrt(lam * rate / n)


# --- threshold payment probability ----------------------------------------------------------

def test_threshold_pays_with_pert_probability_that_rate_meets_target():
    success = Uncertain(0.2, 0.35, 0.6)
    target = 0.38
    n = 20_000
    # Huge cohorts (12 months of a million referrals): S / N is the future's success rate
    # to within about 1e-4, so the cohort is paid exactly when rate >= target.
    s = make_scenario(horizon_months=12, start_month=1, duration_months=12,
                      referrals_per_month=1e6, count_noise="poisson", price_per_referral=1,
                      share_at_risk=1, payment_mode="threshold",
                      success_rate={"low": 0.2, "likely": 0.35, "high": 0.6},
                      target_success_rate=target, cohort_months=12, outcome_lag_months=0,
                      fee_lag_months=0, cost_per_referral=0, fixed_monthly_cost=0, **QUIET)
    final = simulate_block(s, n, seed=17, block=0).balances[:, -1]
    assert np.all((final == 0) | (final > 1.1e7))  # all or nothing: A x N ~ 12 million
    paid = float(np.mean(final > 0))
    # Reference: P(rate >= target) for the beta-PERT, from an independent numpy beta sample.
    m = 2_000_000
    span = success.high - success.low
    a = 1 + 4 * (success.likely - success.low) / span
    b = 1 + 4 * (success.high - success.likely) / span
    rates = success.low + span * np.random.default_rng(999).beta(a, b, m)
    expected = float(np.mean(rates >= target))
    assert 0.2 < expected < 0.8
    # Tolerance: 4 SE of the difference of two independent proportions,
    # SE = sqrt(p(1-p)(1/n + 1/m)).
    assert abs(paid - expected) <= Z * np.sqrt(expected * (1 - expected) * (1 / n + 1 / m))


# --- late payment -------------------------------------------------------------------------------

@pytest.mark.parametrize("q", [0.25, 0.6])
def test_late_payment_probability(q):
    # One referral in month 1 with fee 100 paid at once, or 2 months late; horizon 3.
    s = make_scenario(horizon_months=3, start_month=1, duration_months=1, referrals_per_month=1,
                      price_per_referral=100, share_at_risk=0, fee_lag_months=0,
                      cost_per_referral=0, fixed_monthly_cost=0,
                      late_payment={"probability": q, "months": 2}, **QUIET)
    n = 20_000
    b = simulate_block(s, n, seed=12, block=0).balances
    late = b[:, 0] == 0
    # Late futures get the fee in month 3, the others in month 1; nothing else is possible.
    assert np.all(np.where(late[:, None], b == [0, 0, 100], b == [100, 100, 100]))
    # Tolerance: 4 SE of a proportion.
    assert abs(late.mean() - q) <= Z * proportion_se(q, n)


def test_late_payment_is_the_same_draw_for_all_payments_of_a_future():
    # Fees and the outcome payment of a future are all late or all on time.
    s = make_scenario(horizon_months=4, start_month=1, duration_months=2, referrals_per_month=1,
                      price_per_referral=100, share_at_risk=0.5, fee_lag_months=0,
                      success_rate=1, target_success_rate=1, cohort_months=2,
                      outcome_lag_months=0, cost_per_referral=0, fixed_monthly_cost=0,
                      late_payment={"probability": 0.5, "months": 1}, **QUIET)
    b = simulate_block(s, 2000, seed=6, block=0).balances
    on_time = [50, 200, 200, 200]  # fees 50 in months 1, 2; outcome 100 in month 2
    late = [0, 50, 200, 200]
    is_late = np.all(b == late, axis=1)
    assert np.all(is_late | np.all(b == on_time, axis=1))
    assert 0.4 < is_late.mean() < 0.6


# --- independence ---------------------------------------------------------------------------------

def test_contracts_draw_independently():
    # Two identical contracts, one month each; contract b's referrals cost 1,000 each and
    # contract a's 1, so a month's spending 1000 x Nb + Na gives both counts (Na < 1000).
    u = {"low": 1, "likely": 4, "high": 12}
    terms = dict(start_month=1, duration_months=1, referrals_per_month=u, count_noise="poisson",
                 price_per_referral=0, fixed_monthly_cost=0)
    s = make_scenario(horizon_months=1, **QUIET,
                      contracts=[contract(name="a", cost_per_referral=1, **terms),
                                 contract(name="b", cost_per_referral=1000, **terms)])
    n = 20_000
    spent = -simulate_block(s, n, seed=2, block=0).balances[:, 0]
    nb, na = np.divmod(spent, 1000)
    assert abs(na.mean() - nb.mean()) < 1  # the same distribution
    assert np.mean(na == nb) < 0.5
    # Independent counts: correlation 0, tolerance 4 SE with SE = 1 / sqrt(n).
    assert abs(np.corrcoef(na, nb)[0, 1]) <= Z / np.sqrt(n)
