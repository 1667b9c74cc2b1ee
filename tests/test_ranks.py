"""Selecting a month's ranks by counting gives the values a sort puts there, whatever the row.

The engine's percentiles are numpy.percentile's bit for bit (tests/test_precision.py, over
whole runs); these check the selection itself on rows built to break it: ties, one value
repeated, outliers far from the rest, ranges too wide or too narrow to divide into steps,
negative and positive, float32 as the largest runs keep them.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from charityrisk.engine import PERCENTILES
from charityrisk.engine.ranks import SELECT_FROM, Work, order_statistics, percentiles_by_row, row_at_ranks


def sorted_at(x, ranks):
    return np.sort(x)[ranks]


def some_ranks(n, data):
    chosen = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=10, unique=True))
    return np.array(sorted(chosen), dtype=np.intp)


finite64 = st.floats(allow_nan=False, allow_infinity=False, width=64)
finite32 = st.floats(allow_nan=False, allow_infinity=False, width=32)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_selection_reaches_the_sorted_values_of_any_row(data, dtype):
    elements = finite64 if dtype == np.float64 else finite32
    x = data.draw(hnp.arrays(dtype, st.integers(1, 300), elements=elements))
    ranks = some_ranks(x.size, data)
    before = x.copy()
    np.testing.assert_array_equal(row_at_ranks(x, ranks), sorted_at(x, ranks))
    np.testing.assert_array_equal(x, before)  # the row is left as it was


@settings(max_examples=100, deadline=None)
@given(data=st.data(), spread=st.sampled_from([1e-300, 1e-6, 1.0, 1e5, 1e300]),
       repeats=st.integers(1, 50))
def test_clustered_rows_with_outliers_and_ties(data, spread, repeats):
    """Most values in a narrow cluster, a few far away (most land in one or two steps)."""
    base = data.draw(hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(-1, 1)))
    cluster = np.repeat(base * spread, repeats)
    far = data.draw(hnp.arrays(np.float64, st.integers(0, 3), elements=finite64))
    x = np.concatenate([cluster, far])
    np.random.default_rng(repeats).shuffle(x)
    ranks = some_ranks(x.size, data)
    np.testing.assert_array_equal(row_at_ranks(x, ranks), sorted_at(x, ranks))


@pytest.mark.parametrize("n", [SELECT_FROM - 1, SELECT_FROM, 100_000])
def test_both_ways_agree_with_numpy_percentile_on_balances_like_the_engines(n):
    rng = np.random.default_rng(n)
    # a month of balances: most near the plan, a tail of futures that ran out far below
    a = np.concatenate([rng.normal(6e4, 2e4, (3, n - n // 20)),
                        rng.normal(-4e5, 3e5, (3, n // 20))], axis=1)
    a[2, : n // 2] = 12_345.67  # half the futures the same balance
    want = np.percentile(a, PERCENTILES, axis=1)
    np.testing.assert_array_equal(percentiles_by_row(a.copy(), PERCENTILES), want)


def test_a_row_of_one_value_and_a_row_too_wide_to_step():
    ranks = np.array([0, 3, 4999], dtype=np.intp)
    same = np.full((1, SELECT_FROM), -0.5)
    np.testing.assert_array_equal(order_statistics(same, ranks), [[-0.5] * 3])
    wide = np.concatenate([np.full(SELECT_FROM // 2, -1.7e308), np.full(SELECT_FROM // 2, 1.7e308)])
    wide = wide[None, :] * np.linspace(1, 0.5, SELECT_FROM)  # its span overflows float64
    np.testing.assert_array_equal(order_statistics(wide, ranks), np.sort(wide)[:, ranks])


def test_only_the_wanted_steps_are_put_in_order():
    """The point of counting: on a spread-out month, a few hundredths of the values are put
    in order (read from the room the selection used, so a change that ordered every value
    fails here, not only runs slower)."""
    x = np.random.default_rng(1).normal(0, 1, 100_000)
    ranks = np.array([4999, 5000, 49999, 50000, 94999, 95000], dtype=np.intp)
    work = Work(x.size, x.dtype)
    np.testing.assert_array_equal(row_at_ranks(x, ranks, work), sorted_at(x, ranks))
    assert np.count_nonzero(work.chosen) < 0.02 * x.size


@pytest.mark.parametrize("row", [[3e38, -3e38, 0.0, 1.0], [1e-45, 0.0, 2e-45, 1e-45]])
def test_float32_rows_too_wide_or_too_narrow_for_float32_steps(row):
    x = np.array(row * 10, dtype=np.float32)
    ranks = np.array([0, 7, 39], dtype=np.intp)
    np.testing.assert_array_equal(row_at_ranks(x, ranks), sorted_at(x, ranks))
