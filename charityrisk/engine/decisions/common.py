"""Progress, cancelling and Monte Carlo error, shared by the decision tools."""
from __future__ import annotations

import math
from typing import Callable, Generator

import numpy as np

from ..simulate import Progress, run_steps

__all__ = ["CancelledCallback", "Meter", "ProgressCallback", "paired_standard_error",
           "progress_during", "run_steps", "standard_error"]

ProgressCallback = Callable[[int, int], None]  # progress(done, total)
CancelledCallback = Callable[[], bool]


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


def progress_during(steps: Generator, ws, meter: Meter) -> Generator[Progress, None, object]:
    """Run a Workspace generator, reporting its block simulations as progress."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
        yield meter.at(ws.block_simulations)
