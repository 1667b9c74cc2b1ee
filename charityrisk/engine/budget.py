"""The organisation's own budget lines (docs/model.md, version 2), over a chunk of futures.

A line's payments are its amount (drawn once per future) times a fixed schedule of
multipliers by month: the growth factor in the months it falls in, 0 elsewhere.  So all
the lines of one kind together are one matrix product, (futures, lines) @ (lines, months),
with no loop over futures or months.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # an environment set up before it was a dependency: slower, same figures
    threadpool_limits = None

from ..model.scenario import BudgetLine
from . import sampling
from .sampling import FutureDraws


def line_schedule(line: BudgetLine, horizon: int) -> np.ndarray:
    """(horizon,) the multiplier of the line's amount in each month: (1 + growth) ^ whole
    years since its start month in start, start + every, ... up to its end month, else 0.
    A line with a monthly pattern (version 3) multiplies its scale: the pattern's entry for
    the month (repeating after its last) times the same growth factor."""
    months = np.arange(line.start_month, line.last_month(horizon) + 1, line.every_months)
    out = np.zeros(horizon)
    out[months - 1] = line.growth(months)
    if line.monthly_amounts is not None:
        pattern = np.asarray(line.monthly_amounts)
        out[months - 1] *= pattern[(months - line.start_month) % pattern.size]
    return out


@dataclass(frozen=True)
class BudgetPart:
    """The lines of one kind: each future's amount per line, and each line's schedule."""

    amounts: np.ndarray  # (futures, lines): 0 in a future where the line does not happen
    schedule: np.ndarray  # (lines, horizon)

    def flows(self) -> np.ndarray:
        """(futures, horizon) each future's money from these lines in each month."""
        return self.amounts @ self.schedule

    def total_by_month(self) -> np.ndarray:
        """(horizon,) the sum over futures of each month's money, without forming flows()."""
        return self.amounts.sum(axis=0) @ self.schedule


@cache
def one_blas_thread() -> None:
    """Keep the matrix products (OpenBLAS) to the thread that asks for them, for the whole
    process.  The engine already runs its blocks on its own threads, one a core; OpenBLAS's
    threads on top of them spin waiting for work, and on 2 cores that cost a 100,000-future
    run with 20 budget lines 1.6 s of CPU for 0.03 s of products (benchmarks/engine.py).
    The products' figures do not change: each element is summed in the same order."""
    if threadpool_limits is not None:
        threadpool_limits(1, user_api="blas")


def org_net_flows(core_net: np.ndarray, parts: dict[str, BudgetPart]) -> np.ndarray:
    """(futures, horizon) other income less core costs plus income lines less cost lines, as
    one matrix product (the monthly net as a line of its own that falls every month)."""
    one_blas_thread()
    horizon = next(iter(parts.values())).schedule.shape[1]
    amounts = [core_net[:, None]]
    schedules = [np.ones((1, horizon))]
    for kind, part in parts.items():
        amounts.append(part.amounts if kind == "income" else -part.amounts)
        schedules.append(part.schedule)
    return np.concatenate(amounts, axis=1) @ np.concatenate(schedules)


def budget_parts(lines: Sequence[BudgetLine], draws: FutureDraws,
                 horizon: int) -> dict[str, BudgetPart]:
    """"income" and "cost" parts, for the kinds that have lines."""
    chosen: dict[str, tuple[list, list]] = {}
    for line, key in zip(lines, sampling.budget_line_keys(lines)):
        cost = line.kind == "cost"
        # A pattern line draws its scale where another line draws its amount (it has no
        # amount): income-like for income, cost-like for a cost, in the same stream.
        drawn = line.amount if line.monthly_amounts is None else line.scale
        amount = draws.value(drawn, 0, sampling.BUDGET_LINE, *key, sampling.LINE_AMOUNT, cost_like=cost)
        happens = draws.line_happens(line.probability, 0, sampling.BUDGET_LINE, *key,
                                     sampling.LINE_HAPPENS, cost_like=cost)
        amounts, schedules = chosen.setdefault(line.kind, ([], []))
        amounts.append(np.where(happens, amount, 0.0))
        schedules.append(line_schedule(line, horizon))
    return {kind: BudgetPart(np.stack(a, axis=1), np.stack(s)) for kind, (a, s) in chosen.items()}
