"""The contract's own risk in words, figures and charts: the chance of running out with the
contracts against the organisation without them on the same futures (the engine's baseline).

Wording is checked on Results built by hand with known chances, so that every case (one
contract, several, none, a contract that lowers the risk, nobody running out) is pinned.
"""
import math

import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.results import PERCENTILES, BaselineResults, Results
from charityrisk.engine.verdict import Verdict, verdict
from charityrisk.report import figures
from charityrisk.report.style import new_figure
from charityrisk.report.text import (
    appetite_sentence,
    baseline_verdict,
    contract_risk,
    headline,
    key_figures,
    percent,
    points,
    verdict_words,
)
from scenario_factory import contract, make_scenario

PATHS = 20_000


def se(p, n=PATHS):
    return math.sqrt(p * (1 - p) / n)


def known(p, p0, names=("Mentoring",), horizon=36, wc=0.0, wc0=0.0, floor=0.3, floor0=0.1,
          month=14):
    """Results with chance p (p0 without the contracts), nothing else of note."""
    zeros = np.zeros(horizon)
    bp = {str(q): np.linspace(1000.0 * q, -500.0 * q, horizon) for q in PERCENTILES}
    bp0 = {str(q): np.linspace(1000.0 * q, 2000.0 * q, horizon) for q in PERCENTILES}
    run_out = np.zeros(PATHS, dtype=int)
    run_out[:round(p * PATHS)] = month
    base = BaselineResults(p_run_out=p0, p_run_out_se=se(p0), p_run_out_by_month=np.linspace(0, p0, horizon),
                           p_below_floor=floor0, working_capital_needed_95=wc0, balance_percentiles=bp0,
                           lowest_balance_percentiles={str(q): 0.0 for q in PERCENTILES},
                           mean_balance_by_month=zeros)
    return Results(paths=PATHS, seed=1, horizon_months=horizon, p_run_out=p, p_run_out_se=se(p),
                   p_run_out_by_month=np.linspace(0, p, horizon), p_below_floor=floor,
                   balance_percentiles=bp, lowest_balance_percentiles={str(q): 0.0 for q in PERCENTILES},
                   working_capital_needed_95=wc, expected_owed_after_horizon=0.0,
                   contract_names=tuple(names), contract_margin=np.zeros(len(names)),
                   run_out_month=run_out, lowest_balance=np.zeros(PATHS), baseline=base)


SCENARIO = make_scenario()  # headline() reads nothing from it but its type


# --- the headline ---------------------------------------------------------------------------

def test_one_contract_that_adds_risk():
    r = known(0.25, 0.03, wc=41_000)
    assert headline(SCENARIO, r) == (
        "Without the contract you run out of money within 36 months in 3% of 20,000 simulated "
        "futures; with it, in 25%: the contract adds 22 points. With the contract, the most likely "
        "month to run out is month 14. To be 95% safe you would need £41,000 more working capital.")


def test_several_contracts_are_plural():
    r = known(0.25, 0.03, names=("Mentoring", "Housing"))
    assert contract_risk(r) == (
        "Without the contracts you run out of money within 36 months in 3% of 20,000 simulated "
        "futures; with them, in 25%: the contracts add 22 points.")
    assert headline(SCENARIO, r).split(". ")[1] == "With the contracts, the most likely month to run out is month 14"


def test_a_contract_that_lowers_the_risk_says_so():
    assert contract_risk(known(0.25, 0.30)) == (
        "Without the contract you run out of money within 36 months in 30% of 20,000 simulated "
        "futures; with it, in 25%: the contract lowers it by 5 points.")
    assert contract_risk(known(0.012, 0.016, names=("a", "b"))).endswith(
        "with them, in 1.2%: the contracts lower it by 0.4 points.")


def test_no_contracts_keeps_the_single_chance():
    r = known(0.105, 0.105, names=())
    assert contract_risk(r) is None
    assert headline(SCENARIO, r).startswith(
        "In 10% of 20,000 simulated futures you run out of money within 36 months; when it "
        "happens, the most likely month is month 14.")
    assert appetite_sentence(r, 0.05) == verdict_words(Verdict.ABOVE, 0.05)
    assert not any("without the" in label or label.startswith("Added by") for label, _ in key_figures(SCENARIO, r))


def test_nobody_runs_out_with_or_without():
    r = known(0.0, 0.0)
    assert headline(SCENARIO, r) == (
        "You run out of money within 36 months in none of 20,000 simulated futures, with or "
        "without the contract. Signing keeps you within the trustees' risk appetite of 5%. You stay in "
        "funds in at least 95% of them without extra working capital.")


def test_none_without_the_contract_and_same_chance_both_ways():
    assert contract_risk(known(0.25, 0.0)) == (
        "Without the contract you run out of money within 36 months in none of 20,000 simulated "
        "futures; with it, in 25%: the contract adds 25 points.")
    assert contract_risk(known(0.0, 0.04)).endswith("with it, in none: the contract lowers it by 4 points.")
    assert contract_risk(known(0.04, 0.04)).endswith("with it, in 4%: the contract does not change it.")


