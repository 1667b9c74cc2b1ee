"""What would make it safe, split (issue 25): the overdraft and the opening reserves the
organisation needs anyway (without the contract) and what the contract adds or takes off,
from the lowest balances of the same futures.  The worked example's organisation bottoms out
at -£1,000 in month 8 without the contract and at -£100 in month 3 with it: exact."""
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.decisions.goalseek import money_answer, money_needs
from charityrisk.engine.verdict import Verdict, verdict
from charityrisk.report.text import (
    MONEY_NEEDS_HEADER,
    UNPROVABLE,
    money_need_sentence,
    money_needs_rows,
)
from scenario_factory import contract, make_scenario

PATHS = 400


def test_needed_anyway_and_what_the_contract_takes_off_exactly():
    s = make_scenario(contracts=[contract()])
    overdraft, reserves = money_needs(s, paths=PATHS)
    assert (overdraft.without.value, overdraft.with_contracts.value) == (1000, 100)
    assert (reserves.without.value, reserves.with_contracts.value) == (4000, 3100)
    assert overdraft.contract_adds == reserves.contract_adds == -900
    assert money_need_sentence(overdraft, 1) == (
        "Without the contract you need an overdraft facility of £1,000 anyway; the contract lowers it by £900.")
    assert money_need_sentence(reserves, 1) == (
        "Without the contract you need opening reserves of £4,000 anyway; the contract lowers it by £900.")


def test_the_chance_shown_is_the_chance_at_the_value_shown():
    # Simulated again at each answer: the engine agrees with the analytic chance.
    s = make_scenario(contracts=[contract(referrals_per_month={"low": 1, "likely": 3, "high": 5},
                                          late_payment={"probability": 0.3, "months": 2})])
    overdraft, reserves = money_needs(s, paths=PATHS)
    for need in (overdraft, reserves):
        answer = need.with_contracts
        r = simulate(s.with_organisation(**{need.input: answer.value}), paths=PATHS)
        assert r.p_run_out == pytest.approx(answer.p_run_out_at_value)
        assert verdict(r.p_run_out, r.p_run_out_se, 0.05) is Verdict.WITHIN
        # a pound less is not within: the answer is the least whole pound
        if answer.value >= 1:
            less = simulate(s.with_organisation(**{need.input: answer.value - 1}), paths=PATHS)
            assert verdict(less.p_run_out, less.p_run_out_se, 0.05) is not Verdict.WITHIN


def test_a_contract_that_adds_to_what_is_needed():
    s = make_scenario(contracts=[contract(cost_per_referral=2000)], opening_reserves=4000)
    overdraft, _ = money_needs(s, paths=PATHS)
    assert overdraft.without.value == 0
    assert overdraft.contract_adds > 0
    assert money_need_sentence(overdraft, 1) == (
        f"Without the contract you need no overdraft facility; the contract adds "
        f"£{overdraft.contract_adds:,.0f} to it.")


def test_an_appetite_of_nothing_is_said_to_be_unprovable():
    s = make_scenario(contracts=[contract()])
    needs = money_needs(s, paths=PATHS, appetite=0.0)
    assert all(n.status == "unprovable" and n.without.value is None for n in needs)
    assert "no number of simulated futures proves a chance of nothing" in money_need_sentence(needs[0], 1)
    assert all(row[2] == UNPROVABLE for row in money_needs_rows(needs, 1))


def test_the_table_has_the_terms_today_the_safe_value_the_chance_and_its_range():
    s = make_scenario(contracts=[contract()])
    rows = money_needs_rows(money_needs(s, paths=PATHS), 1)
    assert MONEY_NEEDS_HEADER == ["Term (needed anyway: without the contract)", "Today", "Safe value",
                                  "Chance of running out there", "Monte Carlo range"]
    assert rows[0] == ["Overdraft: needed anyway", "£0", "£1,000", "0%", "£1,000"]
    assert rows[1] == ["Overdraft: with the contract", "£0", "£100", "0%", "£100"]
    assert rows[3][:3] == ["Reserves: with the contract", "£3,000", "£3,100"]


def test_money_answer_range_reaches_the_values_the_futures_cannot_tell_apart():
    # 1,000 futures short of 0..999 pounds: at £950 exactly 49 (4.9%) are still short.
    deficit = [float(k) for k in range(1000)]
    a = money_answer(deficit, 1000, 0.05)
    p = a.p_run_out_at_value
    assert verdict(p, (p * (1 - p) / 1000) ** 0.5, 0.05) is Verdict.WITHIN
    lo, hi = a.value_range
    assert hi == a.value and lo < a.value
    assert money_answer(deficit, 1000, 0.0).value is not None  # the rule itself: only money_needs refuses 0%


# --- on screen and in the board pack ----------------------------------------------------------

def test_analysis_carries_the_split_from_the_same_futures():
    from charityrisk.engine.decisions import analyse
    s = make_scenario(contracts=[contract()])
    a = analyse(s, paths=PATHS, seed=3)
    direct = money_needs(s, paths=PATHS, seed=3)
    assert [n.to_json_dict() for n in a.needs] == [n.to_json_dict() for n in direct]
    assert a.to_json_dict()["needs"][0]["contract_adds"] == -900
    assert analyse(make_scenario(contracts=[]), paths=50).needs == ()


def test_page_three_has_the_split_table_and_page_one_points_to_it(tmp_path):
    import re

    from pypdf import PdfReader

    from charityrisk.engine.decisions import analyse
    from charityrisk.report.pdf import write_report
    s = make_scenario(contracts=[contract()])
    a = analyse(s, paths=PATHS)
    path = tmp_path / "pack.pdf"
    write_report(s, path, paths=PATHS, analysis=a)
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(str(path)).pages]
    assert "The money needed, by the organisation anyway and with the contract: page 3." in pages[0]
    third = pages[2]
    assert "Chance of running out there" in third and "Monte Carlo range" in third
    for row in money_needs_rows(a.needs, 1):
        assert row[2] in third  # each safe value


def test_the_decisions_panel_shows_the_same_table(qtbot, prompts):
    from PySide6.QtCore import Qt

    from charityrisk.engine.decisions import analyse
    from charityrisk.gui.decisions_panel import DecisionsPanel
    s = make_scenario(contracts=[contract()])
    panel = DecisionsPanel(prompts=prompts)
    qtbot.addWidget(panel)
    panel.set_scenario(s)
    panel.show()
    try:
        with qtbot.waitSignal(panel.analysis_shown, timeout=60_000):
            qtbot.mouseClick(panel.safe_button, Qt.MouseButton.LeftButton)
        expected = analyse(s, contract=0)
        rows = money_needs_rows(expected.needs, 1)
        shown = [[panel.needs.item(r, c).text() for c in range(panel.needs.columnCount())]
                 for r in range(panel.needs.rowCount())]
        assert shown == rows and panel.needs.isVisible()
        assert money_need_sentence(expected.needs[0], 1) in panel.advice.text()
    finally:
        panel.shutdown()
