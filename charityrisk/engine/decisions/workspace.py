"""A prepared run of one scenario whose draws are kept, so that variants cost little.

Comparing, ranking inputs and goal seeking all ask "what is the chance of running out if
this one input were different?" many times, on the same futures (common random numbers:
the engine keys every random stream by block, contract and quantity, so a variant of one
input redraws nothing else).  The Workspace keeps, for each block of futures, what does not
change between such variants, and evaluates a variant as cheaply as its input allows:

- every draw comes from the block's ``FutureDraws`` with the engine's stream keys, so the
  copula (the scenario's ``correlation``) and the budget lines are exactly the engine's;
- opening reserves and the overdraft facility only move the line a balance is compared
  with: one sort of each future's lowest balance answers every value at once;
- other income, core costs and the budget lines are the organisation's own flows: no
  contract is re-simulated;
- with a contract's random draws fixed, its price, share at risk, fee and outcome lags,
  costs, exit cost and late payment enter its cash flow linearly or as a shift in time
  (``_LinearContract``), so any such terms cost a few array operations; a guarantee or a
  wind-down keeps the draws and rebuilds only the linear form;
- a change that alters the draws (referrals, ramp-up, success rate, the chance of no
  referrals, cohorts) redraws only the streams it touches (``_ContractDraws``), with the engine's own
  helpers and stream keys, so the numbers are the engine's;
- a rate card likewise (``_RateCardContract``): its fee schedule, stage prices, fee lag,
  late payment and costs enter linearly or as shifts in time; a guarantee rebuilds only the
  fee base; a stage's rate redraws that stage's numbers and the later stages' (each stage's
  binomial stream is read in order over every future, so counts that change before it move
  every draw after), the chance of no referrals every stage but not the referrals' Poisson
  draws (the engine draws them before zeroing them).

The base futures come from the engine's ``contract_flows``; every evaluation returns which
futures run out, the same (up to float rounding) as ``engine.simulate`` reports for the
changed scenario with the same paths and seed.  tests/test_decisions.py checks this for
every kind of change.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, wait
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

import numpy as np

from ...model.fields import names_where
from ...model.scenario import Contract, Organisation, Scenario
from .. import sampling
from ..budget import BudgetPart, budget_parts, org_net_flows
from ..cashflow import (
    cohort_outcome,
    cohort_successes,
    cohort_totals,
    contract_flows,
    exit_costs,
    fee_by_month,
    fixed_costs,
    monthly_referrals,
    next_stage,
    pooled_payments,
)
from ..sampling import FutureDraws
from ..simulate import BLOCK, WORKERS, _pool, below, charge_interest, run_steps

T = TypeVar("T")

# Each block keeps a few (futures x horizon) arrays: at most about five of
# 100,000 x 120 x 8 bytes = 96 MB.  A prepared rate card keeps its draws besides (its
# referrals and each stage's numbers, and each stage's instalments when paid over several
# months): the Work Programme at 100,000 futures holds 421 MiB once prepared (traced),
# the Fair Chance Fund 116 MiB.  The simulation itself allows more futures.
MAX_DECISION_PATHS = 100_000


def check_run(paths: int, seed: int) -> None:
    if isinstance(paths, bool) or not isinstance(paths, (int, np.integer)) or paths < 1:
        raise ValueError(f"paths: must be a whole number of at least 1 (got {paths!r})")
    if paths > MAX_DECISION_PATHS:
        raise ValueError(f"paths: the decision tools use at most {MAX_DECISION_PATHS:,} futures "
                         f"(got {paths:,})")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: must be a whole number, 0 or more (got {seed!r})")


def resolve_run(s: Scenario, paths: int | None, seed: int | None, appetite: float | None
                ) -> tuple[int, int, float]:
    """Paths, seed and risk appetite for a decision run: given values are checked, missing
    ones come from the scenario's settings (paths capped at MAX_DECISION_PATHS)."""
    paths = min(s.settings.paths, MAX_DECISION_PATHS) if paths is None else paths
    seed = s.settings.seed if seed is None else seed
    appetite = s.settings.risk_appetite if appetite is None else appetite
    check_run(paths, seed)
    if isinstance(appetite, bool) or not isinstance(appetite, (int, float)) or not 0 <= appetite <= 1:
        raise ValueError(f"risk_appetite: must be a share between 0 and 1 (got {appetite!r})")
    return int(paths), int(seed), float(appetite)