@pytest.mark.parametrize("difference, words", [
    (0.22, "22 points"), (0.004, "0.4 points"), (0.01, "1 point"), (-0.05, "5 points"),
    (0.0003, "under 0.1 points"), (0.0996, "10 points"), (0.094, "9.4 points")])
def test_points_read_like_the_chances(difference, words):
    assert points(difference) == words


# --- the appetite sentence: the one verdict rule, for both -----------------------------------

@pytest.mark.parametrize("p, p0, tail", [
    (0.25, 0.01, "Without the contract it would be within it."),
    (0.25, 0.20, "Without the contract it would also be above it."),
    (0.25, 0.05, "Without the contract it would be too close to call."),
    (0.01, 0.02, "Without the contract it would also be within it."),
    (0.02, 0.25, "Without the contract it would be above it."),
])
def test_appetite_sentence_judges_both_by_the_one_rule(p, p0, tail):
    r = known(p, p0)
    words = appetite_sentence(r, 0.05)
    assert words == f"{verdict_words(verdict(p, se(p), 0.05), 0.05)} {tail}"
    assert baseline_verdict(r, 0.05) is verdict(p0, se(p0), 0.05)


# --- key figures: both ------------------------------------------------------------------------

def test_key_figures_show_each_figure_with_and_without():
    r = known(0.25, 0.03, wc=41_000, wc0=0.0, floor=0.4, floor0=0.12)
    rows = key_figures(SCENARIO, r)
    labels = [label for label, _ in rows]
    values = dict(rows)
    assert labels[:3] == ["Chance of running out", "Chance of running out without the contract",
                          "Added by the contract"]
    assert values["Chance of running out"] == f"25% (give or take {200 * se(0.25):.1f} points)"
    assert values["Chance of running out without the contract"] == f"3% (give or take {200 * se(0.03):.1f} points)"
    assert values["Added by the contract"] == "+22 points"
    assert values["Chance of breaching the reserves floor without the contract"] == "12%"
    assert values["Extra working capital for 95% safety"] == "£41,000"
    assert values["Extra working capital for 95% safety without the contract"] == "£0"
    assert labels.index("Chance of breaching the reserves floor without the contract") == \
        labels.index("Chance of breaching the reserves floor") + 1
    assert dict(key_figures(SCENARIO, known(0.2, 0.25, names=("a", "b"))))["Added by the contracts"] == "\u22125 points"


# --- on the engine's own results ----------------------------------------------------------------

def test_headline_reads_the_engines_baseline_and_matches_a_run_without_the_contract():
    # The worked example with a contract that pays its way: the contract saves the
    # organisation, which on its own runs out in month 7 in every future.
    s = make_scenario(horizon_months=12, contracts=[contract(duration_months=10, price_per_referral=1600,
                                                             referrals_per_month={"low": 1, "likely": 2, "high": 4},
                                                             count_noise="poisson")])
    r = simulate(s, 4000, 5)
    alone = simulate(make_scenario(horizon_months=12, contracts=[]), 4000, 5)
    assert r.baseline.p_run_out == alone.p_run_out == 1.0
    assert 0 < r.p_run_out < 1
    assert contract_risk(r) == (
        "Without the contract you run out of money within 12 months in 100% of 4,000 simulated "
        f"futures; with it, in {percent(r.p_run_out)}: "
        f"the contract lowers it by {points(r.p_run_out - 1.0)}.")


# --- the charts ---------------------------------------------------------------------------------

def _line(ax, gid):
    found = [line for line in ax.get_lines() if line.get_gid() == gid]
    return found[0] if found else None


def test_fan_chart_shows_the_baseline_median_dashed_and_in_the_legend():
    r = known(0.25, 0.03)
    ax = new_figure().add_subplot()
    figures.draw_fan_chart(ax, SCENARIO, r)
    line = _line(ax, "baseline_median")
    assert line is not None
    np.testing.assert_array_equal(line.get_ydata(), r.baseline.balance_percentiles["50"])
    assert line.get_linestyle() == "--"  # dashed (a custom dash pattern), unlike the solid median
    assert _line(ax, "median").get_linestyle() == "-"
    assert line.get_color() != _line(ax, "median").get_color()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Typical without the contract" in legend
    assert "Typical (median), with the contract" in legend
    # the baseline's median rises above every band here: the axis still shows all of it
    assert ax.get_ylim()[1] >= float(np.max(r.baseline.balance_percentiles["50"]))


def test_no_baseline_line_without_contracts_and_on_the_run_out_curve():
    ax = new_figure().add_subplot()
    figures.draw_fan_chart(ax, SCENARIO, known(0.1, 0.1, names=()))
    assert _line(ax, "baseline_median") is None
    r = known(0.25, 0.03)
    figures.draw_run_out_curve(ax, SCENARIO, r, appetite=0.05)
    line = _line(ax, "baseline_run_out")
    np.testing.assert_array_equal(line.get_ydata(), r.baseline.p_run_out_by_month)
    assert "Without the contract (3%)" in [t.get_text() for t in ax.get_legend().get_texts()]
