"""The decision framed right (issue 25): three cases, three framings, from the engine's own
figures; what signing changes future by future (``contract_effect``); whether the contract
pays its way.

The worked example's organisation (reserves £3,000, £500 a month short, 8 months) runs out
in month 7 in every future without a contract: with no uncertainty every figure is exact.
"""
import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.results import contract_effect
from charityrisk.report.text import (
    MADE_UNSAFE,
    SAFE_KEPT,
    UNSAFE_ALONE,
    contract_risk,
    framing,
    framing_case,
    headline,
    pays_its_way,
)
from scenario_factory import contract, make_scenario

PATHS = 400


def run(appetite=0.05, first_month="2027-04", contracts=None, **org):
    s = make_scenario(contracts=contracts if contracts is not None else [contract()],
                      first_month=first_month, simulation={"risk_appetite": appetite}, **org)
    return s, simulate(s, paths=PATHS)


# --- the engine: what signing changes, from the same futures --------------------------------

def test_contract_effect_counts_each_future_once():
    with_ = np.array([0, 0, 5, 9, 3, 4, 0, 6])
    without = np.array([0, 7, 7, 7, 7, 4, 0, 0])
    e = contract_effect(with_, without)
    assert e == {"paths": 8, "baseline_run_out": 5, "avoided": 1, "put_off": 1,
                 "put_off_months_median": 2.0, "brought_forward": 2,
                 "brought_forward_months_median": 3.0, "unchanged": 1, "caused": 1,
                 "baseline_month_median": 7.0, "baseline_month_last": 7}


def test_contract_effect_with_nothing_run_out_has_no_months():
    e = contract_effect(np.zeros(5, dtype=int), np.zeros(5, dtype=int))
    assert e["baseline_run_out"] == 0 and e["put_off_months_median"] is None
    assert e["baseline_month_median"] is None and e["baseline_month_last"] is None


def test_contract_effect_agrees_with_both_chances_on_a_mixed_scenario():
    # No referrals in about half the futures: the contract's fixed costs bring running out
    # forward; with referrals at £2,000 it is avoided.
    _, r = run(contracts=[contract(price_per_referral=2000, p_no_referrals=0.5)])
    e = r.contract_effect
    assert e["paths"] == r.paths == PATHS
    assert e["baseline_run_out"] == round(r.baseline.p_run_out * PATHS) == PATHS
    assert e["avoided"] + e["put_off"] + e["brought_forward"] + e["unchanged"] == e["baseline_run_out"]
    assert e["put_off"] + e["brought_forward"] + e["unchanged"] + e["caused"] == round(r.p_run_out * PATHS)
    assert 0 < e["avoided"] < PATHS and e["avoided"] + e["brought_forward"] == PATHS
    assert r.to_json_dict()["contract_effect"] == e


def test_no_contract_no_effect():
    s = make_scenario(contracts=[])
    r = simulate(s, paths=50)
    assert r.contract_effect is None and r.to_json_dict()["contract_effect"] is None
    assert framing(s, r) is None and pays_its_way(r) is None


# --- the three cases --------------------------------------------------------------------------

def test_unsafe_alone_and_with_it_every_future_runs_out():
    s, r = run()
    assert framing_case(r, 0.05) == UNSAFE_ALONE
    assert r.contract_effect["brought_forward_months_median"] == 4.0
    assert framing(s, r) == (
        "Your budget alone runs out by month 7 (Oct 2027) in every future. Signing the contract "
        "brings it forward in every future (typically by 4 months): with it you run out in every future.")
    assert headline(s, r).startswith(framing(s, r) + " With the contract, the most likely month to "
                                     "run out is month 3 (Jun 2027).")
    assert "points" not in framing(s, r)  # the budget, not the contract, is the problem


def test_unsafe_alone_without_a_calendar_names_months_by_number():
    s, r = run(first_month=None)
    assert framing(s, r).startswith("Your budget alone runs out by month 7 in every future.")


def test_unsafe_alone_and_the_contract_helps():
    s, r = run(contracts=[contract(price_per_referral=2000)])
    assert framing_case(r, 0.05) == UNSAFE_ALONE
    assert framing(s, r) == (
        "Your budget alone runs out by month 7 (Oct 2027) in every future. Signing the contract "
        "avoids running out altogether in every future: with it you run out in no future.")


