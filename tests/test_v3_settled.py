"""The two version 2 rules settled on 2026-12-06 (domain.md) and how files say their version.

- Wind-down is decided on what the charity has seen: no referral in the contract's first
  wind_down_months months (whatever the cause) stops the fixed monthly cost after them; with
  wind_down_months 0 it is never paid.
- Under correlation a cost line happens when u_i < probability.
- A file that says an older version but uses a newer key (or value) is read with that meaning
  and a warning naming it; a file without ``version`` is read as version 1 with a warning;
  the app writes version 3.
"""
import dataclasses
import json
import math
import zlib
from pathlib import Path

import numpy as np
import pytest

from charityrisk.engine import sampling, simulate
from charityrisk.engine.budget import budget_parts
from charityrisk.engine.cashflow import contract_flows
from charityrisk.engine.sampling import FutureDraws
from charityrisk.engine.simulate import simulate_block
from charityrisk.model import Uncertain, load_scenario
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_dict
from charityrisk.model.migration import FORMAT_VERSION
from charityrisk.model.scenario import BudgetLine
from charityrisk.model.validation import scenario_from_dict
from scenario_factory import make_scenario

REPO = Path(__file__).resolve().parent.parent
PENNY = 0.005


def assert_pennies(got, expected):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float),
                               rtol=0, atol=PENNY)


def worked(**terms):
    s = make_scenario()
    return dataclasses.replace(s, contracts=(dataclasses.replace(s.contracts[0], **terms),))


def balances(s, n=3, seed=11):
    b = simulate_block(s, n, seed=seed, block=0).balances
    assert np.all(b == b[0])
    return b[0]


# --- wind-down on what has been seen --------------------------------------------------------

def test_wind_down_0_never_pays_the_fixed_cost_even_with_referrals():
    # The worked example (balances 2500, 300, -100, 700, 300, 2800, 2300, 1800) without its
    # fixed cost of 500 in months 2-5: +500, +1000, +1500, +2000 from month 2 on.
    assert_pennies(balances(worked(wind_down_months=0)), [2500, 800, 900, 2200, 2300, 4800, 4300, 3800])


def test_wind_down_stops_fixed_costs_in_a_future_whose_referrals_are_zero_by_chance():
    """Poisson referrals of 0.3 a month: many futures see none in the first 3 months (about
    e^-0.9 = 41%), and some of those get referrals later; the fixed cost stops after month 3
    exactly in the futures that saw none in months 1-3, whatever came afterwards."""
    s = worked(start_month=1, duration_months=10, referrals_per_month=Uncertain.fixed(0.3),
               count_noise="poisson", wind_down_months=3, cost_per_referral=0.0, fixed_monthly_cost=100.0,
               exit_cost=0.0)
    c = s.contracts[0]
    n = 4000
    flows = contract_flows(c, 0, n, 12, 5, 0, FutureDraws(5, 0, n))
    seen = flows.referrals[:, :3].any(axis=1)
    later = flows.referrals[:, 3:].any(axis=1)
    costs = flows.costs[:, :10]
    assert np.all(costs[:, :3] == 100)
    assert np.all(costs[seen, 3:] == 100)
    assert np.all(costs[~seen, 3:] == 0)
    assert np.count_nonzero(~seen & later) > 100  # the case the settled rule is about
    share_idle = np.mean(~seen)
    assert abs(share_idle - math.exp(-0.9)) < 4 * math.sqrt(share_idle * (1 - share_idle) / n)


def test_wind_down_with_no_referrals_at_all_is_unchanged():
    # domain.md's version 2 worked case: wind-down 1 with p_no_referrals 1.
    assert_pennies(balances(worked(wind_down_months=1, p_no_referrals=1.0)),
                   [2500, 1500, 1000, 500, 0, -500, -1000, -1500])


# --- a cost line under correlation ----------------------------------------------------------

@pytest.mark.parametrize("kind", ["cost", "income"])
def test_a_budget_lines_happening_is_its_u_against_the_probability(kind):
    """u = Phi(sqrt(c) Z + sqrt(1 - c) e) from the engine's own streams: a cost line happens
    when u < probability; an income line unless u < 1 - probability."""
    seed, n, corr, p = 3, 5000, 0.6, 0.3
    line = BudgetLine("Boiler", kind, Uncertain.fixed(100.0), probability=p)
    draws = FutureDraws(seed, 0, n, corr)
    happens = budget_parts([line], draws, 6)[kind].amounts[:, 0] > 0
    key = (zlib.crc32(b"Boiler"), 0)
    z_common = sampling.stream(seed, 0, 0, sampling.COMMON_FACTOR).standard_normal(n)
    e = sampling.stream(seed, 0, 0, sampling.BUDGET_LINE, *key, sampling.LINE_HAPPENS).standard_normal(n)
    u = sampling.normal_cdf(math.sqrt(corr) * z_common + math.sqrt(1 - corr) * e)
    expected = (u < p) if kind == "cost" else ~(u < 1 - p)
    # Compared away from the edge: u is read from a table (to about 1e-9).
    clear = np.abs(u - (p if kind == "cost" else 1 - p)) > 1e-6
    assert np.array_equal(happens[clear], expected[clear])
    # and so a cost line comes in the futures where other income is low
    other = draws.value(Uncertain(0, 50, 100), 0, sampling.ORG_INCOME)
    low_income_side = other[happens].mean() < other[~happens].mean()
    assert low_income_side == (kind == "cost")


