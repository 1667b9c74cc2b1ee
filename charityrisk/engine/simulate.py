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
from . import sampling
from .cashflow import contract_flows
from .results import PERCENTILES, Results

BLOCK = 5_000
# numpy's random draws and array passes release the GIL, so blocks run well on threads;
# results do not depend on it because each block has its own random streams.
WORKERS = max(1, min(4, os.cpu_count() or 1))
# Balance percentiles by month come from the first this-many futures (exact below it):
# keeping every balance of 1,000,000 futures x 120 months would need about 1 GB, and
# sorting 100,000 x 120 balances costs more than simulating them.  25,000 futures put the
# 5th percentile within about 0.3 percentile points.
BALANCE_SAMPLE_CAP = 25_000


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
            and np.isfinite(b.margins).all()):
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


def simulate_block(s: Scenario, n: int, seed: int, block: int) -> Block:
    """Closing balances of n futures; the block number picks the random streams."""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked: check_finite
        return _simulate_block(s, n, seed, block)


def _simulate_block(s: Scenario, n: int, seed: int, block: int) -> Block:
    org = s.organisation
    horizon = s.horizon_months
    income = sampling.pert(sampling.stream(seed, block, 0, sampling.ORG_INCOME), org.monthly_other_income, n)
    net = np.repeat((income - org.monthly_core_costs)[:, None], horizon, axis=1)
    owed = np.zeros(n)
    margins = np.zeros((n, len(s.contracts)))
    for i, c in enumerate(s.contracts):
        flows = contract_flows(c, i, n, horizon, seed, block)
        net += flows.receipts - flows.costs
        owed += flows.owed
        margins[:, i] = flows.receipts.sum(axis=1) - flows.costs.sum(axis=1)
    return Block(org.opening_reserves + np.cumsum(net, axis=1), owed, margins)


def run_out_month(balances: np.ndarray, overdraft: float) -> np.ndarray:
    """First 1-based month whose closing balance is below minus the overdraft; 0 = never."""
    out = balances < -overdraft
    return np.where(out.any(axis=1), out.argmax(axis=1) + 1, 0).astype(np.int16)


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
    months_out = np.zeros(paths, dtype=np.int16)
    lowest = np.empty(paths)
    below_floor = np.zeros(paths, dtype=bool)
    owed = np.empty(paths)
    margin_sum = np.zeros(len(s.contracts))
    sample = np.empty((horizon, min(paths, BALANCE_SAMPLE_CAP)))  # months first: fast percentiles
    for first, b in _blocks(s, paths, seed):
        check_finite(b)
        n = b.owed.size
        rows = slice(first, first + n)
        months_out[rows] = run_out_month(b.balances, org.overdraft_facility)
        lowest[rows] = b.balances.min(axis=1)
        below_floor[rows] = (b.balances < org.reserves_floor).any(axis=1)
        owed[rows] = b.owed
        margin_sum += b.margins.sum(axis=0)
        if first < sample.shape[1]:
            keep = min(n, sample.shape[1] - first)
            sample[:, first:first + keep] = b.balances[:keep].T
        yield Progress(first + n, paths)
    return summarise(s, paths, seed, months_out, lowest, below_floor, owed, margin_sum / paths, sample)


def summarise(s: Scenario, paths: int, seed: int, months_out: np.ndarray, lowest: np.ndarray,
              below_floor: np.ndarray, owed: np.ndarray, margins: np.ndarray,
              sample: np.ndarray) -> Results:
    horizon = s.horizon_months
    p = float(np.mean(months_out > 0))
    by_month = np.cumsum(np.bincount(months_out, minlength=horizon + 1)[1:]) / paths
    shortfall = np.maximum(0.0, -s.organisation.overdraft_facility - lowest)
    return Results(
        paths=paths,
        seed=seed,
        horizon_months=horizon,
        p_run_out=p,
        p_run_out_se=float(np.sqrt(p * (1 - p) / paths)),
        p_run_out_by_month=by_month,
        p_below_floor=float(np.mean(below_floor)),
        balance_percentiles=dict(zip(map(str, PERCENTILES), np.percentile(sample, PERCENTILES, axis=1))),
        lowest_balance_percentiles={str(q): float(v) for q, v in zip(PERCENTILES, np.percentile(lowest, PERCENTILES))},
        working_capital_needed_95=float(np.percentile(shortfall, 95)),
        expected_owed_after_horizon=float(np.mean(owed)),
        contract_names=tuple(c.name for c in s.contracts),
        contract_margin=margins,
        run_out_month=months_out,
        lowest_balance=lowest,
        balance_sample_paths=sample.shape[1],
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
