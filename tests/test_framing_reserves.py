"""Reserves in the Charity Commission's terms (CC19) and what the overdraft costs (issue 25):
months of costs the free reserves cover, with and without the contract; a paragraph for the
reserves policy; the interest over the horizon on average and in the 1-in-20 worst future.
Scenarios with no uncertainty (or one yes/no) make every figure exact."""
import math

import pytest

from charityrisk.engine import simulate
from charityrisk.model import scenario_from_dict
from charityrisk.report.pdf import decision_key_figures
from charityrisk.report.text import (
    interest_words,
    monthly_costs_first_year,
    reserves_cover,
    reserves_figures,
    reserves_notes,
    reserves_policy,
)
from scenario_factory import contract

PATHS = 1_000


def scenario(contracts=(), budget=(), horizon=8, **org):
    organisation = {"opening_reserves": 3000, "monthly_other_income": 2000, "monthly_core_costs": 2500,
                    "budget": list(budget), **org}
    return scenario_from_dict({"horizon_months": horizon, "organisation": organisation,
                               "contracts": list(contracts)})


def test_months_of_costs_with_and_without_the_contract():
    # The contract's costs: £400 a referral x 3 + £500 a month, in months 2 to 5: £6,800 over
    # the 8 months, £850 a month on average on top of £2,500.
    s = scenario(contracts=[contract()])
    r = simulate(s, paths=PATHS)
    assert monthly_costs_first_year(r, with_contracts=False) == pytest.approx(2500)
    assert monthly_costs_first_year(r, with_contracts=True) == pytest.approx(3350)
    assert reserves_cover(s, r) == (
        "Your free reserves of £3,000 cover 1.2 months of costs without the contract (the first "
        "year's average, £2,500 a month); 0.9 months with it (£3,350 a month).")
    assert ("Free reserves, in months of the first year's costs",
            "1.2 months (0.9 months with the contract)") in decision_key_figures(s, r)


def test_an_organisation_with_no_costs_of_its_own_has_no_months_to_cover_without_the_contract():
    # No core costs and no cost lines: only the contract's costs are to be covered.
    s = scenario(contracts=[contract()], monthly_core_costs=0)
    r = simulate(s, paths=PATHS)
    assert monthly_costs_first_year(r, with_contracts=False) == 0
    assert reserves_cover(s, r).startswith("Without the contract you have no costs to cover; ")


def test_the_first_year_only():
    # A cost line from month 13 does not count: the first year's costs are the core costs.
    s = scenario(horizon=24, opening_reserves=100_000,
                 budget=[{"name": "New post", "kind": "cost", "amount": 5000, "start_month": 13}])
    r = simulate(s, paths=50)
    assert monthly_costs_first_year(r, with_contracts=True) == pytest.approx(2500)
    assert reserves_cover(s, r) == ("Your free reserves of £100,000 cover 40 months of costs (the "
                                    "first year's average, £2,500 a month).")


def test_no_reserves_cover_nothing():
    s = scenario(opening_reserves=-500, overdraft_facility=50_000)
    r = simulate(s, paths=50)
    assert reserves_cover(s, r).startswith("You start with no free reserves (-£500)")
    assert ("Free reserves, in months of the first year's costs", "none") in reserves_figures(s, r)


def test_the_policy_paragraph():
    s = scenario(contracts=[contract()])
    r = simulate(s, paths=PATHS)
    assert reserves_policy(s, r) == (
        "Our free reserves at the start of the period are £3,000: 1.2 months of our costs (the "
        "first year's average, £2,500 a month), or 0.9 months if we sign (£3,350 a month). Our "
        "cash-flow model puts the chance of running out of money within 8 months at 100% without "
        "the contract and 100% with it; the trustees accept a chance of 5%. To stay in funds in 19 "
        f"futures out of 20 we would need £{r.working_capital_needed_95:,.0f} more in reserves or "
        f"borrowing with the contract (£{r.baseline.working_capital_needed_95:,.0f} without). We "
        "review this policy with each budget.")


def test_the_policy_without_contracts_or_shortfall():
    s = scenario(opening_reserves=10_000, monthly_other_income=2500)
    r = simulate(s, paths=50)
    assert reserves_policy(s, r).endswith(
        "within 8 months at 0%; the trustees accept a chance of 5%. Our reserves keep us in funds "
        "in at least 19 futures out of 20. We review this policy with each budget.")


# --- overdraft interest ----------------------------------------------------------------------

MONTHLY = 0.12 / 12


