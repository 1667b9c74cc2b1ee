"""Issue 12: percentiles of every future, stable contract ids, precision on demand.

Percentiles are checked against numpy.percentile over every future's balances, rebuilt
block by block with ``simulate_block`` (the engine's own blocks, so the futures are the
same ones): exactly in float64, and to float32's resolution (well under a penny on these
balances) when the run is large enough to keep them in float32.
"""
import importlib
from dataclasses import replace

import numpy as np
import pytest

from charityrisk.engine import PERCENTILES
from charityrisk.model import load_scenario
from scenario_factory import make_scenario

sim = importlib.import_module("charityrisk.engine.simulate")
ranks = importlib.import_module("charityrisk.engine.ranks")
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


# The ways of sorting the months: all at once (small runs), a few months at a time on the
# engine's threads (a run of months the horizon does not divide into, and one month at a
# time), and on the calling thread.
SORTS = {"all months at once": {}, "months on threads": {"PARALLEL_SORT_CELLS": 0},
         "5 months at a time": {"PARALLEL_SORT_CELLS": 0, "MONTHS_GATHERED": 5},
         "a month at a time": {"PARALLEL_SORT_CELLS": 0, "MONTHS_GATHERED": 1},
         "months on one thread": {"PARALLEL_SORT_CELLS": 0, "WORKERS": 1}}


@pytest.fixture(params=list(SORTS))
def each_sort(request, monkeypatch):
    for name, value in SORTS[request.param].items():
        monkeypatch.setattr(sim, name, value)


def test_balance_percentiles_are_numpys_over_every_future(small_blocks, each_sort):
    s = load_scenario(EXAMPLE)
    r = sim.simulate(s, 2_345, 11)
    with_contracts, baseline = every_balance(s, 2_345, 11)
    for key, values in expected_percentiles(with_contracts).items():
        np.testing.assert_array_equal(r.balance_percentiles[key], values)
    for key, values in expected_percentiles(baseline).items():
        np.testing.assert_array_equal(r.baseline.balance_percentiles[key], values)
    assert r.balance_sample_paths == 2_345


def test_float32_kept_balances_agree_to_float32_resolution(small_blocks, each_sort, monkeypatch):
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


@pytest.mark.parametrize("n", [1, 2, 5, ranks.SELECT_FROM - 1, ranks.SELECT_FROM, 20_011])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_percentiles_by_sort_and_by_selection_are_numpys_bit_for_bit(n, dtype):
    """Both ways of reaching the ranks (a sort below SELECT_FROM futures, selection from it),
    with ties and repeated values, give numpy.percentile's answer exactly."""
    rng = np.random.default_rng(n)
    a = np.round(rng.normal(1e5, 3e4, (4, n)), -2).astype(dtype)  # rounded: many ties
    a[1] = a[1, 0]  # one row all the same
    got = ranks.percentiles_by_row(a.copy(), PERCENTILES)
    np.testing.assert_array_equal(got, np.percentile(a.astype(np.float64), PERCENTILES, axis=1))


def test_lerp_is_numpys_linear_interpolation():
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 101, 1000):
        a = rng.normal(1e5, 3e4, (7, n))
        want = np.percentile(a, PERCENTILES, axis=1)
        b = a.astype(np.float32)
        got = ranks.percentiles_by_row(b.copy(), PERCENTILES)
        np.testing.assert_array_equal(got, np.percentile(b.astype(np.float64), PERCENTILES, axis=1))
        np.testing.assert_allclose(got, want, rtol=2 ** -23)


# ----- stable contract ids ------------------------------------------------------------------

def _two_contracts_file():
    from charityrisk.model import scenario_to_dict
    data = scenario_to_dict(load_scenario(EXAMPLE))
    data["contracts"].append(dict(data["contracts"][0], name="Second", share_at_risk=0.5))
    for c in data["contracts"]:
        c.pop("id", None)
    return data


def test_file_without_ids_gets_places_and_keeps_its_results():
    from charityrisk.model import scenario_from_dict
    s = scenario_from_dict(_two_contracts_file())
    assert [c.id for c in s.contracts] == list(range(1, len(s.contracts) + 1))
    # Keyed by place (id None, as version 1 was) and by the ids given: the same futures.
    by_place = replace(s, contracts=tuple(replace(c, id=None) for c in s.contracts))
    a, b = sim.simulate(s, 3_000, 4), sim.simulate(by_place, 3_000, 4)
    np.testing.assert_array_equal(a.lowest_balance, b.lowest_balance)
    np.testing.assert_array_equal(a.contract_margin, b.contract_margin)


