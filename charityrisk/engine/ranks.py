"""Each month's percentiles of every future's balance, exactly as numpy.percentile gives them.

A percentile is read from two order statistics (the values at two neighbouring ranks, as a
sort would place them) and interpolated between them as numpy does, term for term.  Below
SELECT_FROM futures the ranks come from a sort.  From it they are selected by counting:

1. each value is given a bin by a rising function of its value (where it lies between the
   row's least and greatest, in BINS equal steps), so every value in a lower bin is smaller
   than every value in a higher one;
2. counting the values in each bin tells which bin holds each rank wanted, and that rank's
   place among the values of the bins wanted;
3. only those few bins' values (a few hundredths of them) are put in order (np.partition).

The values at the ranks are the values a sort puts there, so the percentiles are the same
bit for bit (tests/test_ranks.py checks this against np.sort on rows built to be awkward:
ties, one value, outliers, float32).  On the example's balances, 100,000 futures a month,
it took a fifth of the time of np.partition on the ranks (benchmarks/percentiles.py).
"""
from __future__ import annotations

import numpy as np

# From this many futures a month's ranks are selected by counting, below it sorted: at 2,000
# futures the sort is as quick (benchmarks/percentiles.py).
SELECT_FROM = 5_000
# Steps between a row's least and greatest value: more make the bins wanted smaller (fewer
# values to put in order) and the counts longer to add up.
BINS = 2048


def order_statistics(a: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """(rows, len(ranks)): each row of ``a`` at the 0-based ``ranks`` (sorted, unique), the
    values a sort of the row puts there.  Below SELECT_FROM columns ``a`` is sorted in place;
    from it ``a`` is left as it is."""
    if a.shape[1] < SELECT_FROM:
        a.sort(axis=1)
        return a[:, ranks]
    work = Work(a.shape[1], a.dtype)
    return np.stack([row_at_ranks(row, ranks, work) for row in a])


class Work:
    """Room for counting one row, kept for the next: a month's temporaries taken afresh
    each time were most of the selection's time (each is larger than the allocator keeps
    for reuse, so each was new memory from the system)."""

    def __init__(self, n: int, dtype: np.dtype) -> None:
        self.step = np.empty(n, dtype=dtype)
        self.bins = np.empty(n, dtype=np.intp)
        self.chosen = np.empty(n, dtype=bool)


def row_at_ranks(x: np.ndarray, ranks: np.ndarray, work: Work | None = None) -> np.ndarray:
    """The values at ``ranks`` of one row, selected by counting (the module's steps 1-3)."""
    lo, hi = x.min(), x.max()
    span = float(hi) - float(lo)  # Python floats: inf, not an overflow warning
    if span == 0:
        return np.full(ranks.size, lo)
    largest = float(np.finfo(x.dtype).max)
    if not (span <= largest and (BINS - 1) / span <= largest):
        return np.partition(x, ranks)[ranks]  # too wide, or too narrow, to step in x's precision
    work = Work(x.size, x.dtype) if work is None else work
    # In x's own precision, rising with x as the bins must; the greatest value comes to
    # BINS - 1 times at most three roundings up, which truncate to BINS - 1.
    np.multiply(np.subtract(x, lo, out=work.step), (BINS - 1) / span, out=work.step)
    np.copyto(work.bins, work.step, casting="unsafe")  # truncated, as astype(np.intp) does
    counts = np.bincount(work.bins, minlength=BINS)
    ends = np.cumsum(counts)  # values in this bin and those below it
    holding = np.searchsorted(ends, ranks, side="right")  # the bin each rank is in
    wanted = np.zeros(BINS, dtype=bool)
    wanted[holding] = True
    few = x[np.take(wanted, work.bins, out=work.chosen)]  # the wanted bins' values
    wanted_before = np.cumsum(np.where(wanted, counts, 0)) - counts  # wanted values in lower bins
    place = ranks - (ends - counts)[holding] + wanted_before[holding]
    few.partition(np.unique(place))
    return few[place]


def percentiles_by_row(a: np.ndarray, qs: tuple[int, ...]) -> np.ndarray:
    """numpy.percentile(a, qs, axis=1) (its default, linear method); may reorder ``a`` in
    place (see order_statistics).  Only the order statistics are widened to float64, so the
    interpolation is numpy's own in float64 and a float64 ``a`` gives numpy.percentile's
    answer bit for bit."""
    n = a.shape[1]
    at = np.asarray(qs, dtype=np.float64) / 100 * (n - 1)
    lower = np.floor(at).astype(np.intp)
    upper = np.minimum(lower + 1, n - 1)
    ranks = np.unique(np.concatenate([lower, upper]))
    values = order_statistics(a, ranks).astype(np.float64)
    low = values[:, np.searchsorted(ranks, lower)].T
    high = values[:, np.searchsorted(ranks, upper)].T
    return lerp(low, high, (at - lower)[:, None])


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy.percentile's linear interpolation, term for term (numpy's ``_lerp``), so a
    float64 answer is bit for bit numpy's."""
    diff = b - a
    out = np.add(a, diff * t)
    np.subtract(b, diff * (1 - t), out=out, where=np.broadcast_to(t >= 0.5, out.shape))
    return out
