"""The Monte Carlo run: futures simulated in blocks, summarised into Results.

Futures are simulated in blocks of BLOCK; each block draws from its own random streams, so
the numbers depend only on the scenario, the number of futures and the seed, never on how
the work is split, and memory stays bounded whatever the number of futures.  Each block is
a progress report and a cancel point (``simulation_steps`` is a generator).
"""
from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TypeVar

import numpy as np

from ..model.scenario import MAX_PATHS, Scenario
from ..model.validation import ScenarioError
from .budget import budget_parts, org_net_flows
from .cashflow import contract_flows
from .drivers import DriverInput, bad_sides, driver_inputs, summarise_drivers
from .ranks import percentiles_by_row
from .results import PERCENTILES, BaselineResults, Results, contract_effect
from .sampling import ORG_INCOME, FutureDraws

BLOCK = 5_000
# numpy's random draws and array passes release the GIL, so blocks run well on threads;
# results do not depend on it because each block has its own random streams.
WORKERS = max(1, min(4, os.cpu_count() or 1))
# Balance percentiles by month are of every future run (docs/model.md, results), so every closing
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
FLOW_KEYS = ("income", "costs", "contract_receipts", "contract_costs", "interest")
# A block's sums by month also hold the baseline's interest (its mean balance needs it), in
# this row after FLOW_KEYS; it is not one of the flows reported.
BASELINE_INTEREST = len(FLOW_KEYS)
# Below this many balances a set's percentiles are sorted on the calling thread, every month
# in one call: handing a few small sorts to other threads, or sorting month by month, cost
# more than the sorts (the app's 2,000-future first answer was 4 ms slower for the threads).
PARALLEL_SORT_CELLS = 500_000
# The months' percentiles are worked out this many months at a time per thread.  When a
# run's balances are kept in more than one array (a precision run that grew), those months
# of every future are first gathered into one array of this many rows.
MONTHS_GATHERED = 8
# A precision run does not know how many futures it will keep: its balances go into arrays
# of this many blocks at first, each later one as large as all before it (so a run that
# stops early never holds room for its cap, and a long one has a handful of arrays).
FIRST_KEPT_BLOCKS = 4


@cache
def _pool() -> ThreadPoolExecutor:
    """The engine's worker threads, made once and kept: starting them afresh for every run
    cost a 10,000-future run several milliseconds.  Its tasks never wait on the pool
    themselves, so runs side by side (the app's decision tools) share it safely."""
    return ThreadPoolExecutor(WORKERS, thread_name_prefix="charityrisk-engine")


class Cancelled(Exception):
    """The run was cancelled between blocks."""


class ResultsOverflow(ScenarioError):
    """Some futures' money overflowed (inf or NaN): the inputs are too large to simulate.

    A ScenarioError, so the command line answers it like any bad value (one line, exit 2)."""

    def __init__(self) -> None:
        super().__init__(["scenario: the money in some simulated futures is too large to "
                          "compute (it overflows); check the amounts and referral numbers for "
                          "a slip such as extra zeros"])


def check_finite(b: Block) -> None:
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
    # (FLOW_KEYS + 1, horizon) the block's sums over futures of each month's FLOW_KEYS, costs
    # and interest positive, then the baseline's interest (BASELINE_INTEREST)
    flows: np.ndarray
    # (futures, horizon) closing balances without the contracts; None when there are none
    # (then they are ``balances``)
    baseline: np.ndarray | None = None
    # (entries, futures) where each future is on the bad side of each run_out_drivers entry
    bad: np.ndarray | None = None
    # (futures,) each future's overdraft interest over the horizon, with the contracts and
    # without them (version 3); None without interest
    interest: np.ndarray | None = None
    baseline_interest: np.ndarray | None = None

    @property
    def baseline_balances(self) -> np.ndarray:
        return self.balances if self.baseline is None else self.baseline


def simulate_block(s: Scenario, n: int, seed: int, block: int,
                   out: np.ndarray | None = None, baseline_out: np.ndarray | None = None) -> Block:
    """Closing balances of n futures; the block number picks the random streams.

    ``out`` and ``baseline_out``, float64 (horizon, n) months first, if given, are where the
    closing balances with and without the contracts are written (the run's kept arrays:
    see ``_Tally.room``); the Block's balances are then their (futures, horizon) views."""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked: check_finite
        return _simulate_block(s, n, seed, block, out, baseline_out)