def test_unsafe_alone_the_contract_puts_it_off_in_some_and_avoids_it_in_others():
    s, r = run(contracts=[contract(price_per_referral=2000, p_no_referrals=0.5)])
    e = r.contract_effect
    words = framing(s, r)
    avoided = f"{100 * e['avoided'] / PATHS:.0f}%"
    forward = f"{100 * e['brought_forward'] / PATHS:.0f}%"
    assert words.startswith("Your budget alone runs out by month 7 (Oct 2027) in every future. ")
    assert (f"Signing the contract avoids running out altogether in {avoided} of futures and brings "
            f"it forward in {forward} of futures (typically by") in words


def test_unsafe_alone_in_some_futures_says_how_many_and_when():
    # Other income uncertain: some futures run out without the contract, most do not.
    s, r = run(opening_reserves=3600, monthly_other_income={"low": 1500, "likely": 2300, "high": 2600},
               contracts=[contract(price_per_referral=2000)])
    assert framing_case(r, 0.05) == UNSAFE_ALONE
    b = r.contract_effect
    assert 0 < b["baseline_run_out"] < PATHS
    share = f"{100 * b['baseline_run_out'] / PATHS:.0f}%"
    assert framing(s, r).startswith(f"Your budget alone runs out in {share} of futures, half of them by month ")
    assert "above the trustees' risk appetite of 5% before any contract." in framing(s, r)


def test_safe_alone_and_the_contract_keeps_it_safe():
    s, r = run(opening_reserves=10_000, contracts=[contract(price_per_referral=2000)])
    assert framing_case(r, 0.05) == SAFE_KEPT
    assert framing(s, r) == (f"{contract_risk(r)} Signing keeps you within the trustees' risk "
                             "appetite of 5%.")
    assert framing(s, r).startswith("You run out of money within 8 months in none of 400 simulated futures")


def test_safe_alone_but_the_contract_makes_it_unsafe():
    s, r = run(opening_reserves=4000, contracts=[contract(cost_per_referral=2000)])
    assert r.baseline.p_run_out == 0 and r.p_run_out == 1
    assert framing_case(r, 0.05) == MADE_UNSAFE
    assert framing(s, r) == (
        "Without the contract you run out of money within 8 months in none of 400 simulated "
        "futures; with it, in 100%: the contract adds 100 points.")


@pytest.mark.parametrize("appetite, case", [(0.0, UNSAFE_ALONE), (1.0, SAFE_KEPT)])
def test_appetite_at_its_ends_every_future_running_out(appetite, case):
    s, r = run(appetite=appetite)
    assert framing_case(r, appetite) == case
    if appetite == 1.0:
        assert framing(s, r).endswith("Signing keeps you within the trustees' risk appetite of 100%.")


@pytest.mark.parametrize("appetite, case", [(0.0, SAFE_KEPT), (1.0, SAFE_KEPT)])
def test_appetite_at_its_ends_nobody_running_out(appetite, case):
    _, r = run(appetite=appetite, opening_reserves=10_000, contracts=[contract(price_per_referral=2000)])
    assert framing_case(r, appetite) == case


# --- does it pay its way ------------------------------------------------------------------------

def test_pays_its_way_from_the_engines_margin_and_owed():
    _, r = run()
    flows = r.mean_flows_by_month
    assert float(np.sum(flows["contract_receipts"] - flows["contract_costs"])) == pytest.approx(2800)
    assert pays_its_way(r) == ("The contract pays its way: on average it brings in £2,800 more than "
                               "it costs over the 8 months, with nothing still owed at the end.")


def test_a_contract_that_does_not_pay_its_way_says_so():
    _, r = run(contracts=[contract(cost_per_referral=2000)])
    assert pays_its_way(r) == ("The contract does not pay its way: on average it costs £16,400 more "
                               "than it brings in over the 8 months, with nothing still owed at the end.")


def test_money_still_owed_at_the_end_is_named():
    # Outcome payments three months after a cohort ends: some fall after month 8.
    _, r = run(contracts=[contract(outcome_lag_months=4, duration_months=6)])
    assert r.expected_owed_after_horizon > 0
    assert pays_its_way(r).endswith(
        f"with £{r.expected_owed_after_horizon:,.0f} still owed to you at the end (on average).")


def test_several_contracts_pay_their_way_together():
    _, r = run(contracts=[contract(name="a"), contract(name="b", price_per_referral=2000)])
    assert pays_its_way(r).startswith("The contracts pay their way: on average they bring in "
                                      f"£{sum(r.contract_margin):,.0f} more than they cost")


# --- on screen and on page 1 ----------------------------------------------------------------------

def _page_one(s, r, tmp_path):
    import re

    from pypdf import PdfReader

    from charityrisk.report.pdf import write_report
    path = tmp_path / "pack.pdf"
    write_report(s, path, results=r)
    return re.sub(r"\s+", " ", PdfReader(str(path)).pages[0].extract_text())