# --- versions -------------------------------------------------------------------------------

V1 = json.loads((REPO / "tests" / "data" / "example_v1.json").read_text())


def test_the_app_writes_version_3():
    assert FORMAT_VERSION == 3
    assert scenario_to_dict(make_scenario())["version"] == 3
    from charityrisk.importcmd import SCENARIO_VERSION
    assert SCENARIO_VERSION == 3


def test_a_file_without_a_version_is_read_as_version_1_with_a_warning():
    data = json.loads(json.dumps(V1))
    del data["version"]
    warnings: list = []
    s = parse_scenario_text(json.dumps(data), warnings)
    assert s == load_scenario(REPO / "tests" / "data" / "example_v1.json")
    assert [(w.path, w.code) for w in warnings] == [("version", "newer")]
    assert "read as version 1" in str(warnings[0])
    # version 1's rule holds: other income and core costs are required
    del data["organisation"]["monthly_core_costs"]
    with pytest.raises(Exception) as error:
        scenario_from_dict(data)
    assert [p.path for p in error.value.problems] == ["organisation.monthly_core_costs"]


def test_a_version_1_file_with_an_exit_cost_pays_it_with_a_warning():
    data = json.loads(json.dumps(V1))
    data["contracts"][0]["exit_cost"] = 50_000
    warnings: list = []
    s = parse_scenario_text(json.dumps(data), warnings)
    assert s.contracts[0].exit_cost == 50_000
    [w] = [w for w in warnings if w.code == "newer"]
    assert (w.path, w.limits["since"], w.limits["version"]) == ("contracts[0].exit_cost", 2, 1)
    assert str(w).startswith("contracts[0].exit_cost: a key of file version 2 in a version 1 file")


def test_a_current_file_has_no_version_warnings():
    warnings: list = []
    parse_scenario_text(json.dumps(scenario_to_dict(make_scenario())), warnings)
    assert warnings == []


# --- shipped files mean what they meant -----------------------------------------------------

BEFORE = json.loads((REPO / "tests" / "data" / "shipped_results_v2.json").read_text())


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_every_shipped_file_gives_the_figures_it_gave_before_version_3(name):
    """Recorded with the engine of main before version 3 (3,000 futures, seed 5).  No shipped
    file uses a wind-down or a cost line with a probability, so the settled rules move none
    of their figures; every key they had is equal to the last bit."""
    got = simulate(load_scenario(REPO / name), 3000, 5).to_json_dict()
    for key, want in BEFORE[name].items():
        if isinstance(want, dict) and key != "contract_margin":  # version 3 adds keys inside
            for k, v in want.items():
                assert got[key][k] == v, (key, k)
            if key == "mean_flows_by_month":
                assert got[key]["interest"] == [0.0] * len(v)
        else:
            assert got[key] == want, key


def test_a_newer_key_inside_a_variant_of_an_older_file_is_named_with_its_path():
    data = scenario_to_dict(make_scenario())
    variant = {k: v for k, v in data.items() if k not in ("format", "version")} | {
        "name": "Dated", "first_month": "2027-04"}
    data |= {"version": 2, "variants": [variant]}
    warnings: list = []
    s = parse_scenario_text(json.dumps(data), warnings)
    assert s.variants[0].first_month == "2027-04"
    assert [(w.path, w.code, w.limits["since"]) for w in warnings] == [("variants[0].first_month", "newer", 3)]


def test_a_newer_list_in_an_older_file_is_one_warning():
    data = json.loads(json.dumps(V1))
    data["organisation"]["budget"] = [{"name": "Rent", "kind": "cost", "amount": 100, "growth_per_year": 0.02},
                                      {"name": "Appeal", "kind": "income", "monthly_amounts": [1, 2]}]
    warnings: list = []
    s = parse_scenario_text(json.dumps(data), warnings)
    assert len(s.organisation.budget) == 2 and s.organisation.budget[1].monthly_amounts == (1, 2)
    # the list once (version 2), and inside it only what is newer still (version 3)
    assert [(w.path, w.limits["since"]) for w in warnings] == [("organisation.budget", 2),
                                                               ("organisation.budget[1].monthly_amounts", 3)]
