"""One contract's cash flows over a chunk of futures, as arrays shaped (futures, months).

Month m (1-based) is column m - 1.  Payments are placed at their due month, shifted by the
contract's late-payment delay in the futures where the prime pays late; those that fall
after the horizon stay out of the balance and are counted as still owed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..model.scenario import Contract
from . import sampling
from .sampling import FutureDraws

# Comparing S / N with the target in floating point would fail e.g. 3 / 10 >= 0.3.
_RATE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ContractFlows:
    """One contract's flows.  ``receipts`` and ``costs`` cover only the horizon's first
    ``months`` months (``flow_months``): after them the contract pays and costs nothing, so
    the balance code adds them to the start of its (futures, horizon) arrays rather than
    passing over columns of zeros."""

    receipts: np.ndarray  # (futures, months): fees and outcome payments, less clawbacks
    costs: np.ndarray  # (futures, months): fixed and per-referral delivery costs, exit cost
    owed: np.ndarray  # (futures,): receipts for work within the horizon, due after it
    referrals: np.ndarray  # (futures, duration): referrals in each contract month

    @property
    def months(self) -> int:
        return self.receipts.shape[1]

    def net(self, horizon: int) -> np.ndarray:
        """(futures, horizon) receipts less costs in each month of the whole horizon."""
        out = np.zeros((self.receipts.shape[0], horizon))
        out[:, :self.months] = self.receipts - self.costs
        return out


def flow_months(c: Contract, horizon: int) -> int:
    """How many of the horizon's first months hold every flow of the contract: up to its
    last fee or outcome payment paid late, and its exit cost.  Rounded up to whole 8 months:
    numpy sums a row in 8 interleaved partial sums, so a future's months then add up in the
    same order as over the whole horizon, and its margin stays the same to the last bit."""
    last_work = c.start_month - 1 + c.duration_months - 1  # 0-based
    if c.payment_mode == "rate_card":  # a stage's last instalment, counted from the referral
        wait = max([c.fee_lag_months] + [s.lag_months + s.payments - 1 for s in c.outcome_payments])
    else:
        wait = max(c.fee_lag_months, c.outcome_lag_months)
    last = max(last_work + wait + c.late_payment.months,
               last_work + 1)  # the exit cost's month
    return min(horizon, -(-(last + 1) // 8) * 8)


def ramp_up(c: Contract) -> np.ndarray:
    """(duration,) the share of the full mean referrals in each contract month i = 1, 2, ...:
    i / (ramp_up_months + 1) while i <= ramp_up_months, then 1."""
    i = np.arange(1, c.duration_months + 1)
    return np.where(i <= c.ramp_up_months, i / (c.ramp_up_months + 1), 1.0)


def monthly_referrals(c: Contract, mean: np.ndarray, none_at_all: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Referrals in each contract month, (futures, duration)."""
    shape = (mean.size, c.duration_months)
    if c.ramp_up_months > 0:
        monthly_mean = mean[:, None] * ramp_up(c)[None, :]
        if c.count_noise == "none":
            counts = monthly_mean
        else:
            counts = rng.poisson(monthly_mean).astype(float)
    elif c.count_noise == "none":
        counts = np.repeat(mean[:, None], c.duration_months, axis=1)
    else:
        counts = rng.poisson(mean[:, None], size=shape).astype(float)
    counts[none_at_all] = 0.0
    return counts


def cohort_totals(c: Contract, referrals: np.ndarray) -> np.ndarray:
    """Referrals in each cohort, (futures, cohorts)."""
    starts = [first for first, _ in c.cohort_bounds()]
    return np.add.reduceat(referrals, starts, axis=1)