CASES = {
    "unsafe alone, every future both ways": {},
    "unsafe alone, the contract helps": dict(contracts=[contract(price_per_referral=2000)]),
    "unsafe alone, mixed": dict(contracts=[contract(price_per_referral=2000, p_no_referrals=0.5)]),
    "safe alone, kept safe": dict(opening_reserves=10_000, contracts=[contract(price_per_referral=2000)]),
    "safe alone, made unsafe": dict(opening_reserves=4000, contracts=[contract(cost_per_referral=2000)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_page_one_carries_the_framing_and_the_notes(case, tmp_path):
    from charityrisk.report.text import decision_notes
    s, r = run(**CASES[case])
    first = _page_one(s, r, tmp_path)
    assert framing(s, r) in first
    assert pays_its_way(r) in first
    for note in decision_notes(s, r):
        assert note in first
    assert "What signing means" in first


@pytest.mark.parametrize("case", list(CASES))
def test_screen_shows_the_same_words(case, qtbot):
    from charityrisk.gui.results_panel import ResultsPanel
    from charityrisk.report.text import decision_notes
    s, r = run(**CASES[case])
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.show_results(s, r)
    assert framing(s, r) in panel.headline.text()
    for note in decision_notes(s, r):
        assert note in panel.notes.text().split("\n")
    assert pays_its_way(r) in panel.notes.text()
    panel.show_no_results()
    assert panel.notes.text() == "" and not panel.notes.isVisibleTo(panel)


JARGON = ("p5", "p95", "sigma", "percentile", "standard deviation", "0% of 0", "None", "nan", "inf%")


@pytest.mark.parametrize("appetite", [0.0, 0.05, 1.0])
@pytest.mark.parametrize("case", list(CASES))
def test_every_new_sentence_reaches_page_one_in_plain_words(case, appetite, tmp_path):
    from charityrisk.report.text import appetite_sentence, drivers_sentence, reserves_notes
    s, r = run(appetite=appetite, **CASES[case])
    first = _page_one(s, r, tmp_path)
    sentences = [framing(s, r), pays_its_way(r), *reserves_notes(s, r)[1:]]
    if drivers_sentence(s, r):
        sentences.append(drivers_sentence(s, r))
    for sentence in sentences:
        assert sentence in first
    for sentence in [*sentences, headline(s, r), appetite_sentence(r, appetite)]:
        assert not any(word in sentence for word in JARGON), sentence
    # The one rule decides the case: within at 100% whatever happens; at 0% only where no
    # future runs out.
    if appetite == 1.0:
        assert framing_case(r, appetite) == SAFE_KEPT
    if appetite == 0.0:
        assert (framing_case(r, appetite) == SAFE_KEPT) == (r.p_run_out == 0 and r.baseline.p_run_out == 0)


def test_the_mixed_case_names_what_the_futures_that_ran_out_had_in_common():
    from charityrisk.report.text import drivers_sentence
    s, r = run(**CASES["unsafe alone, mixed"])
    # Every future that runs out with the contract had no referrals: exact.
    assert drivers_sentence(s, r).startswith("In 100% of the futures that ran out, no referrals came "
                                             "(against ")


def test_too_close_to_call_alone_is_framed_as_not_safe_alone_and_says_so():
    import dataclasses
    s, r = run(opening_reserves=3600, monthly_other_income={"low": 1500, "likely": 2300, "high": 2600},
               contracts=[contract(price_per_referral=2000)])
    # A baseline chance of 5% +/- 1 point against an appetite of 5%: too close to call.
    base = dataclasses.replace(r.baseline, p_run_out=0.05, p_run_out_se=0.01)
    effect = dict(r.contract_effect, baseline_run_out=20, paths=400, baseline_month_median=6.0)
    r = dataclasses.replace(r, baseline=base, contract_effect=effect)
    assert framing_case(r, 0.05) == UNSAFE_ALONE
    assert framing(s, r).startswith(
        "Your budget alone runs out in 5% of futures, half of them by month 6 (Sep 2027): too close "
        "to call against the trustees' risk appetite of 5% before any contract.")


def test_the_most_likely_month_is_named_by_the_calendar_on_screen_and_on_page_one():
    from charityrisk.report.pdf import decision_key_figures
    from charityrisk.report.text import key_figures
    s, r = run()
    assert ("Most likely month to run out", "month 3 (Jun 2027)") in key_figures(s, r)
    assert ("Most likely month to run out", "month 3 (Jun 2027)") in decision_key_figures(s, r)