def test_inserting_a_contract_before_another_leaves_its_futures_alone():
    from charityrisk.model import scenario_from_dict, scenario_to_dict
    data = _two_contracts_file()
    s = scenario_from_dict(data)
    saved = scenario_to_dict(s)
    assert [c["id"] for c in saved["contracts"]] == [c.id for c in s.contracts]  # kept on save
    before = sim.simulate(s, 2_000, 9)
    newcomer = dict(saved["contracts"][0], name="A newcomer", id=99)
    saved["contracts"].insert(0, newcomer)
    after = sim.simulate(scenario_from_dict(saved), 2_000, 9)
    # Each old contract's own margin over the horizon is a function of its own draws only.
    np.testing.assert_array_equal(after.contract_margin[1:], before.contract_margin)
    # Without ids (keyed by place) the same insertion reshuffles them: the test can fail.
    for c in saved["contracts"]:
        c.pop("id")
    by_place = sim.simulate(scenario_from_dict(saved), 2_000, 9)
    assert not np.array_equal(by_place.contract_margin[1:], before.contract_margin)


def test_two_contracts_with_one_id_are_refused():
    from charityrisk.model import ScenarioError, scenario_from_dict
    data = _two_contracts_file()
    data["contracts"][0]["id"] = 7
    data["contracts"][1]["id"] = 7
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(data)
    assert [p.path for p in e.value.problems] == ["contracts[1].id"]
    data["contracts"][1]["id"] = 0
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(data)
    assert [(p.path, p.code) for p in e.value.problems] == [("contracts[1].id", "range")]


def test_new_ids_meet_no_kept_id_nor_place():
    from charityrisk.model.validation import next_contract_id
    assert next_contract_id([]) == 1
    assert next_contract_id([{"id": 1}, {"id": 2}]) == 3
    assert next_contract_id([{"id": 9}, {}]) == 10
    assert next_contract_id([{}, {}, {}]) == 4


# ----- precision on demand ------------------------------------------------------------------

@pytest.fixture
def blocks_of_100(monkeypatch):
    # The stopping rule is checked after each block: small blocks make it testable quickly.
    monkeypatch.setattr(sim, "BLOCK", 100)


def _no_referrals_decides(p_none: float):
    """Runs out exactly when the contract sends nobody (chance p_none), else never: £1,000
    less £500 a month is £0.00 in month 2 (not run out, to the penny) and below in month 3;
    the contract's fees (£2,400 a month from month 2) keep it well in funds."""
    return make_scenario(opening_reserves=1000, monthly_other_income=0, monthly_core_costs=500,
                         share_at_risk=0.0, fee_lag_months=0, cost_per_referral=0, fixed_monthly_cost=0,
                         p_no_referrals=p_none)


def _stopped_at_first_narrow_enough_block(r, wanted):
    assert r.precision_wanted == wanted
    assert r.precision_met is True
    assert r.precision_reached <= wanted
    assert r.precision_reached == pytest.approx(sim.wilson_half_width(int((r.run_out_month > 0).sum()), r.paths))
    if r.paths > 100:  # one block fewer was not enough
        earlier = r.run_out_month[:r.paths - 100]
        assert sim.wilson_half_width(int((earlier > 0).sum()), earlier.size) > wanted


@pytest.mark.parametrize("p_none, expected", [(0.0, 0.0), (1.0, 1.0)])
def test_known_certain_chances_stop_where_the_wilson_interval_is_narrow_enough(blocks_of_100, p_none, expected):
    r = sim.simulate(_no_referrals_decides(p_none), seed=3, precision=0.01)
    assert r.p_run_out == expected
    # Wilson at 0 or 1 runs out of n: half-width z^2 / (2 (n + z^2)) <= 0.01 from n = 189 on.
    assert r.paths == 200
    _stopped_at_first_narrow_enough_block(r, 0.01)


def test_a_known_chance_stops_at_the_stated_width(blocks_of_100):
    r = sim.simulate(_no_referrals_decides(0.3), seed=8, precision=0.03)
    _stopped_at_first_narrow_enough_block(r, 0.03)
    assert 700 <= r.paths <= 1200  # about 1.96^2 x 0.21 / 0.03^2 = 896
    assert abs(r.p_run_out - 0.3) < 4 * np.sqrt(0.3 * 0.7 / r.paths)
    lo, hi = r.p_run_out_interval
    assert lo <= r.p_run_out <= hi and (hi - lo) / 2 == pytest.approx(r.precision_reached)


def test_same_figures_as_an_ordinary_run_of_that_many_futures(blocks_of_100):
    s = load_scenario(EXAMPLE)
    r = sim.simulate(s, 2_000, 5, precision=0.03)
    again = sim.simulate(s, r.paths, 5)
    assert r.paths < 2_000 and r.p_run_out == again.p_run_out
    for key, values in again.balance_percentiles.items():
        np.testing.assert_array_equal(r.balance_percentiles[key], values)
    assert r.working_capital_needed_95 == again.working_capital_needed_95
    assert again.precision_wanted is None and again.precision_met is None