def shift_months(cum: np.ndarray, months: int) -> np.ndarray:
    """A cumulative (futures, horizon) cash flow moved ``months`` later; what moves past the
    horizon drops out, as the engine leaves out payments due after it."""
    if months == 0:
        return cum
    out = np.empty_like(cum)  # (not zeros_like: fresh zeroed pages cost more than the copy)
    width = cum.shape[1]
    out[:, :min(months, width)] = 0.0
    if months < width:
        out[:, months:] = cum[:, :width - months]
    return out


def running_total(a: np.ndarray) -> np.ndarray:
    """np.cumsum(a, axis=1), in place, bit for bit (the same additions in the same order):
    a column at a time, which for (futures, months) arrays of a block took a third to a
    half of numpy's time along the last axis."""
    for t in range(1, a.shape[1]):
        a[:, t] += a[:, t - 1]
    return a


class _ContractDraws:
    """One contract's random draws in one block, drawn as the engine's ``contract_flows``
    draws them: through the block's ``FutureDraws`` (so through the copula when the scenario
    has a correlation), with the engine's stream keys.  Those for the base terms are kept; a
    variant redraws only what it changes."""

    def __init__(self, c: Contract, index: int, draws: FutureDraws):
        self.owner = sampling.contract_owner(c, index)
        self.draws = draws
        self.n = draws.n
        self._events: dict[tuple[int, float], np.ndarray] = {}
        self._base = c
        raw = self._draw_raw(c)
        # The base referrals, and of the referrals drawn before they were zeroed only those
        # of the futures without referrals (another chance of none needs them; the other
        # futures' are in the base referrals): a fraction of the memory of keeping them all.
        self._none = self.event(sampling.NO_REFERRALS, c.p_no_referrals)
        self._zeroed = raw[self._none]
        self._referrals = np.where(self._none[:, None], 0.0, raw)
        del raw
        self._rate = self._draw_rate(c)
        self._successes: tuple[tuple, np.ndarray] | None = None
        # A rate card's stages as the base terms draw them: each stage's rate per future and
        # the numbers reaching it, with the key they were drawn for (_stage_key).
        self._stage_rates: list[np.ndarray] = []
        self._reach: list[tuple[tuple, np.ndarray]] = []
        if c.payment_mode == "rate_card":
            self._stage_rates = [self.draws.value(st.rate, self.owner, sampling.STAGE_RATE, k)
                                 for k, st in enumerate(c.outcome_payments)]
            self._reach = list(zip((self._stage_key(c, k) for k in range(len(c.outcome_payments))),
                                   self.stage_reach(c, self._referrals)))

    def _stream(self, quantity: int) -> np.random.Generator:
        return self.draws.rng(self.owner, quantity)

    def event(self, quantity: int, probability: float) -> np.ndarray:
        """(futures,) where a bad event (no referrals, late payment) of this chance happens."""
        key = (quantity, probability)
        happens = self._events.get(key)  # (read once: evaluations may run side by side)
        if happens is None:
            if len(self._events) > 8:  # a goal seek tries many chances: keep memory bounded
                self._events.clear()
            happens = self._events[key] = self.draws.bad_event(probability, self.owner, quantity)
        return happens

    @staticmethod
    def _raw_key(c: Contract) -> tuple:
        return (c.referrals_per_month, c.duration_months, c.count_noise, c.ramp_up_months)

    @staticmethod
    def _successes_key(c: Contract) -> tuple:
        return (c.referrals_per_month, c.duration_months, c.count_noise, c.ramp_up_months,
                c.p_no_referrals, c.cohort_months, c.success_rate)

    def _draw_raw(self, c: Contract) -> np.ndarray:
        mean = self.draws.value(c.referrals_per_month, self.owner, sampling.REFERRAL_RATE)
        nobody = np.zeros(self.n, dtype=bool)  # zeroed below: the draws come first in the engine too
        return monthly_referrals(c, mean, nobody, self._stream(sampling.MONTHLY_REFERRALS))

    def _draw_rate(self, c: Contract) -> np.ndarray:
        return self.draws.value(c.success_rate, self.owner, sampling.SUCCESS_RATE)

    def referrals(self, c: Contract) -> np.ndarray:
        """(futures, duration) c's referrals; the base terms' own array (the same object)
        when c draws them as the base terms do."""
        same_raw = self._raw_key(c) == self._raw_key(self._base)
        if same_raw and c.p_no_referrals == self._base.p_no_referrals:
            return self._referrals
        if same_raw:  # the base draws, the zeroed futures' put back
            raw = self._referrals.copy()
            raw[self._none] = self._zeroed
        else:
            raw = self._draw_raw(c)
        none_at_all = self.event(sampling.NO_REFERRALS, c.p_no_referrals)
        return np.where(none_at_all[:, None], 0.0, raw)

    @staticmethod
    def _stage_key(c: Contract, k: int) -> tuple:
        """What the numbers reaching stage k depend on: the referrals' draws, the chance of
        none at all, and the rates of the stages up to k (the binomial stream of a stage is
        read in order over every future's months, so any change before it moves them all)."""
        return (_ContractDraws._raw_key(c), c.p_no_referrals,
                tuple(st.rate for st in c.outcome_payments[:k + 1]))

    def stage_reach(self, c: Contract, referrals: np.ndarray) -> list[np.ndarray]:
        """A rate card's numbers reaching each stage, as the engine's ``stage_reach`` draws
        them for c (the same streams): the base terms' stages are kept up to the first stage
        whose key differs; that stage and every later one are drawn again."""
        out: list[np.ndarray] = []
        reach = referrals
        kept = True
        base = self._base.outcome_payments
        for k, st in enumerate(c.outcome_payments):
            kept = kept and k < len(self._reach) and self._reach[k][0] == self._stage_key(c, k)
            if kept:
                reach = self._reach[k][1]
            else:
                same_rate = k < len(self._stage_rates) and base[k].rate == st.rate
                rate = (self._stage_rates[k] if same_rate
                        else self.draws.value(st.rate, self.owner, sampling.STAGE_RATE, k))
                reach = next_stage(c, reach, rate, partial(self.draws.rng, self.owner, sampling.STAGE_COUNTS, k))
            out.append(reach)
        return out

    def late(self, probability: float) -> np.ndarray:
        return self.event(sampling.LATE, probability)

    def successes(self, c: Contract, cohort_n: np.ndarray) -> np.ndarray:
        key = self._successes_key(c)
        if self._successes is not None and self._successes[0] == key:
            return self._successes[1]
        rate = self._rate if c.success_rate == self._base.success_rate else self._draw_rate(c)
        s = cohort_successes(c, cohort_n, rate, self._stream(sampling.SUCCESSES))
        if key == self._successes_key(self._base):
            self._successes = (key, s)
        return s


