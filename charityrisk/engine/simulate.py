"""The Monte Carlo run: futures simulated in blocks, summarised into Results.

Futures are simulated in blocks of BLOCK; each block draws from its own random streams, so
the numbers depend only on the scenario, the number of futures and the seed, never on how
the work is split, and memory stays bounded whatever the number of futures.  Each block is
a progress report and a cancel point (``simulation_steps`` is a generator).
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Generator, Iterator, TypeVar

import numpy as np

from ..model.scenario import Scenario
from ..model.validation import ScenarioError
from .budget import budget_parts, org_net_flows
from .cashflow import contract_flows
from .results import PERCENTILES, BaselineResults, Results
from .sampling import ORG_INCOME, FutureDraws

BLOCK = 5_000
# numpy's random draws and array passes release the GIL, so blocks run well on threads;
# results do not depend on it because each block has its own random streams.
WORKERS = max(1, min(4, os.cpu_count() or 1))
# Balance percentiles by month are of every future run (domain.md), so every closing
# balance is kept, months first.  In float64 (exactly numpy.percentile's answer) while the
# kept balances of both sets (with and without the contracts) fit in this many bytes; above
# it in float32, halving the memory (1,000,000 futures x 120 months x 2 sets: 960 MB, not
# 1.9 GB).  float32 keeps 24 bits, so a percentile read from it is within 6e-8 of the
# balance (6p per £1m, £1 at £16m): a ten-thousandth of the sampling error of the 5th
# percentile at 1,000,000 futures (about £140 on the example), so invisible in any figure.
EXACT_BALANCE_BYTES = 512 * 1024**2
# Money is compared to the penny: a balance is below a line only if below it by at least
# half a penny, since sums of pence in floating point are not exact (30,000.30 less three
# times 10,000.10 is -3.6e-12, not 0).
HALF_PENNY = 0.005
FLOW_KEYS = ("income", "costs", "contract_receipts", "contract_costs")


class Cancelled(Exception):
    """The run was cancelled between blocks."""


class ResultsOverflow(ScenarioError):
    """Some futures' money overflowed (inf or NaN): the inputs are too large to simulate.

    A ScenarioError, so the command line answers it like any bad value (one line, exit 2)."""

    def __init__(self) -> None:
        super().__init__(["scenario: the money in some simulated futures is too large to "
                          "compute (it overflows); check the amounts and referral numbers for "
                          "a slip such as extra zeros"])


def check_finite(b: "Block") -> None:
    """Refuse a block whose figures overflowed rather than report nonsense from it."""
    if not (np.isfinite(b.balances).all() and np.isfinite(b.owed).all()
            and np.isfinite(b.margins).all() and np.isfinite(b.flows).all()):
        # (Finite balances mean finite baseline balances: they are a part of them.)
        raise ResultsOverflow()


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


@dataclass(frozen=True)
class Block:
    balances: np.ndarray  # (futures, horizon) closing balance of each month
    owed: np.ndarray  # (futures,)
    margins: np.ndarray  # (futures, contracts)
    # (4, horizon) the block's sums over futures of each month's FLOW_KEYS, costs positive
    flows: np.ndarray
    # (futures, horizon) closing balances without the contracts; None when there are none
    # (then they are ``balances``)
    baseline: np.ndarray | None = None

    @property
    def baseline_balances(self) -> np.ndarray:
        return self.balances if self.baseline is None else self.baseline


def simulate_block(s: Scenario, n: int, seed: int, block: int) -> Block:
    """Closing balances of n futures; the block number picks the random streams."""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked: check_finite
        return _simulate_block(s, n, seed, block)


def _simulate_block(s: Scenario, n: int, seed: int, block: int) -> Block:
    org = s.organisation
    horizon = s.horizon_months
    draws = FutureDraws(seed, block, n, s.correlation)
    income = draws.value(org.monthly_other_income, 0, ORG_INCOME)
    totals = np.zeros((len(FLOW_KEYS), horizon))
    totals[0] = income.sum()
    totals[1] = n * org.monthly_core_costs
    parts = budget_parts(org.budget, draws, horizon)
    if parts:
        net = org_net_flows(income - org.monthly_core_costs, parts)
        for kind, part in parts.items():
            totals[0 if kind == "income" else 1] += part.total_by_month()
    else:  # version 1's own arithmetic, so its results stay bit for bit
        net = np.repeat((income - org.monthly_core_costs)[:, None], horizon, axis=1)
    baseline = closing_balances(org.opening_reserves, net.copy()) if s.contracts else None
    owed = np.zeros(n)
    margins = np.zeros((n, len(s.contracts)))
    for i, c in enumerate(s.contracts):
        flows = contract_flows(c, i, n, horizon, seed, block, draws)
        net += flows.receipts - flows.costs
        owed += flows.owed
        receipts_by_month = flows.receipts.sum(axis=0)
        costs_by_month = flows.costs.sum(axis=0)
        totals[2] += receipts_by_month
        totals[3] += costs_by_month
        margins[:, i] = flows.receipts.sum(axis=1) - flows.costs.sum(axis=1)
    return Block(closing_balances(org.opening_reserves, net), owed, margins, totals, baseline)


def closing_balances(opening: float, net: np.ndarray) -> np.ndarray:
    """Opening reserves plus the running sum of each future's net flows, in place of net."""
    np.cumsum(net, axis=1, out=net)
    net += opening
    return net