def test_a_precision_run_kept_in_growing_arrays_gives_numpys_percentiles(blocks_of_100, each_sort):
    """A precision run keeps its balances in arrays of FIRST_KEPT_BLOCKS blocks, then larger
    ones, and may stop inside one: its percentiles are still numpy's over the futures run,
    and the blocks computed ahead of the stop are not among them."""
    s = load_scenario(EXAMPLE)
    r = sim.simulate(s, 5_000, 5, precision=0.02)
    assert r.paths > 3 * sim.FIRST_KEPT_BLOCKS * 100  # three arrays at least: 400, 400, 800
    with_contracts, baseline = every_balance(s, r.paths, 5)
    for got, want in ((r.balance_percentiles, with_contracts), (r.baseline.balance_percentiles, baseline)):
        for key, values in expected_percentiles(want).items():
            np.testing.assert_array_equal(got[key], values)


def test_the_cap_stops_a_run_that_cannot_get_there(blocks_of_100):
    r = sim.simulate(_no_referrals_decides(0.3), 300, 8, precision=0.001)
    assert r.paths == 300 and r.precision_met is False and r.precision_reached > 0.001
    d = r.to_json_dict()
    assert d["precision_wanted"] == 0.001 and d["precision_met"] is False and d["paths"] == 300
    from charityrisk.report.text import key_figures
    futures = dict(key_figures(_no_referrals_decides(0.3), r))["Simulated futures (seed)"]
    assert "300 (seed 8)" in futures and "not the 0.1 asked for" in futures


def test_precision_is_a_saved_setting_with_bounds():
    from charityrisk.model import ScenarioError, scenario_from_dict, scenario_to_dict
    data = scenario_to_dict(load_scenario(EXAMPLE))
    assert "precision" not in data["simulation"]
    data["simulation"]["precision"] = 0.005
    s = scenario_from_dict(data)
    assert s.settings.precision == 0.005
    assert scenario_to_dict(s)["simulation"]["precision"] == 0.005
    data["simulation"]["precision"] = 0.0
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(data)
    assert [(p.path, p.code) for p in e.value.problems] == [("simulation.precision", "range")]


def test_command_line_precision(capsys):
    import json

    from charityrisk import cli
    assert cli.main(["simulate", EXAMPLE, "--precision", "2%", "--seed", "4", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["precision_wanted"] == 0.02 and d["precision_met"] is True
    assert d["precision_reached"] <= 0.02 and d["seed"] == 4 and d["paths"] % sim.BLOCK == 0
    with pytest.raises(SystemExit) as e:
        cli.main(["simulate", EXAMPLE, "--precision", "0"])
    assert e.value.code == 2 and "--precision" in capsys.readouterr().err


# ----- Latin hypercube ------------------------------------------------------------------------

def _lhs(s):
    return replace(s, settings=replace(s.settings, sampling="latin_hypercube"))


def test_latin_hypercube_takes_one_value_from_each_slice():
    # A 30% event in a stratified block of n futures happens in floor or ceil of 0.3 n of
    # them, not Binomial(n, 0.3) (whose spread would be about 15 futures here).
    n = 1_111
    r = sim.simulate(_lhs(_no_referrals_decides(0.3)), n, 2)
    assert int((r.run_out_month > 0).sum()) in (333, 334)
    from charityrisk.engine.sampling import FutureDraws
    from charityrisk.model import Uncertain
    values = FutureDraws(7, 0, 500, sampling="latin_hypercube").value(Uncertain(0, 0.5, 1), 1, 2)
    cdf_slices = np.sort(np.floor(500 * values).astype(int))  # symmetric PERT: median 0.5
    assert values.min() >= 0 and values.max() <= 1 and len(set(cdf_slices)) > 300


def test_random_sampling_is_the_default_and_saved_only_when_changed():
    from charityrisk.model import scenario_from_dict, scenario_to_dict
    s = load_scenario(EXAMPLE)
    assert s.settings.sampling == "random"
    assert "sampling" not in scenario_to_dict(s)["simulation"]
    data = scenario_to_dict(_lhs(s))
    assert data["simulation"]["sampling"] == "latin_hypercube"
    assert scenario_from_dict(data).settings.sampling == "latin_hypercube"


def test_latin_hypercube_agrees_with_plain_monte_carlo_within_4_se():
    s = load_scenario(EXAMPLE)
    plain, lhs = sim.simulate(s, 20_000, 3), sim.simulate(_lhs(s), 20_000, 3)
    se = np.sqrt(plain.p_run_out_se ** 2 + lhs.p_run_out_se ** 2)
    assert abs(plain.p_run_out - lhs.p_run_out) < 4 * se