def test_no_interest_no_words():
    s = scenario(contracts=[contract()])
    r = simulate(s, paths=50)
    assert r.interest_95 is None and r.baseline_interest_95 is None and r.baseline_interest_mean is None
    assert interest_words(s, r) is None
    assert not any("interest" in label for label, _ in reserves_figures(s, r))


def test_interest_compounds_exactly_when_nothing_is_uncertain():
    s = scenario(opening_reserves=-1200, monthly_other_income=0, monthly_core_costs=0,
                 overdraft_facility=10_000, overdraft_interest_per_year=0.12)
    r = simulate(s, paths=50)
    owed = 1200 * ((1 + MONTHLY) ** 8 - 1)
    assert r.interest_95 == pytest.approx(owed)
    assert float(r.mean_flows_by_month["interest"].sum()) == pytest.approx(owed)
    assert interest_words(s, r) == (f"Borrowing at 12% a year costs £{owed:,.0f} in interest over "
                                    f"the 8 months on average, and £{owed:,.0f} in the 1-in-20 worst future.")
    assert r.to_json_dict()["interest_95"] == pytest.approx(owed)


def test_the_worst_future_is_a_future_that_borrows():
    # A £1,200 bill in month 1 in about half the futures: those borrow from month 2 on.
    bill = {"name": "Boiler", "kind": "cost", "amount": 1200, "end_month": 1, "probability": 0.5}
    s = scenario(opening_reserves=0, monthly_other_income=0, monthly_core_costs=0, budget=[bill],
                 overdraft_facility=10_000, overdraft_interest_per_year=0.12)
    r = simulate(s, paths=PATHS)
    each = 1200 * ((1 + MONTHLY) ** 7 - 1)
    mean = float(r.mean_flows_by_month["interest"].sum())
    assert r.interest_95 == pytest.approx(each)
    assert 0.4 * each < mean < 0.6 * each
    assert mean == pytest.approx(each * r.p_below_floor)  # the futures below zero are those billed
    assert interest_words(s, r).endswith(f"and £{each:,.0f} in the 1-in-20 worst future.")


def test_interest_with_and_without_the_contract():
    # Without the contract nothing is borrowed; its costs in months 2 to 5 are.
    s = scenario(contracts=[contract(price_per_referral=0)], opening_reserves=4000,
                 overdraft_facility=50_000, overdraft_interest_per_year=0.12)
    r = simulate(s, paths=50)
    assert r.baseline_interest_95 == 0 and r.baseline_interest_mean == 0
    assert r.interest_95 > 0 and math.isclose(r.interest_95, float(r.mean_flows_by_month["interest"].sum()))
    assert interest_words(s, r).endswith(" (£0 and £0 without the contract).")
    label, value = reserves_figures(s, r)[-1]
    assert label == "Overdraft interest: average, 1-in-20 worst future"
    assert value == f"£{r.interest_95:,.0f}, £{r.interest_95:,.0f}"
    assert interest_words(s, r) in reserves_notes(s, r)


def test_page_one_has_the_reserves_in_its_figures_and_the_screen_the_policy(tmp_path, qtbot):
    import re

    from pypdf import PdfReader

    from charityrisk.report.pdf import write_report
    s = scenario(contracts=[contract()], overdraft_facility=20_000, overdraft_interest_per_year=0.12)
    path = tmp_path / "pack.pdf"
    r = write_report(s, path, paths=PATHS)
    first = re.sub(r"\s+", " ", PdfReader(str(path)).pages[0].extract_text())
    rows = reserves_figures(s, r)
    assert len(rows) == 2
    for label, value in rows:
        assert label in first and value in first
    # The paragraph is on page 1 only where it fits at a projected size (not here); on screen
    # always, with the reserves sentences.
    from charityrisk.gui.results_panel import ResultsPanel
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.show_results(s, r)
    lines = panel.notes.text().split("\n")
    assert f"For your reserves policy (Charity Commission, CC19): {reserves_policy(s, r)}" in lines
    for note in reserves_notes(s, r):
        assert note in lines


def test_the_policy_paragraph_reaches_page_one_where_there_is_room(tmp_path):
    import re

    from pypdf import PdfReader

    from charityrisk.report.pdf import write_report
    s = scenario()  # no contract: a short page 1
    path = tmp_path / "pack.pdf"
    r = write_report(s, path, paths=200)
    first = re.sub(r"\s+", " ", PdfReader(str(path)).pages[0].extract_text())
    assert "For your reserves policy (Charity Commission, CC19)" in first
    assert reserves_policy(s, r) in first