def below(balances: np.ndarray, line: float) -> np.ndarray:
    """Where a balance is below the line by at least half a penny."""
    return balances <= line - HALF_PENNY


def run_out_month(balances: np.ndarray, overdraft: float) -> np.ndarray:
    """First 1-based month whose closing balance is below minus the overdraft; 0 = never."""
    out = below(balances, -overdraft)
    return np.where(out.any(axis=1), out.argmax(axis=1) + 1, 0).astype(np.int16)


def shortfall(lowest: np.ndarray, overdraft: float) -> np.ndarray:
    """Extra opening cash each future needs not to run out: 0 where it does not."""
    short = -overdraft - lowest
    return np.where(below(lowest, -overdraft), short, 0.0)


class _Tally:
    """Per-future figures of one set of balances (with or without the contracts), filled
    block by block, and the few that are summed."""

    def __init__(self, paths: int, horizon: int, dtype: type = np.float64) -> None:
        self.months_out = np.zeros(paths, dtype=np.int16)
        self.lowest = np.empty(paths)
        self.below_floor = np.zeros(paths, dtype=bool)
        self.balances = np.empty((horizon, paths), dtype=dtype)  # months first: fast percentiles

    def add(self, first: int, balances: np.ndarray, overdraft: float, floor: float) -> None:
        rows = slice(first, first + balances.shape[0])
        self.months_out[rows] = run_out_month(balances, overdraft)
        self.lowest[rows] = balances.min(axis=1)
        self.below_floor[rows] = below(balances, floor).any(axis=1)
        self.balances[:, rows] = balances.T

    def p_run_out(self) -> float:
        return float(np.mean(self.months_out > 0))

    def by_month(self, horizon: int) -> np.ndarray:
        return np.cumsum(np.bincount(self.months_out, minlength=horizon + 1)[1:]) / self.months_out.size

    def working_capital_needed_95(self, overdraft: float) -> float:
        return float(np.percentile(shortfall(self.lowest, overdraft), 95))

    def balance_percentiles(self) -> dict[str, np.ndarray]:
        """Each month's percentiles of every future's balance; reorders the kept balances
        (call once)."""
        return dict(zip(map(str, PERCENTILES), percentiles_by_row(self.balances, PERCENTILES)))

    def lowest_percentiles(self) -> dict[str, float]:
        return {str(q): float(v) for q, v in zip(PERCENTILES, np.percentile(self.lowest, PERCENTILES))}


