"""Progress, cancelling and Monte Carlo error, shared by the decision tools."""
from __future__ import annotations

import math
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ...model.scenario import Contract, Scenario
from ..simulate import WORKERS, Progress, drive, run_steps

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = ["CancelledCallback", "Meter", "ProgressCallback", "applies", "decision_pool", "decision_steps", "drive",
           "paired_standard_error", "progress_during", "run_steps", "standard_error", "workspace_steps"]

T = TypeVar("T")

ProgressCallback = Callable[[int, int], None]  # progress(done, total)
CancelledCallback = Callable[[], bool]


@cache
def decision_pool() -> ThreadPoolExecutor:
    """Threads for evaluating several variants side by side (a goal seek's coarse pass).  Not
    the engine's pool: a variant's evaluation may hand its blocks to that one and wait, and
    a pool's task must never wait on its own pool."""
    return ThreadPoolExecutor(WORKERS, thread_name_prefix="charityrisk-decisions")


def applies(c: Contract, name: str) -> bool:
    """Whether contract input ``name`` means anything in ``c``'s payment mode: a rate card
    has no price, share at risk, success rate, target or cohorts; only a rate card has a fee
    and stages; a pooled target is all or nothing's, and only when it is set.  The decision
    tools vary only these (a term its mode does not read would show as no risk at all)."""
    if name == "pooled_target_success_rate" and c.pooled_target_success_rate is None:
        return False  # all or nothing reads it, but there is no pooled target to vary
    return c.reads(name)


def standard_error(p: float, paths: int) -> float:
    """Monte Carlo standard error of a share p estimated from ``paths`` futures."""
    return math.sqrt(max(p * (1 - p), 0.0) / paths)


def paired_standard_error(a: np.ndarray, b: np.ndarray) -> float:
    """Standard error of mean(a) - mean(b) for run-out flags of the same futures: with
    common random numbers it is much smaller than that of two independent runs."""
    d = a.astype(np.int8) - b.astype(np.int8)
    return float(np.std(d) / math.sqrt(d.size))


class Meter:
    """Progress in units of work (one contract simulated for one block of futures) against
    an estimated total; the total grows if the estimate was short, and the last report is
    done == total."""

    def __init__(self, total: int):
        self.total = max(1, int(total))
        self.done = 0

    def at(self, done: int) -> Progress:
        self.done = max(self.done, int(done))
        self.total = max(self.total, self.done)
        return Progress(self.done, self.total)

    def finished(self) -> Progress:
        self.done = self.total = max(self.total, self.done)
        return Progress(self.done, self.total)


def progress_during(steps: Generator[Any, None, T], ws: Workspace, meter: Meter) -> Generator[Progress, None, T]:
    """Run a Workspace generator, reporting its block simulations as progress."""
    return (yield from drive(steps, lambda _: meter.at(ws.block_simulations)))


def decision_steps(total: int, body: Callable[[Meter], Generator[Progress, None, T]]
                   ) -> Generator[Progress, None, T]:
    """The skeleton of every decision run: progress against ``total`` units of work (a
    Meter, whose total grows if the estimate was short), the body's steps, then one last
    report of done == total, so a progress bar always ends full."""
    meter = Meter(total)
    result = yield from body(meter)
    yield meter.finished()
    return result


def workspace_steps(s: Scenario, paths: int | None, seed: int | None, appetite: float | None,
                    work: Callable[[Workspace], int],
                    body: Callable[[Workspace, float, Meter], Generator[Progress, None, T]]
                    ) -> Generator[Progress, None, T]:
    """The skeleton of the runs on one Workspace (goal seeks, sensitivity, both): resolve
    the run's settings, build the base futures, then ``body(ws, appetite, meter)``;
    ``work(ws)`` estimates the body's block simulations, for progress."""
    from .workspace import Workspace, resolve_run

    paths, seed, appetite = resolve_run(s, paths, seed, appetite)
    ws = Workspace(s, paths, seed)

    def build_then_body(meter: Meter) -> Generator[Progress, None, T]:
        yield from progress_during(ws.build_steps(), ws, meter)
        return (yield from body(ws, appetite, meter))

    return (yield from decision_steps(ws.build_work() + work(ws), build_then_body))