def cohort_successes(c: Contract, cohort_n: np.ndarray, rate: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    if c.count_noise == "none":
        return cohort_n * rate[:, None]
    return rng.binomial(cohort_n.astype(np.int64), np.clip(rate, 0, 1)[:, None]).astype(float)


def service_fee(c: Contract, referrals: np.ndarray) -> np.ndarray:
    """Fee per contract month: the price less the part at risk, or all of it under clawback,
    or a rate card's fee of the contract year, on the referrals or the guaranteed minimum,
    whichever is more."""
    referrals = c.fee_referrals(referrals)
    if c.payment_mode == "rate_card":
        return referrals * fee_by_month(c)[None, :]
    return c.fee_share * c.price_per_referral * referrals


def fee_by_month(c: Contract) -> np.ndarray:
    """(duration,) a rate card's fee per referral in each contract month: the fee of the
    contract year the month is in (months 12(y-1)+1 to 12y from the start), the list's last
    holding for later years."""
    fees = np.asarray(c.fee_per_referral, dtype=float)
    year = np.arange(c.duration_months) // 12
    return fees[np.minimum(year, fees.size - 1)]


def stage_reach(c: Contract, referrals: np.ndarray, draws: FutureDraws, owner: int,
                rng: Callable[[int, int], np.random.Generator]) -> list[np.ndarray]:
    """A rate card's numbers reaching each stage, (futures, duration) each, by referral month:
    binomial from those who reached the stage before (the referrals for the first) at the
    stage's rate, drawn once per future; with count_noise "none", N_t x rate_1 x ... x rate_k.
    Every stage's rate is drawn, so that each future's draws do not depend on the counts."""
    out = []
    reach = referrals
    for k, stage in enumerate(c.outcome_payments):
        rate = draws.value(stage.rate, owner, sampling.STAGE_RATE, k)
        reach = next_stage(c, reach, rate, partial(rng, sampling.STAGE_COUNTS, k))
        out.append(reach)
    return out


def next_stage(c: Contract, reach: np.ndarray, rate: np.ndarray,
               rng: Callable[[], np.random.Generator]) -> np.ndarray:
    """The numbers reaching a rate card's stage from those who reached the one before
    (futures, duration), at the stage's rate drawn per future: binomial from the stage's own
    stream (``rng()``), or N x rate with count_noise "none"."""
    if c.count_noise == "none":
        return reach * rate[:, None]
    return rng().binomial(reach.astype(np.int64), np.clip(rate, 0, 1)[:, None]).astype(float)


def pooled_payments(c: Contract, n: np.ndarray, s: np.ndarray) -> np.ndarray | None:
    """Threshold mode with a pooled target (version 3): A x N for each cohort that missed its
    own target, in a future where all the contract's cohorts together reach the pooled rate,
    (futures, cohorts); None without a pooled target.  Every cohort counts, those after the
    horizon too."""
    if c.pooled_target_success_rate is None or c.payment_mode != "threshold":
        return None
    met = (n > 0) & (s >= (c.target_success_rate - _RATE_TOLERANCE) * n)
    n_total, s_total = n.sum(axis=1), s.sum(axis=1)
    pooled = (n_total > 0) & (s_total >= (c.pooled_target_success_rate - _RATE_TOLERANCE) * n_total)
    return np.where(pooled[:, None] & ~met, c.amount_at_risk * n, 0.0)


def fixed_costs(c: Contract, referrals: np.ndarray) -> np.ndarray | float:
    """Fixed cost per contract month, (futures, duration) or a number.  With a wind-down, a
    future in which no referral has arrived in the contract's first wind_down_months months
    pays it only in those months (settled 2026-12-06: the charity decides on what it has
    seen, whether the cause is ``p_no_referrals`` or chance; referrals that come later do not
    restart it).  With wind_down_months 0 nothing has been seen, so it is never paid."""
    wind = c.wind_down_months
    if wind is None or wind >= c.duration_months:
        return c.fixed_monthly_cost
    if wind == 0:
        return 0.0
    idle = np.asarray(~referrals[:, :wind].any(axis=1))  # an array: the stub allows a scalar
    if not idle.any():
        return c.fixed_monthly_cost
    paid = np.arange(c.duration_months) < wind
    return np.where(idle[:, None] & ~paid[None, :], 0.0, c.fixed_monthly_cost)


def cohort_outcome(c: Contract, n: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Outcome payment per cohort (negative for a clawback), (futures, cohorts)."""
    a = c.amount_at_risk
    target_met = (n > 0) & (s >= (c.target_success_rate - _RATE_TOLERANCE) * n)
    if c.payment_mode == "earn":
        # min(A N, A / target x S), without forming A / target: a tiny (allowed) target would
        # overflow it to inf, and inf x 0 successes is NaN.  S / target may overflow to inf,
        # which the minimum then caps at N.
        with np.errstate(over="ignore"):
            return a * np.minimum(n, s / c.target_success_rate)
    if c.payment_mode == "threshold":
        return np.where(target_met, a * n, 0.0)
    missed = (n > 0) & ~target_met
    return np.where(missed, -a * n, 0.0)


def place_on_time(amounts: np.ndarray, months: np.ndarray, out: np.ndarray) -> None:
    """Add amounts (futures, k), due in distinct, increasing 0-based months (k,), into out
    (futures, months) where they fall inside it."""
    k = int(np.searchsorted(months, out.shape[1]))
    if k == 0:
        return
    if months[k - 1] - months[0] + 1 == k:  # consecutive months: a view, no gather
        out[:, months[0]:months[k - 1] + 1] += amounts[:, :k]
    else:
        out[:, months[:k]] += amounts[:, :k]


def pay_late(receipts: np.ndarray, late: np.ndarray, months: int) -> None:
    """Move the receipts of the futures paid late ``months`` later, dropping what then falls
    outside the array (after the horizon: owed).  Only those futures' rows are touched."""
    if months == 0 or not late.any():
        return
    rows = np.flatnonzero(late)
    width = receipts.shape[1]
    if months >= width:
        receipts[rows] = 0.0
        return
    moved = receipts[rows, :width - months]
    receipts[rows, :months] = 0.0
    receipts[rows, months:] = moved


def owed_after_horizon(amounts: np.ndarray, months: np.ndarray, delay: np.ndarray,
                       horizon: int) -> np.ndarray:
    """Per future, the sum of amounts whose due month (plus delay) is after the horizon."""
    return np.where(months[None, :] + delay[:, None] >= horizon, amounts, 0.0).sum(axis=1)


def exit_costs(c: Contract, horizon: int) -> np.ndarray:
    """The exit cost (redundancy, TUPE, closing the service) by month, (horizon,): paid once,
    in the month after the contract's last month; after the horizon it is not in the balance."""
    out = np.zeros(horizon)
    month = c.start_month - 1 + c.duration_months  # 0-based column of the month after the last
    if month < horizon:
        out[month] = c.exit_cost
    return out


def contract_flows(c: Contract, index: int, n: int, horizon: int, seed: int,
                   chunk: int, draws: FutureDraws | None = None) -> ContractFlows:
    """Simulate one contract in n futures; ``draws`` carries the copula's common factor
    (without it, the once-per-future draws are independent)."""
    owner = sampling.contract_owner(c, index)
    draws = FutureDraws(seed, chunk, n) if draws is None else draws
    rng = lambda quantity: sampling.stream(seed, chunk, owner, quantity)  # noqa: E731
    none_at_all = draws.bad_event(c.p_no_referrals, owner, sampling.NO_REFERRALS)
    mean = draws.value(c.referrals_per_month, owner, sampling.REFERRAL_RATE)
    rate = draws.value(c.success_rate, owner, sampling.SUCCESS_RATE)
    late = draws.bad_event(c.late_payment.probability, owner, sampling.LATE)
    delay = np.where(late, c.late_payment.months, 0)

    referrals = monthly_referrals(c, mean, none_at_all, rng(sampling.MONTHLY_REFERRALS))
    month0 = c.start_month - 1
    months = month0 + np.arange(c.duration_months)
    inside_work = months < horizon  # referrals after the horizon are work not yet done

    width = flow_months(c, horizon)
    receipts = np.zeros((n, width))
    fees = service_fee(c, referrals)
    if not inside_work.all():
        fees = fees * inside_work
    fee_months = months + c.fee_lag_months
    place_on_time(fees, fee_months, receipts)

    if c.payment_mode == "rate_card":
        owed = rate_card_payments(c, referrals, inside_work, months, draws, owner,
                                  lambda quantity, k: sampling.stream(seed, chunk, owner, quantity, k),
                                  receipts, late, delay, horizon)
        if fee_months[-1] + c.late_payment.months >= horizon:
            owed += owed_after_horizon(fees, fee_months, delay, horizon)
    else:
        owed = share_payments(c, referrals, inside_work, fees, fee_months, rate, rng(sampling.SUCCESSES),
                              receipts, late, delay, horizon)

    costs = np.zeros((n, width))
    worked = int(np.count_nonzero(inside_work))  # the contract's months within the horizon
    if worked:
        fixed = fixed_costs(c, referrals)
        if isinstance(fixed, np.ndarray):
            fixed = fixed[:, :worked]
        month_costs = costs[:, month0:month0 + worked]
        np.multiply(referrals[:, :worked], c.cost_per_referral, out=month_costs)
        month_costs += fixed
    exit_month = month0 + c.duration_months  # 0-based: the month after the last
    if exit_month < width:
        costs[:, exit_month] += c.exit_cost
    return ContractFlows(receipts, costs, owed, referrals)


def share_payments(c: Contract, referrals: np.ndarray, inside_work: np.ndarray, fees: np.ndarray,
                   fee_months: np.ndarray, rate: np.ndarray, successes_rng: np.random.Generator,
                   receipts: np.ndarray, late: np.ndarray, delay: np.ndarray, horizon: int) -> np.ndarray:
    """The share-at-risk modes' outcome payments (and a pooled target's) into receipts, the
    whole row moved late in the futures paid late; returns what is owed after the horizon."""
    month0 = c.start_month - 1
    cohort_n = cohort_totals(c, referrals)
    successes = cohort_successes(c, cohort_n, rate, successes_rng)
    outcome = cohort_outcome(c, cohort_n, successes)
    pay_months = np.array([month0 + paid for paid in c.results_months()])
    place_on_time(outcome, pay_months, receipts)
    pooled = pooled_payments(c, cohort_n, successes)
    pooled_month = pay_months[-1:]  # the last cohort's outcome payment month
    if pooled is not None:
        place_on_time(pooled.sum(axis=1, keepdims=True), pooled_month, receipts)
    # Every payment of a future paid late is late by the same months: one move of its row.
    pay_late(receipts, late, c.late_payment.months)
    owed = np.zeros(referrals.shape[0])
    if pay_months[-1] + c.late_payment.months >= horizon or fee_months[-1] + c.late_payment.months >= horizon:
        # A cohort straddling the horizon is owed only for its share of referrals already seen.
        seen = cohort_totals(c, referrals * inside_work)
        seen_share = np.divide(seen, cohort_n, out=np.zeros_like(seen), where=cohort_n > 0)
        owed = (owed_after_horizon(fees, fee_months, delay, horizon)
                + owed_after_horizon(outcome * seen_share, pay_months, delay, horizon))
        if pooled is not None:
            owed += owed_after_horizon((pooled * seen_share).sum(axis=1, keepdims=True), pooled_month, delay,
                                       horizon)
    return owed


def rate_card_payments(c: Contract, referrals: np.ndarray, inside_work: np.ndarray, months: np.ndarray,
                       draws: FutureDraws, owner: int, rng: Callable[[int, int], np.random.Generator],
                       receipts: np.ndarray, late: np.ndarray, delay: np.ndarray, horizon: int) -> np.ndarray:
    """A rate card's stage payments into receipts (the fees are already there), the whole row
    moved late in the futures paid late; returns the instalments owed after the horizon, for
    the referrals of months up to it."""
    owed = np.zeros(referrals.shape[0])
    for stage, reach in zip(c.outcome_payments, stage_reach(c, referrals, draws, owner, rng)):
        amounts = stage.price * reach
        first = months + stage.lag_months
        for j in range(stage.payments):
            place_on_time(amounts, first + j, receipts)
        if first[-1] + stage.payments - 1 + c.late_payment.months >= horizon:
            done = amounts if inside_work.all() else amounts * inside_work
            for j in range(stage.payments):
                owed += owed_after_horizon(done, first + j, delay, horizon)
    pay_late(receipts, late, c.late_payment.months)
    return owed