def balance_dtype(paths: int, horizon: int, sets: int) -> type:
    """float64 while every kept balance fits EXACT_BALANCE_BYTES, else float32."""
    return np.float64 if paths * horizon * sets * 8 <= EXACT_BALANCE_BYTES else np.float32


def percentiles_by_row(a: np.ndarray, qs: tuple[int, ...]) -> np.ndarray:
    """numpy.percentile(a, qs, axis=1) (its default, linear method), partitioning ``a`` in
    place instead of copying it.  A float32 ``a`` is partitioned as it is and only the order
    statistics wanted are widened to float64, so the interpolation is numpy's own in float64."""
    if a.dtype == np.float64:
        return np.percentile(a, qs, axis=1, overwrite_input=True)
    n = a.shape[1]
    at = np.asarray(qs, dtype=np.float64) / 100 * (n - 1)
    lower = np.floor(at).astype(np.intp)
    upper = np.minimum(lower + 1, n - 1)
    a.partition(np.unique(np.concatenate([lower, upper])), axis=1)
    low = a[:, lower].T.astype(np.float64)
    high = a[:, upper].T.astype(np.float64)
    return lerp(low, high, (at - lower)[:, None])


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy.percentile's linear interpolation, term for term (numpy's ``_lerp``), so a
    float64 answer is bit for bit numpy's."""
    diff = b - a
    out = np.add(a, diff * t)
    np.subtract(b, diff * (1 - t), out=out, where=np.broadcast_to(t >= 0.5, out.shape))
    return out


def _blocks(s: Scenario, paths: int, seed: int) -> Iterator[tuple[int, Block]]:
    """(first future, block) in order, computed up to WORKERS blocks ahead."""
    if WORKERS == 1 or paths <= BLOCK:
        for block, first in enumerate(range(0, paths, BLOCK)):
            yield first, simulate_block(s, min(BLOCK, paths - first), seed, block)
        return
    pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="charityrisk-block")
    try:
        pending: deque = deque()
        for block, first in enumerate(range(0, paths, BLOCK)):
            pending.append((first, pool.submit(simulate_block, s, min(BLOCK, paths - first), seed, block)))
            if len(pending) >= WORKERS:
                first_done, future = pending.popleft()
                yield first_done, future.result()
        while pending:
            first_done, future = pending.popleft()
            yield first_done, future.result()
    finally:  # also on cancel: drop blocks not started, wait for the few running
        pool.shutdown(wait=True, cancel_futures=True)


def simulation_steps(s: Scenario, paths: int, seed: int) -> Generator[Progress, None, Results]:
    """Yield progress after each block; return the Results (StopIteration.value)."""
    if paths < 1:
        raise ValueError("paths: must be at least 1")
    if seed < 0:
        raise ValueError("seed: must be 0 or more")
    org = s.organisation
    horizon = s.horizon_months
    dtype = balance_dtype(paths, horizon, 2 if s.contracts else 1)
    tally = _Tally(paths, horizon, dtype)
    baseline = _Tally(paths, horizon, dtype) if s.contracts else tally
    owed = np.empty(paths)
    margin_sum = np.zeros(len(s.contracts))
    flow_sum = np.zeros((len(FLOW_KEYS), horizon))
    for first, b in _blocks(s, paths, seed):
        check_finite(b)
        n = b.owed.size
        tally.add(first, b.balances, org.overdraft_facility, org.reserves_floor)
        if baseline is not tally:
            baseline.add(first, b.baseline_balances, org.overdraft_facility, org.reserves_floor)
        owed[first:first + n] = b.owed
        margin_sum += b.margins.sum(axis=0)
        flow_sum += b.flows
        yield Progress(first + n, paths)
    return summarise(s, paths, seed, tally, baseline, owed, margin_sum / paths, flow_sum / paths)