@dataclass(frozen=True, eq=False)
class _LinearContract:
    """One contract in one block with its draws fixed, as cumulative (futures, horizon)
    arrays at unit terms, no lags and no late payment.  For terms c (same draws):

    net cash to date = price x (fee_share x fee base(fee lag) + share_at_risk x
    outcome(outcome lag)), moved late-payment months later in the futures paid late,
    less fixed_monthly_cost x fixed months - cost_per_referral x referrals - the exit cost
    to date; fee_share is 1 - share_at_risk, or 1 under clawback.  The fee base is the
    referrals or the guarantee, whichever is more; the fixed months stop after the
    wind-down in a future without referrals in its first months (the engine's
    ``fixed_costs``).
    """

    referrals: np.ndarray  # referrals worked within the horizon
    fee_base: np.ndarray  # the referrals the fee is paid on (= fees at price 1)
    outcome: np.ndarray  # outcome payments at A = 1 (clawbacks negative)
    work: np.ndarray  # (horizon,) or (futures, horizon): fixed-cost months within the horizon
    draws: _ContractDraws  # for the late payments of any chance

    @classmethod
    def from_draws(cls, c: Contract, draws: _ContractDraws, horizon: int,
                   like: _LinearContract | None = None) -> _LinearContract:
        """c's linear form from the block's kept draws; ``like``, the base terms' form of the
        same block, lends a rate card the arrays that do not change (``_RateCardContract``)."""
        if c.payment_mode == "rate_card":
            return _RateCardContract.simulated(c, draws, horizon,
                                               like if isinstance(like, _RateCardContract) else None)
        referrals = draws.referrals(c)
        n = referrals.shape[0]
        months = c.start_month - 1 + np.arange(c.duration_months)
        inside = np.flatnonzero(months < horizon)

        def worked(per_month: np.ndarray) -> np.ndarray:
            out = np.zeros((n, horizon))
            out[:, months[inside]] = per_month[:, inside]
            return running_total(out)

        fee_base = c.fee_referrals(referrals)
        fixed = fixed_costs(replace(c, fixed_monthly_cost=1.0), referrals)
        if not isinstance(fixed, np.ndarray):
            work = np.zeros(horizon)
            work[months[inside]] = float(fixed)  # 0 with a wind-down of 0: never paid
            work = np.cumsum(work)
        else:
            work = worked(np.asarray(fixed))
        cohort_n = cohort_totals(c, referrals)
        unit = replace(c, price_per_referral=1.0, share_at_risk=1.0)
        amounts = cohort_outcome(unit, cohort_n, draws.successes(c, cohort_n))
        pay = np.array([c.start_month - 1 + last for _, last in c.cohort_bounds()])
        due = np.flatnonzero(pay < horizon)  # cohorts end in different months: no clashes
        outcome = np.zeros((n, horizon))
        outcome[:, pay[due]] = amounts[:, due]
        pooled = pooled_payments(unit, cohort_n, draws.successes(c, cohort_n))
        if pooled is not None and pay[-1] < horizon:  # paid with the last cohort's outcome
            outcome[:, pay[-1]] += pooled.sum(axis=1)
        cum_referrals = worked(referrals)
        cum_fees = cum_referrals if fee_base is referrals else worked(fee_base)
        return cls(cum_referrals, cum_fees, running_total(outcome), work, draws)

    def cumulative(self, c: Contract) -> np.ndarray:
        fee_share = c.fee_share
        if fee_share:
            receipts = shift_months(self.fee_base, c.fee_lag_months) * (c.price_per_referral * fee_share)
        else:
            receipts = np.zeros_like(self.fee_base)
        if c.amount_at_risk:
            receipts += shift_months(self.outcome, c.outcome_lag_months) * c.amount_at_risk
        delay = c.late_payment.months
        if delay and c.late_payment.probability:
            late = self.draws.late(c.late_payment.probability)
            if late.any():
                receipts[late] = shift_months(receipts[late], delay)
        receipts -= c.cost_per_referral * self.referrals
        receipts -= c.fixed_monthly_cost * self.work
        if c.exit_cost:
            receipts -= np.cumsum(exit_costs(c, receipts.shape[1]))
        return receipts