def _simulate_block(s: Scenario, n: int, seed: int, block: int,
                    out: np.ndarray | None, baseline_out: np.ndarray | None) -> Block:
    org = s.organisation
    horizon = s.horizon_months
    draws = FutureDraws(seed, block, n, s.correlation, s.settings.sampling)
    draws.record = {}  # for run_out_drivers: every once-per-future draw, as drawn
    income = draws.value(org.monthly_other_income, 0, ORG_INCOME)
    totals = np.zeros((len(FLOW_KEYS) + 1, horizon))
    totals[0] = income.sum()
    totals[1] = n * org.monthly_core_costs
    parts = budget_parts(org.budget, draws, horizon)
    if parts:
        net = org_net_flows(income - org.monthly_core_costs, parts)
        for kind, part in parts.items():
            totals[0 if kind == "income" else 1] += part.total_by_month()
    else:  # version 1's own arithmetic, so its results stay bit for bit
        net = np.repeat((income - org.monthly_core_costs)[:, None], horizon, axis=1)
    rate = org.overdraft_interest_per_year
    baseline = None
    interest = np.zeros(n) if rate > 0 else None
    baseline_interest = np.zeros(n) if rate > 0 and s.contracts else None
    if s.contracts:
        baseline = closing_balances(org.opening_reserves, net,  # net is kept
                                    out=np.empty_like(net) if baseline_out is None else baseline_out.T)
        if rate > 0:
            totals[BASELINE_INTEREST] = charge_interest(org.opening_reserves, baseline, rate,
                                                        baseline_interest)
    owed = np.zeros(n)
    margins = np.zeros((n, len(s.contracts)))
    for i, c in enumerate(s.contracts):
        flows = contract_flows(c, i, n, horizon, seed, block, draws)
        receipts, costs = flows.receipts, flows.costs
        months = flows.months  # after them the contract has no flows
        owed += flows.owed
        totals[2, :months] += receipts.sum(axis=0)
        totals[3, :months] += costs.sum(axis=0)
        margins[:, i] = receipts.sum(axis=1) - costs.sum(axis=1)
        net[:, :months] += np.subtract(receipts, costs, out=receipts)  # receipts are done with
    balances = closing_balances(org.opening_reserves, net, out=None if out is None else out.T)
    if rate > 0:
        totals[FLOW_KEYS.index("interest")] = charge_interest(org.opening_reserves, balances, rate,
                                                              interest)
        if baseline is None:
            totals[BASELINE_INTEREST] = totals[FLOW_KEYS.index("interest")]
            baseline_interest = interest
    bad = bad_sides(_driver_inputs(s), draws.record, n)
    return Block(balances, owed, margins, totals, baseline, bad, interest, baseline_interest)


def _driver_inputs(s: Scenario) -> list[DriverInput]:
    # Worked out once per scenario, not per block (the thresholds are PERT quantiles).
    return _driver_inputs_cached(s)


@lru_cache(maxsize=16)
def _driver_inputs_cached(s: Scenario) -> list[DriverInput]:
    return driver_inputs(s)