def mean_balances(s: Scenario, mean_flows: np.ndarray, with_contracts: bool) -> np.ndarray:
    """Opening reserves plus the running sum of the mean flows (domain.md's definition)."""
    net = mean_flows[0] - mean_flows[1]
    if with_contracts:
        net = net + mean_flows[2] - mean_flows[3]
    return s.organisation.opening_reserves + np.cumsum(net)


def _baseline_results(s: Scenario, t: _Tally, mean_flows: np.ndarray) -> BaselineResults:
    p = t.p_run_out()
    paths = t.months_out.size
    return BaselineResults(
        p_run_out=p,
        p_run_out_se=float(np.sqrt(p * (1 - p) / paths)),
        p_run_out_by_month=t.by_month(s.horizon_months),
        p_below_floor=float(np.mean(t.below_floor)),
        working_capital_needed_95=t.working_capital_needed_95(s.organisation.overdraft_facility),
        balance_percentiles=t.balance_percentiles(),
        lowest_balance_percentiles=t.lowest_percentiles(),
        mean_balance_by_month=mean_balances(s, mean_flows, with_contracts=False),
    )


def summarise(s: Scenario, paths: int, seed: int, tally: _Tally, baseline: _Tally,
              owed: np.ndarray, margins: np.ndarray, mean_flows: np.ndarray) -> Results:
    horizon = s.horizon_months
    p = tally.p_run_out()
    return Results(
        paths=paths,
        seed=seed,
        horizon_months=horizon,
        p_run_out=p,
        p_run_out_se=float(np.sqrt(p * (1 - p) / paths)),
        p_run_out_by_month=tally.by_month(horizon),
        p_below_floor=float(np.mean(tally.below_floor)),
        balance_percentiles=tally.balance_percentiles(),
        lowest_balance_percentiles=tally.lowest_percentiles(),
        working_capital_needed_95=tally.working_capital_needed_95(s.organisation.overdraft_facility),
        expected_owed_after_horizon=float(np.mean(owed)),
        contract_names=tuple(c.name for c in s.contracts),
        contract_margin=margins,
        run_out_month=tally.months_out,
        lowest_balance=tally.lowest,
        balance_sample_paths=paths,
        mean_balance_by_month=mean_balances(s, mean_flows, with_contracts=True),
        mean_flows_by_month=dict(zip(FLOW_KEYS, mean_flows)),
        baseline=_baseline_results(s, baseline, mean_flows),
    )


T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R")


def drive(steps: Generator[S, None, T], on_step: Callable[[S], R] | None = None
          ) -> Generator[R, None, T]:
    """The one step driver: run a ``*_steps`` generator inside another, passing each of its
    steps on (through ``on_step``, e.g. to turn a block done into overall progress) and
    returning its result.  Every loop over steps in the engine goes through here, so that
    a cancel (closing the outer generator) always reaches the inner one.
    ``result = yield from drive(inner, on_step)``."""
    while True:
        try:
            step = next(steps)
        except StopIteration as done:
            return done.value
        yield step if on_step is None else on_step(step)  # type: ignore[misc]


def run_steps(steps: Generator[Progress, None, T], progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> T:
    """Drive a ``*_steps`` generator to its result: ``progress(done, total)`` after each
    step, ``cancelled()`` asked between steps (raising Cancelled when it says so)."""
    result: list[T] = []

    def finish() -> Generator[Progress, None, None]:
        result.append((yield from drive(steps)))

    for step in finish():
        if progress is not None and step is not None:
            progress(step.done, step.total)
        if cancelled is not None and cancelled():
            steps.close()
            raise Cancelled()
    return result[0]


def simulate(s: Scenario, paths: int | None = None, seed: int | None = None,
             progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> Results:
    """Run to completion; ``progress(done, total)`` after each block, ``cancelled()`` asked."""
    paths = s.settings.paths if paths is None else paths
    seed = s.settings.seed if seed is None else seed
    return run_steps(simulation_steps(s, paths, seed), progress, cancelled)