@dataclass(frozen=True, eq=False)
class _RateCardContract(_LinearContract):
    """A rate card in one block with its draws fixed (the numbers reaching each stage kept in
    ``_ContractDraws``), as each month's flows at unit terms over only the columns where they
    fall (not running totals, unlike ``_LinearContract``: one running sum per evaluation).
    For terms c with the same draws, each month's net cash is

    each work month's fee-bearing referrals x that contract year's fee, moved fee-lag months
    later, + the sum over stages of price x the stage's instalments at a price of 1 (each at
    its lag and for its number of payments), all moved late-payment months later in the
    futures paid late, less cost_per_referral x referrals, fixed_monthly_cost x the fixed-cost
    months and the exit cost: the engine's ``contract_flows``, term for term, summed in
    another order.  So a rate card's fee schedule, stage prices, fee lag, late payment and
    costs cost a few array operations; a guarantee rebuilds only the fee base, a stage's rate
    redraws that stage and the later ones, the chance of no referrals every stage, from the
    kept draws (``linear_change``, ``simulated``).

    ``referrals``, ``fee_base`` and ``work`` hold the contract's months within the horizon
    (futures, months), from horizon column ``first``; ``outcome`` is unused.
    """

    stages: tuple[tuple[int, np.ndarray], ...]  # per stage: (first column, instalments at a price of 1)
    first: int  # the horizon column of the contract's first month
    horizon: int
    base: Contract  # the terms the arrays are for
    reach: tuple[np.ndarray, ...]  # the numbers reaching each stage the arrays are from

    @classmethod
    def simulated(cls, c: Contract, draws: _ContractDraws, horizon: int,
                  like: _RateCardContract | None = None) -> _RateCardContract:
        """c's arrays from the block's draws; those that c draws as ``like`` did (the same
        referrals, the same numbers reaching a stage with its lag and instalments) are
        ``like``'s own, so a stage's rate costs only the stages it redraws."""
        referrals = draws.referrals(c)
        reaches = draws.stage_reach(c, referrals)
        first = c.start_month - 1
        worked = max(0, min(c.duration_months, horizon - first))  # the contract's months within the horizon
        same_referrals = like is not None and draws.referrals(like.base) is referrals
        if like is not None and same_referrals and fixed_terms(like.base) == fixed_terms(c):
            per_month, work = like.referrals, like.work
        else:
            per_month = referrals[:, :worked]
            fixed = fixed_costs(replace(c, fixed_monthly_cost=1.0), referrals)
            work = (np.full(worked, float(fixed)) if not isinstance(fixed, np.ndarray)
                    else np.asarray(fixed)[:, :worked])
        if like is not None and same_referrals and \
                like.base.guaranteed_referrals_per_month == c.guaranteed_referrals_per_month:
            fee_base = like.fee_base
        else:
            fee_base = c.fee_referrals(per_month)
        stages = []
        for k, (stage, reach) in enumerate(zip(c.outcome_payments, reaches)):
            if (like is not None and k < len(like.reach) and like.reach[k] is reach
                    and _stage_draws(like.base)[k][1:] == (stage.lag_months, stage.payments)):
                stages.append(like.stages[k])
                continue
            start = first + stage.lag_months
            width = min(worked + stage.payments - 1, horizon - start)  # months with instalments, to the horizon
            if worked == 0 or width <= 0:
                stages.append((start, np.zeros((reach.shape[0], 0))))
            elif stage.payments == 1:
                stages.append((start, reach[:, :width]))
            else:
                # Instalments of 1 for each of those reaching the stage for ``payments``
                # months: R(t) - R(t - payments), R the running total reaching it by referral
                # month (whole numbers with count noise, so the sums are exact).
                reached = np.empty((reach.shape[0], worked + stage.payments - 1))
                np.cumsum(reach[:, :worked], axis=1, out=reached[:, :worked])
                reached[:, worked:] = reached[:, worked - 1:worked]
                paid = reached.copy()
                paid[:, stage.payments:] -= reached[:, :-stage.payments]
                stages.append((start, paid[:, :width]))
        return cls(per_month, fee_base, np.zeros((0, horizon)), work, draws, tuple(stages), first, horizon,
                   c, tuple(reaches))

    def cumulative(self, c: Contract) -> np.ndarray:
        n, worked = self.referrals.shape
        horizon, first = self.horizon, self.first
        net = np.zeros((n, horizon))
        fees = fee_by_month(c)[:worked]
        lag = c.fee_lag_months
        if fees.any() and first + lag < horizon:
            k = min(worked, horizon - first - lag)
            net[:, first + lag:first + lag + k] = self.fee_base[:, :k] * fees[:k]
        for stage, (start, paid) in zip(c.outcome_payments, self.stages):
            if stage.price and paid.shape[1]:
                net[:, start:start + paid.shape[1]] += stage.price * paid
        delay = c.late_payment.months
        if delay and c.late_payment.probability:
            late = self.draws.late(c.late_payment.probability)
            if late.any():
                net[late] = shift_months(net[late], delay)
        months = net[:, first:first + worked]
        if c.cost_per_referral:
            months -= c.cost_per_referral * self.referrals
        if c.fixed_monthly_cost:
            months -= c.fixed_monthly_cost * self.work
        if c.exit_cost:
            net -= exit_costs(c, horizon)
        return running_total(net)


