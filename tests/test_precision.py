"""Issue 12: percentiles of every future, stable contract ids, precision on demand.

Percentiles are checked against numpy.percentile over every future's balances, rebuilt
block by block with ``simulate_block`` (the engine's own blocks, so the futures are the
same ones): exactly in float64, and to float32's resolution (well under a penny on these
balances) when the run is large enough to keep them in float32.
"""
import importlib

import numpy as np
import pytest

from charityrisk.engine import PERCENTILES
from charityrisk.model import load_scenario
from scenario_factory import make_scenario

sim = importlib.import_module("charityrisk.engine.simulate")
EXAMPLE = "resources/scenarios/example.json"


def every_balance(s, paths, seed):
    """(with contracts, without) closing balances of every future, (paths, horizon)."""
    blocks = [sim.simulate_block(s, min(sim.BLOCK, paths - first), seed, i)
              for i, first in enumerate(range(0, paths, sim.BLOCK))]
    return (np.concatenate([b.balances for b in blocks]),
            np.concatenate([b.baseline_balances for b in blocks]))


def expected_percentiles(balances):
    return dict(zip(map(str, PERCENTILES), np.percentile(balances, PERCENTILES, axis=0)))


@pytest.fixture
def small_blocks(monkeypatch):
    # Several blocks in a small run, so that futures past the first block count too.
    monkeypatch.setattr(sim, "BLOCK", 700)


def test_balance_percentiles_are_numpys_over_every_future(small_blocks):
    s = load_scenario(EXAMPLE)
    r = sim.simulate(s, 2_345, 11)
    with_contracts, baseline = every_balance(s, 2_345, 11)
    for key, values in expected_percentiles(with_contracts).items():
        np.testing.assert_array_equal(r.balance_percentiles[key], values)
    for key, values in expected_percentiles(baseline).items():
        np.testing.assert_array_equal(r.baseline.balance_percentiles[key], values)
    assert r.balance_sample_paths == 2_345


def test_float32_kept_balances_agree_to_float32_resolution(small_blocks, monkeypatch):
    monkeypatch.setattr(sim, "EXACT_BALANCE_BYTES", 0)  # as a 1,000,000-future run would
    s = load_scenario(EXAMPLE)
    r = sim.simulate(s, 1_501, 5)
    with_contracts, baseline = every_balance(s, 1_501, 5)
    for got, want in ((r.balance_percentiles, expected_percentiles(with_contracts)),
                      (r.baseline.balance_percentiles, expected_percentiles(baseline))):
        for key, values in want.items():
            # float32 rounds a balance by at most 2^-24 of it: under half a penny below
            # £84,000, so these agree to the penny or to float32's stated resolution.
            np.testing.assert_allclose(got[key], values, rtol=2 ** -23, atol=0.01)


def test_one_future_and_ties():
    # Every future the same (no noise): each percentile is that one balance.
    s = make_scenario()
    r = sim.simulate(s, 3, 1)
    for values in r.balance_percentiles.values():
        np.testing.assert_array_equal(values, r.balance_percentiles["50"])


def test_lerp_is_numpys_linear_interpolation():
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 101, 1000):
        a = rng.normal(1e5, 3e4, (7, n))
        want = np.percentile(a, PERCENTILES, axis=1)
        b = a.astype(np.float32)
        got = sim.percentiles_by_row(b.copy(), PERCENTILES)
        np.testing.assert_array_equal(got, np.percentile(b.astype(np.float64), PERCENTILES, axis=1))
        np.testing.assert_allclose(got, want, rtol=2 ** -23)