def closing_balances(opening: float, net: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Opening reserves plus the running sum of each future's net flows, in ``out`` (by
    default in place of net)."""
    out = net if out is None else out
    np.cumsum(net, axis=1, out=out)
    out += opening
    return out


def charge_interest(opening: float, balances: np.ndarray, rate: float,
                    per_future: np.ndarray | None = None) -> np.ndarray:
    """Overdraft interest (version 3), in place: ``balances`` (futures, months) are closing
    balances without interest; each month t is charged max(0, -B_(t-1)) x rate / 12 on the
    previous month's closing balance (B_0 the opening reserves), which compounds because the
    interest is in that balance, and goes on after a future has run out.  Returns the sum
    over futures of each month's interest, (months,); ``per_future`` (futures,), if given,
    has each future's interest over the months added to it.

    A future whose balance without interest never closes a month below zero (before its
    last) pays none, and a future's balances are unchanged up to its first month below
    zero: only the futures that go below zero are stepped through, month by month from the
    earliest such month, as arrays over those futures."""
    n, months = balances.shape
    paid = np.zeros(months)
    monthly = rate / 12
    if opening < 0:
        rows = np.arange(n)
        first = 0
    else:
        if months < 2:
            return paid
        negative = balances[:, :-1] < 0
        rows = np.flatnonzero(negative.any(axis=1))
        if rows.size == 0:
            return paid
        first = int(negative[rows].argmax(axis=1).min()) + 1  # the first month charged
    # Months first, so that each step reads and writes one contiguous row of futures.
    part = np.ascontiguousarray(balances[rows].T)  # (months, futures charged), a copy
    if first > 0:
        net = np.diff(part[first - 1:], axis=0)
        previous = part[first - 1].copy()
    else:
        net = np.diff(part, axis=0, prepend=np.full((1, rows.size), float(opening)))
        previous = np.full(rows.size, float(opening))
    interest = np.empty(rows.size)
    total = np.zeros(rows.size) if per_future is not None else None
    for t in range(first, months):
        np.minimum(previous, 0.0, out=interest)
        interest *= -monthly
        paid[t] = interest.sum()
        if total is not None:
            total += interest
        previous += net[t - first]
        previous -= interest
        part[t] = previous
    balances[rows] = part.T
    if per_future is not None and total is not None:
        per_future[rows] += total
    return paid


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


@dataclass(frozen=True)
class Tallied:
    """One block's per-future figures of one set of balances, computed in the block's worker
    thread (numpy releases the lock, so the blocks' tallies run side by side)."""
    months_out: np.ndarray  # (futures,) first month run out, 0 = never
    lowest: np.ndarray  # (futures,)
    below_floor: np.ndarray  # (futures,) bool


def tally(balances: np.ndarray, overdraft: float, floor: float) -> Tallied:
    return Tallied(run_out_month(balances, overdraft), balances.min(axis=1),
                   np.asarray(below(balances, floor).any(axis=1)))


@dataclass(frozen=True)
class TalliedBlock:
    block: Block
    with_contracts: Tallied
    baseline: Tallied | None  # None when there are no contracts
    # run_out_drivers: per entry, the futures on its bad side, and those of them that ran out
    bad: np.ndarray | None = None
    bad_run_out: np.ndarray | None = None


Rooms = tuple[np.ndarray, "np.ndarray | None"]  # where a block's balances are kept: _Tally.room


def simulate_and_tally(s: Scenario, n: int, seed: int, block: int, rooms: Rooms) -> TalliedBlock:
    """Simulate a block and tally it, its balances kept in ``rooms`` (with the contracts,
    and without them when there are contracts)."""
    room, baseline_room = rooms
    exact = room.dtype == np.float64  # then the block writes its balances there itself
    b = simulate_block(s, n, seed, block, *((room, baseline_room) if exact else (None, None)))
    check_finite(b)
    org = s.organisation

    def of(balances: np.ndarray, kept: np.ndarray | None) -> Tallied:
        if not exact and kept is not None:
            kept[...] = balances.T  # rounded to float32 (kept_dtype)
        return tally(balances, org.overdraft_facility, org.reserves_floor)
    with_contracts = of(b.balances, room)
    bad = bad_run_out = None
    if b.bad is not None:
        bad = np.count_nonzero(b.bad, axis=1)
        bad_run_out = np.count_nonzero(b.bad & (with_contracts.months_out > 0)[None, :], axis=1)
    baseline = of(b.baseline, baseline_room) if b.baseline is not None else None
    return TalliedBlock(b, with_contracts, baseline, bad, bad_run_out)


class _Tally:
    """Per-future figures of one set of balances (with or without the contracts), kept block
    by block (so that a run of unknown length, ``precision_steps``, can grow), and the few
    that are summed.

    Every future's closing balances are kept months first, in one array for an ordinary run
    (a precision run: a few, see FIRST_KEPT_BLOCKS), which the blocks write into as they
    are simulated.  One large array rather than an array a block: the operating system
    gives it in large pages, and taking the kept memory in 4 KB pages was a sixth of a
    100,000-future run's CPU time (its page faults).  Months first, so that each month's
    percentiles read one contiguous row, in place."""

    def __init__(self, horizon: int, keep: type[np.floating], capacity: int, grows: bool) -> None:
        self.horizon = horizon
        self.keep = keep  # the dtype the balances are kept in
        self.capacity = capacity  # the most futures the run may have
        self.grows = grows  # a precision run: room is taken as it goes
        self.paths = 0
        self.months_out: list[np.ndarray] = []
        self.lowest: list[np.ndarray] = []
        self.below_floor: list[np.ndarray] = []
        self.kept: list[np.ndarray] = []  # (horizon, futures) each: months first
        self.room_for = 0  # futures the kept arrays have room for
        self.runs_out = 0  # futures run out so far
        self._percentiles: dict[str, np.ndarray] | None = None

    def room(self, first: int, n: int) -> np.ndarray:
        """(horizon, n): where futures first to first + n - 1 are kept.  Asked in order of
        ``first``; a block never straddles two arrays (their sizes are whole blocks)."""
        if first + n > self.room_for:
            size = self.capacity - self.room_for
            if self.grows:
                size = min(size, max(FIRST_KEPT_BLOCKS * BLOCK, self.room_for))
            self.kept.append(np.empty((self.horizon, size), dtype=self.keep))
            self.room_for += size
        start = first - (self.room_for - self.kept[-1].shape[1])
        return self.kept[-1][:, start:start + n]

    def add(self, t: Tallied) -> None:
        self.months_out.append(t.months_out)
        self.runs_out += int(np.count_nonzero(t.months_out))
        self.lowest.append(t.lowest)
        self.below_floor.append(t.below_floor)
        self.paths += t.lowest.size

    def finish(self) -> None:
        """Join the per-future figures (not the balances: percentiles read them by month)."""
        self.months_out = [np.concatenate(self.months_out)]
        self.lowest = [np.concatenate(self.lowest)]
        self.below_floor = [np.concatenate(self.below_floor)]

    @property
    def run_out_months(self) -> np.ndarray:
        return self.months_out[0]

    @property
    def lowest_balances(self) -> np.ndarray:
        return self.lowest[0]

    def p_run_out(self) -> float:
        return float(np.mean(self.run_out_months > 0))

    def by_month(self, horizon: int) -> np.ndarray:
        return np.cumsum(np.bincount(self.run_out_months, minlength=horizon + 1)[1:]) / self.paths

    def working_capital_needed_95(self, overdraft: float) -> float:
        return float(np.percentile(shortfall(self.lowest_balances, overdraft), 95))

    def _kept_months(self, run: range) -> np.ndarray:
        """Those months of every future run, (months, futures): the kept array's own rows
        when there is one (reordered in place by the percentiles), else gathered."""
        used, left = [], self.paths
        for kept in self.kept:
            used.append(kept[run.start:run.stop, :min(left, kept.shape[1])])
            left -= used[-1].shape[1]
        return used[0] if len(used) == 1 else np.concatenate(used, axis=1)

    def balance_percentiles(self) -> dict[str, np.ndarray]:
        """Each month's percentiles of every future's balance, MONTHS_GATHERED months at a
        time, shared among WORKERS threads (numpy selects without the interpreter lock).
        Worked out once: the kept balances are reordered within each month as it goes."""
        if self._percentiles is not None:
            return self._percentiles
        out = np.empty((len(PERCENTILES), self.horizon))
        runs = [range(m, min(m + MONTHS_GATHERED, self.horizon))
                for m in range(0, self.horizon, MONTHS_GATHERED)]

        def months(worker: int) -> None:
            for run in runs[worker::WORKERS]:
                out[:, run.start:run.stop] = percentiles_by_row(self._kept_months(run), PERCENTILES)

        if self.paths * self.horizon < PARALLEL_SORT_CELLS:  # small: every month in one sort
            out = percentiles_by_row(self._kept_months(range(self.horizon)), PERCENTILES)
        elif WORKERS == 1 or len(runs) < 2:
            for worker in range(WORKERS):
                months(worker)
        else:
            list(_pool().map(months, range(WORKERS)))  # list(): a worker's exception is raised here
        self._percentiles = dict(zip(map(str, PERCENTILES), out))
        return self._percentiles

    def lowest_percentiles(self) -> dict[str, float]:
        return {str(q): float(v) for q, v in zip(PERCENTILES, np.percentile(self.lowest_balances, PERCENTILES))}

def kept_dtype(balances: int) -> type[np.floating]:
    """float64 while every balance the run may keep fits EXACT_BALANCE_BYTES, else float32.
    Decided from the most futures the run may have (a precision run's cap), not as it grows:
    switching part-way would hold both copies at once."""
    return np.float64 if balances * 8 <= EXACT_BALANCE_BYTES else np.float32


def _blocks(s: Scenario, paths: int, seed: int, rooms: Callable[[int, int], Rooms]
            ) -> Generator[tuple[int, TalliedBlock], None, None]:
    """(first future, block) in order, computed up to WORKERS blocks ahead; ``rooms(first,
    n)`` says where a block's balances are kept."""
    def task(block: int, first: int) -> tuple:
        n = min(BLOCK, paths - first)
        return s, n, seed, block, rooms(first, n)

    if WORKERS == 1 or paths <= BLOCK:
        for block, first in enumerate(range(0, paths, BLOCK)):
            yield first, simulate_and_tally(*task(block, first))
        return
    pool = _pool()
    pending: deque = deque()
    try:
        for block, first in enumerate(range(0, paths, BLOCK)):
            pending.append((first, pool.submit(simulate_and_tally, *task(block, first))))
            if len(pending) >= WORKERS:
                first_done, future = pending.popleft()
                yield first_done, future.result()
        while pending:
            first_done, future = pending.popleft()
            yield first_done, future.result()
    finally:  # also on cancel: drop this run's blocks not started, wait for the few running
        for _, future in pending:
            future.cancel()
        wait([future for _, future in pending])


def simulation_steps(s: Scenario, paths: int, seed: int, precision: float | None = None
                     ) -> Generator[Progress, None, Results]:
    """Yield progress after each block; return the Results (StopIteration.value).

    With a ``precision`` (the half-width wanted of the 95% interval of the chance of running
    out, e.g. 0.005 for +/-0.5 points), ``paths`` is the most futures to run: blocks are
    added until the Wilson interval is that narrow (checked after each block) or ``paths``
    futures have run.  The futures stop at a whole block, so the same scenario, seed and
    number of futures reproduce the figures with an ordinary run."""
    if paths < 1:
        raise ValueError("paths: must be at least 1")
    if seed < 0:
        raise ValueError("seed: must be 0 or more")
    if precision is not None and not 0 < precision < 1:
        raise ValueError("precision: must be above 0 and below 1")
    horizon = s.horizon_months
    keep = kept_dtype(paths * horizon * (2 if s.contracts else 1))
    grows = precision is not None
    tally = _Tally(horizon, keep, paths, grows)
    baseline = _Tally(horizon, keep, paths, grows) if s.contracts else tally
    owed: list[np.ndarray] = []
    interest: list[np.ndarray] = []  # each block's per-future interest (version 3)
    baseline_interest: list[np.ndarray] = []
    margin_sum = np.zeros(len(s.contracts))
    flow_sum = np.zeros((len(FLOW_KEYS) + 1, horizon))
    inputs = _driver_inputs(s)
    bad_sum = np.zeros(len(inputs), dtype=np.int64)
    bad_run_out_sum = np.zeros(len(inputs), dtype=np.int64)
    def rooms(first: int, n: int) -> Rooms:
        return tally.room(first, n), baseline.room(first, n) if baseline is not tally else None
    blocks = _blocks(s, paths, seed, rooms)
    try:
        for first, tb in blocks:
            b = tb.block
            n = b.owed.size
            tally.add(tb.with_contracts)
            if tb.baseline is not None:
                baseline.add(tb.baseline)
            owed.append(b.owed)
            if b.interest is not None:
                interest.append(b.interest)
            if b.baseline_interest is not None:
                baseline_interest.append(b.baseline_interest)
            margin_sum += b.margins.sum(axis=0)
            flow_sum += b.flows
            if tb.bad is not None and tb.bad_run_out is not None:
                bad_sum += tb.bad
                bad_run_out_sum += tb.bad_run_out
            done = first + n
            if precision is None:
                yield Progress(done, paths)
                continue
            reached = wilson_half_width(tally.runs_out, done)
            if reached <= precision:
                yield Progress(done, done)
                break
            yield Progress(done, min(paths, max(done + n, futures_for(precision, tally.runs_out / done))))
    finally:
        blocks.close()  # stopping early: drop the blocks computed ahead
    done = tally.paths
    tally.finish()
    if baseline is not tally:
        baseline.finish()
    drivers = summarise_drivers(inputs, bad_sum, bad_run_out_sum, done, tally.runs_out)
    return summarise(s, done, seed, tally, baseline, np.concatenate(owed), margin_sum / done,
                     flow_sum / done, precision, drivers,
                     _percentile_95(interest), _percentile_95(baseline_interest))


def _percentile_95(blocks: list[np.ndarray]) -> float | None:
    """The 95th percentile of per-future figures kept block by block; None if none were."""
    return float(np.percentile(np.concatenate(blocks), 95)) if blocks else None


Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson_interval(runs_out: int, paths: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a share runs_out / paths (95% by default): unlike
    p +/- z.se it is not zero wide when no future, or every future, runs out."""
    p = runs_out / paths
    z2n = z * z / paths
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / paths + z2n / (4 * paths))
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_half_width(runs_out: int, paths: int) -> float:
    lo, hi = wilson_interval(runs_out, paths)
    return (hi - lo) / 2


def futures_for(precision: float, p: float) -> int:
    """About how many futures put the 95% interval within +/-precision at a share p."""
    p = min(max(p, 0.0), 1.0)
    return math.ceil(Z95 * Z95 * max(p * (1 - p), precision) / precision ** 2)


def mean_balances(s: Scenario, mean_flows: np.ndarray, with_contracts: bool) -> np.ndarray:
    """Opening reserves plus the running sum of the mean flows (docs/model.md's definition),
    interest subtracted (the baseline's own interest without the contracts)."""
    net = mean_flows[0] - mean_flows[1]
    if with_contracts:
        net = net + mean_flows[2] - mean_flows[3] - mean_flows[FLOW_KEYS.index("interest")]
    else:
        net = net - mean_flows[BASELINE_INTEREST]
    return s.organisation.opening_reserves + np.cumsum(net)


def _baseline_results(s: Scenario, t: _Tally, mean_flows: np.ndarray) -> BaselineResults:
    p = t.p_run_out()
    paths = t.paths
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
              owed: np.ndarray, margins: np.ndarray, mean_flows: np.ndarray,
              precision: float | None = None, drivers: list | None = None,
              interest_95: float | None = None, baseline_interest_95: float | None = None) -> Results:
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
        run_out_month=tally.run_out_months,
        lowest_balance=tally.lowest_balances,
        balance_sample_paths=paths,
        mean_balance_by_month=mean_balances(s, mean_flows, with_contracts=True),
        mean_flows_by_month=dict(zip(FLOW_KEYS, mean_flows[:len(FLOW_KEYS)])),
        baseline=_baseline_results(s, baseline, mean_flows),
        p_run_out_interval=wilson_interval(tally.runs_out, paths),
        precision_wanted=precision,
        run_out_drivers=drivers,
        contract_effect=(contract_effect(tally.run_out_months, baseline.run_out_months)
                         if s.contracts else None),
        interest_95=interest_95,
        baseline_interest_95=baseline_interest_95,
        baseline_interest_mean=(float(mean_flows[BASELINE_INTEREST].sum())
                                if s.organisation.overdraft_interest_per_year > 0 else None),
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
             cancelled: Callable[[], bool] | None = None, precision: float | None = None) -> Results:
    """Run to completion; ``progress(done, total)`` after each block, ``cancelled()`` asked.

    ``precision``: run until the chance of running out is known to within +/- this (95%),
    with ``paths`` (default MAX_PATHS) the most futures to run; see ``simulation_steps``."""
    if paths is None:
        paths = s.settings.paths if precision is None else MAX_PATHS
    seed = s.settings.seed if seed is None else seed
    return run_steps(simulation_steps(s, paths, seed, precision), progress, cancelled)