def fixed_terms(c: Contract) -> tuple:
    """What a contract's fixed-cost months depend on besides its referrals."""
    return (c.wind_down_months, c.duration_months, c.start_month)


# Terms the linear form covers with the same draws and the same fee base and fixed months;
# any other change rebuilds it (from the kept draws where they still apply).
# (the field table's ``linear`` column, and the unknown keys kept with the contract).
LINEAR_TERMS = frozenset(names_where("contracts[]", "linear") + ("extra",))


# A rate card's linear form also covers its fee schedule and its stages' prices.
RATE_CARD_LINEAR_TERMS = LINEAR_TERMS | {"fee_per_referral", "outcome_payments"}


def _stage_draws(c: Contract) -> tuple:
    """What a rate card's stage arrays depend on besides the draws: each stage's rate, lag
    and number of instalments (not its price or name)."""
    return tuple((st.rate, st.lag_months, st.payments) for st in c.outcome_payments)


def linear_change(base: Contract, c: Contract) -> bool:
    """Whether c differs from base only in terms the linear form covers: for a rate card also
    its fee schedule and its stages' prices."""
    if base.payment_mode != c.payment_mode:
        return False
    if c.payment_mode == "rate_card":
        return (_stage_draws(base) == _stage_draws(c)
                and all(getattr(base, f) == getattr(c, f) for f in Contract.__dataclass_fields__
                        if f not in RATE_CARD_LINEAR_TERMS))
    return all(getattr(base, f) == getattr(c, f) for f in Contract.__dataclass_fields__
               if f not in LINEAR_TERMS)


class Workspace:
    """The base scenario's futures, block by block, ready for cheap variants.

    Build it with ``Workspace(scenario, paths, seed).build_steps()`` (a generator yielding
    after each block simulation, returning the Workspace) or ``Workspace.build(...)``.  Not
    thread-safe: use one Workspace on one thread.  ``block_simulations`` counts the
    contract simulations of one block done so far, the unit of work for progress.
    """

    def __init__(self, s: Scenario, paths: int, seed: int):
        check_run(paths, seed)
        self.scenario = s
        self.paths = int(paths)
        self.seed = int(seed)
        self.horizon = s.horizon_months
        self.blocks = [(b, first, min(BLOCK, paths - first)) for b, first in enumerate(range(0, paths, BLOCK))]
        # Per block: its once-per-future draws (the copula's common factor included), the
        # base organisation's other income and budget lines, and all contracts, cumulative.
        self._future_draws: list[FutureDraws] = []
        self._income: list[np.ndarray] = []  # (n,) other income a month
        self._budget: list[dict[str, BudgetPart]] = []
        self._contracts: list[np.ndarray] = []  # (n, horizon)
        # One contract prepared at a time (bounds memory): its index, and per block its
        # draws, its linear form and the rest of the balance (organisation, other contracts).
        self._prepared: int | None = None
        self._draws: list[_ContractDraws] = []
        self._linear: list[_LinearContract] = []
        self._rest: list[np.ndarray] = []
        self.block_simulations = 0

    # ------------------------------------------------------------------ building

    def build_steps(self) -> Generator[None, None, Workspace]:
        """Simulate the base scenario's contracts block by block, the blocks side by side on
        the engine's threads (yields after each, in order)."""
        s = self.scenario

        def one(pos: int) -> tuple[FutureDraws, np.ndarray, dict[str, BudgetPart], np.ndarray]:
            block, _, n = self.blocks[pos]
            draws = FutureDraws(self.seed, block, n, s.correlation, s.settings.sampling)
            total = np.zeros((n, self.horizon))
            for i, c in enumerate(s.contracts):
                flows = contract_flows(c, i, n, self.horizon, self.seed, block, draws)
                total += running_total(flows.net(self.horizon))
            return (draws, self._draw_income(s.organisation, draws),
                    budget_parts(s.organisation.budget, draws, self.horizon), total)

        for draws, income, budget, total in side_by_side(one, len(self.blocks)):
            self._future_draws.append(draws)
            self._income.append(income)
            self._budget.append(budget)
            self._contracts.append(total)
            self.block_simulations += max(1, len(s.contracts))
            yield None
        return self

    def build_work(self) -> int:
        """Block simulations build_steps does (for progress)."""
        return len(self.blocks) * max(1, len(self.scenario.contracts))

    @classmethod
    def build(cls, s: Scenario, paths: int, seed: int) -> Workspace:
        return drain(cls(s, paths, seed).build_steps())

    def prepare_steps(self, index: int) -> Generator[None, None, None]:
        """Keep contract ``index``'s draws and linear form (yields after each block)."""
        if self._prepared == index:
            return
        self._prepared, self._draws, self._linear, self._rest = None, [], [], []
        c = self.scenario.contracts[index]
        alone = len(self.scenario.contracts) == 1

        def one(pos: int) -> tuple[_ContractDraws, _LinearContract, np.ndarray]:
            draws = _ContractDraws(c, index, self._future_draws[pos])
            linear = _LinearContract.from_draws(c, draws, self.horizon)
            rest = self._org_cumulative(self.scenario.organisation, pos)
            if not alone:
                rest += self._contracts[pos] - linear.cumulative(c)
            return draws, linear, rest

        for draws, linear, rest in side_by_side(one, len(self.blocks)):  # the blocks side by side
            self._draws.append(draws)
            self._linear.append(linear)
            self._rest.append(rest)
            self.block_simulations += 1
            yield None
        self._prepared = index

    def prepare(self, index: int) -> None:
        drain(self.prepare_steps(index))

    # --------------------------------------------------------------- evaluating

    def _draw_income(self, org: Organisation, draws: FutureDraws) -> np.ndarray:
        return draws.value(org.monthly_other_income, 0, sampling.ORG_INCOME)

    def _org_cumulative(self, org: Organisation, pos: int) -> np.ndarray:
        """Opening reserves plus other income less core costs plus the budget lines to
        date, (n, horizon): the engine's organisation flows, summed."""
        if org.monthly_other_income == self.scenario.organisation.monthly_other_income:
            income = self._income[pos]
        else:
            income = self._draw_income(org, self._future_draws[pos])
        if org.budget == self.scenario.organisation.budget:
            parts = self._budget[pos]
        else:
            parts = budget_parts(org.budget, self._future_draws[pos], self.horizon)
        core_net = income - org.monthly_core_costs
        if parts:
            net = org_net_flows(core_net, parts)
        else:
            net = np.repeat(core_net[:, None], self.horizon, axis=1)
        running_total(net)
        net += org.opening_reserves
        return net

    @staticmethod
    def _charged(org: Organisation, balances: np.ndarray) -> np.ndarray:
        """Closing balances (with the opening reserves) with the overdraft interest of
        version 3 charged, in place, as the engine charges it (``charge_interest``)."""
        if org.overdraft_interest_per_year > 0:
            charge_interest(org.opening_reserves, balances, org.overdraft_interest_per_year)
        return balances

    def _run_out(self, overdraft: float, balances: Callable[[int], np.ndarray]) -> np.ndarray:
        """Where some month's balance is below minus the overdraft (the engine's penny rule)."""
        out = np.empty(self.paths, dtype=bool)

        def one(pos: int) -> None:
            _, first, n = self.blocks[pos]
            out[first:first + n] = below(balances(pos).min(axis=1), -overdraft)
        if len(self.blocks) == 1:
            one(0)
        else:  # the blocks side by side on the engine's threads (numpy releases the lock)
            list(_pool().map(one, range(len(self.blocks))))  # list(): an exception is raised here
        return out

    def run_out(self, org: Organisation | None = None) -> np.ndarray:
        """(paths,) True where the future runs out; the contracts as in the base scenario."""
        org = self.scenario.organisation if org is None else org
        return self._run_out(org.overdraft_facility,
                             lambda pos: self._charged(org, self._org_cumulative(org, pos) + self._contracts[pos]))

    def run_out_contract(self, index: int, c: Contract) -> np.ndarray:
        """Futures that run out with contract ``index`` replaced by ``c`` (same draws)."""
        base = self.scenario.contracts[index]
        if c == base:
            return self.run_out()
        self.prepare(index)
        org = self.scenario.organisation
        if linear_change(base, c):
            def balances(pos: int) -> np.ndarray:
                cum = self._linear[pos].cumulative(c)  # a new array: the rest is added in place
                cum += self._rest[pos]
                return self._charged(org, cum)
        else:
            def balances(pos: int) -> np.ndarray:
                self.block_simulations += 1
                linear = _LinearContract.from_draws(c, self._draws[pos], self.horizon, self._linear[pos])
                cum = linear.cumulative(c)
                cum += self._rest[pos]
                return self._charged(org, cum)
        return self._run_out(self.scenario.organisation.overdraft_facility, balances)

    def lowest_contract(self, index: int, c: Contract | None, charged: Organisation | None = None) -> np.ndarray:
        """(paths,) each future's lowest closing balance with contract ``index`` replaced by
        ``c`` (same draws; None: as it is), from ``charged``'s opening reserves with interest
        at its rate (None: the scenario's): the negotiation grid compares one such array with
        many overdrafts (or, without interest, opening reserves) at once."""
        org = self.scenario.organisation
        charged = org if charged is None else charged
        shift = charged.opening_reserves - org.opening_reserves
        base = self.scenario.contracts[index] if 0 <= index < len(self.scenario.contracts) else None
        if c is None or c == base:
            if charged.overdraft_interest_per_year == org.overdraft_interest_per_year and shift == 0:
                return org.opening_reserves + self.lowest_before_opening()
            out = np.empty(self.paths)
            for pos, (_, first, n) in enumerate(self.blocks):
                balances = self._org_cumulative(org, pos) + self._contracts[pos] + shift
                out[first:first + n] = self._charged(charged, balances).min(axis=1)
            return out
        self.prepare(index)
        rebuild = not linear_change(self.scenario.contracts[index], c)
        out = np.empty(self.paths)
        for pos, (_, first, n) in enumerate(self.blocks):
            linear = self._linear[pos]
            if rebuild:
                self.block_simulations += 1
                linear = _LinearContract.from_draws(c, self._draws[pos], self.horizon, linear)
            balances = self._charged(charged, self._rest[pos] + linear.cumulative(c) + shift)
            out[first:first + n] = balances.min(axis=1)
        return out

    def lowest_before_opening(self) -> np.ndarray:
        """(paths,) each future's lowest closing balance less the opening reserves: with
        opening reserves R its lowest balance is R plus this.  With overdraft interest
        (version 3) that holds only at the scenario's own opening reserves, where it is
        exact: interest makes the balance a little more than linear in them."""
        org = self.scenario.organisation
        out = np.empty(self.paths)
        for pos, (_, first, n) in enumerate(self.blocks):
            if org.overdraft_interest_per_year > 0:
                balances = self._charged(org, self._org_cumulative(org, pos) + self._contracts[pos])
                out[first:first + n] = balances.min(axis=1) - org.opening_reserves
                continue
            balances = self._org_cumulative(org, pos) - org.opening_reserves + self._contracts[pos]
            out[first:first + n] = balances.min(axis=1)
        return out


def side_by_side(work: Callable[[int], T], count: int) -> Generator[T, None, None]:
    """work(0), ..., work(count - 1), in order, computed on the engine's threads up to
    WORKERS ahead (numpy's draws and array passes release the interpreter's lock, so both
    cores work); closing the generator drops the work not started and waits for the rest.
    ``work`` must not wait on the engine's pool itself."""
    if count < 2 or WORKERS == 1:
        for i in range(count):
            yield work(i)
        return
    pool = _pool()
    pending: deque[Future[T]] = deque()
    try:
        for i in range(count):
            pending.append(pool.submit(work, i))
            if len(pending) >= WORKERS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        wait(pending)


def drain(steps: Generator[Any, None, T]) -> T:
    """Run a generator to its end and return its value (the engine's one step driver)."""
    return run_steps(steps)
