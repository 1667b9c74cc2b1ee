"""The 'Two terms at once' view, used as a user would: pick two terms from the keyboard,
press the button, read the sentence and the chart; cancel; a stale grid is labelled."""
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from charityrisk.engine.decisions.negotiate import negotiate
from charityrisk.gui.decisions_panel import DecisionsPanel
from charityrisk.gui.negotiate_panel import NegotiatePanel
from charityrisk.report.negotiate_text import lever_label, negotiation_sentence


@pytest.fixture
def panel(qtbot, example):
    p = NegotiatePanel()
    qtbot.addWidget(p)
    p.set_scenario(example)
    p.show()
    yield p
    p.shutdown()


def choose(qtbot, box, label):
    """Pick an item from a combo box with the keyboard, as a user tabbing through would."""
    box.setFocus()
    for _ in range(box.count()):
        if box.currentText() == label:
            return
        qtbot.keyClick(box, Qt.Key.Key_Down)
    for _ in range(box.count()):
        if box.currentText() == label:
            return
        qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.currentText() == label


def test_the_grid_for_two_terms_picked_from_the_keyboard(qtbot, panel, example):
    assert panel.levers() == ("share_at_risk", "overdraft_facility")  # the usual pair, ready to run
    choose(qtbot, panel.second, lever_label("outcome_lag_months"))
    assert panel.levers() == ("share_at_risk", "outcome_lag_months")
    with qtbot.waitSignal(panel.shown, timeout=60_000) as shown:
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    expected = negotiate(example, ["share_at_risk", "outcome_lag_months"])
    assert shown.args[0].to_json_dict() == expected.to_json_dict()
    assert panel.sentence.text() == negotiation_sentence(expected)
    # The example's 4% chance of no referrals holds the risk up whatever these two terms.
    assert "chance of no referrals at all alone keeps it at" in panel.sentence.text()
    assert panel.precision.text().startswith("Each figure is from the same 2,000 simulated futures")
    cells = len(expected.rows.values) * len(expected.columns.values)
    assert len(panel.chart.ax.texts) == cells
    assert panel.chart.accessibleDescription().startswith("Grid of the chance of running out")
    assert panel.sentence.text() in panel.chart.accessibleDescription()
    assert panel.status.text() == ""


def test_the_same_term_twice_cannot_be_run(qtbot, panel):
    choose(qtbot, panel.second, lever_label("share_at_risk"))
    assert not panel.run_button.isEnabled()
    assert panel.status.text() == "Choose two different terms."
    choose(qtbot, panel.second, lever_label("overdraft_facility"))
    assert panel.run_button.isEnabled() and panel.status.text() == ""


def test_the_button_works_from_the_keyboard(qtbot, panel):
    panel.run_button.setFocus()
    with qtbot.waitSignal(panel.shown, timeout=60_000) as shown:
        qtbot.keyClick(panel.run_button, Qt.Key.Key_Space)
    assert shown.args[0].cheapest  # an overdraft can always be made large enough
    assert "keeps it within your 5% appetite" in panel.sentence.text()


def test_cancel(qtbot, panel):
    panel.paths = 100_000  # slow enough to cancel
    with qtbot.waitSignal(panel.runner.cancelled, timeout=60_000):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(panel.cancel_button.isVisible, timeout=10_000)
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.status.text() == "Cancelled."
    assert panel.negotiation is None and not panel.progress.isVisible()


def test_a_grid_for_an_older_scenario_is_labelled(qtbot, panel, example):
    with qtbot.waitSignal(panel.shown, timeout=60_000):
        panel.run()
    panel.set_scenario(example.with_organisation(opening_reserves=1.0))
    assert "changed since this grid" in panel.status.text()


def test_without_a_contract_only_the_organisations_terms_are_offered(qtbot, panel, example):
    panel.set_scenario(replace(example, contracts=()))
    offered = {panel.first.itemData(i) for i in range(panel.first.count())}
    assert offered == {"overdraft_facility", "opening_reserves", "overdraft_interest_per_year"}
    assert panel.levers() == ("overdraft_facility", "opening_reserves")


def test_a_rate_card_offers_its_fee_and_not_a_share_at_risk(qtbot, panel, example):
    from charityrisk.model.scenario import OutcomeStage, Uncertain

    card = replace(example.contracts[0], payment_mode="rate_card", fee_per_referral=(400.0, 300.0),
                   outcome_payments=(OutcomeStage("Job start", 1000.0, Uncertain.fixed(0.3), 6, 1),))
    panel.set_scenario(replace(example, contracts=(card,)))
    offered = {panel.first.itemData(i) for i in range(panel.first.count())}
    assert "fee_per_referral" in offered and "overdraft_interest_per_year" in offered
    assert not offered & {"share_at_risk", "outcome_lag_months", "price_per_referral"}
    assert panel.first.itemText([panel.first.itemData(i) for i in range(panel.first.count())]
                                .index("fee_per_referral")) == "Fee per referral"


def test_it_is_a_tab_of_what_would_make_it_safe(qtbot, example, prompts):
    d = DecisionsPanel(prompts=prompts)
    qtbot.addWidget(d)
    d.set_scenario(example)
    try:
        index = d.views.indexOf(d.negotiate)
        assert d.views.tabText(index) == "Two terms at once"
        assert d.negotiate.scenario is example
        d.set_scenario(example.with_contract(0, name="Renamed"))
        assert d.negotiate.contract_choice.itemText(0) == "1. Renamed"
    finally:
        d.shutdown()


def test_in_the_decisions_tab_the_tabs_contract_choice_is_the_one(qtbot, example, prompts):
    two = replace(example, contracts=(example.contracts[0],
                                      replace(example.contracts[0], name="Second", id=2, share_at_risk=0.5)))
    d = DecisionsPanel(prompts=prompts)
    qtbot.addWidget(d)
    d.set_scenario(two)
    d.show()
    try:
        d.views.setCurrentWidget(d.negotiate)
        assert not d.negotiate.contract_choice.isVisible()  # one contract chooser, the tab's
        d.contract_choice.setCurrentIndex(1)
        with qtbot.waitSignal(d.negotiate.shown, timeout=60_000) as shown:
            qtbot.mouseClick(d.negotiate.run_button, Qt.MouseButton.LeftButton)
        n = shown.args[0]
        assert n.rows.key == "contracts[1].share_at_risk" and n.rows.current == 0.5
    finally:
        d.shutdown()


def offered(box):
    return [box.itemText(i) for i in range(box.count())]


def test_a_stage_price_and_a_budget_scale_as_the_two_terms(qtbot):
    """Version 3's terms of a list's items are offered by the items' own names, only those the
    scenario has, and the grid for them is the engine's for the same scenario and futures."""
    from test_decisions_v3 import v3
    s = v3()
    p = NegotiatePanel()
    qtbot.addWidget(p)
    p.set_scenario(s)
    p.show()
    try:
        items = [t for t in offered(p.first) if t.startswith(("Price of “", "Scale of “"))]
        # the rate card's two stages and the one line with a monthly pattern (not the rent)
        assert items == ["Price of “Job start”", "Price of “Sustained job”", "Scale of “Appeal”"]
        assert offered(p.second) == offered(p.first)
        choose(qtbot, p.first, "Price of “Sustained job”")
        choose(qtbot, p.second, "Scale of “Appeal”")
        assert p.levers() == ("outcome_payments[1].price", "budget[0].scale")
        p.paths = 400
        with qtbot.waitSignal(p.shown, timeout=60_000) as shown:
            qtbot.mouseClick(p.run_button, Qt.MouseButton.LeftButton)
        expected = negotiate(s, ["outcome_payments[1].price", "budget[0].scale"], 0, paths=400)
        assert shown.args[0].to_json_dict() == expected.to_json_dict()
        assert len(expected.rows.values) >= 3 and len(expected.columns.values) >= 3
        assert len({x for row in expected.p for x in row}) > 1  # the two terms move the risk
        assert p.sentence.text() == negotiation_sentence(expected, True)  # two contracts: named
        # the chart's axes name the stage and the line, as the chooser does
        assert p.chart.ax.get_ylabel() == "Price of “Sustained job”"
        assert p.chart.ax.get_xlabel() == "Scale of “Appeal”"
        # The pooled threshold contract has no stages: its prices are not offered, the line is.
        p.contract_choice.setCurrentIndex(1)
        assert [t for t in offered(p.first) if t.startswith(("Price of “", "Scale of “"))] == ["Scale of “Appeal”"]
        assert p.levers()[1] == "budget[0].scale"  # the user's choice kept where still offered
        assert p.levers()[0] != "outcome_payments[1].price"
    finally:
        p.shutdown()


def test_a_scenario_without_stages_or_patterns_offers_no_item_terms(panel):
    assert not [t for t in offered(panel.first) if "“" in t]


def test_a_renamed_stage_is_offered_by_its_new_name_and_an_unnamed_one_by_its_place(qtbot):
    from test_decisions_v3 import stage, v3
    s = v3()
    card = s.contracts[0]
    p = NegotiatePanel()
    qtbot.addWidget(p)
    p.set_scenario(s)
    p.set_scenario(s.with_contract(0, outcome_payments=stage(card, 0, name="Job outcome")))
    assert "Price of “Job outcome”" in offered(p.first) and "Price of “Job start”" not in offered(p.first)
    p.set_scenario(s.with_contract(0, outcome_payments=stage(card, 1, name="")))
    assert "Price of stage 2" in offered(p.first)
    p.shutdown()


def test_the_decisions_tabs_contract_choice_sets_which_stages_are_offered(qtbot, prompts):
    """The tab's one contract chooser: a rate card's stages are offered while it is chosen, the
    pooled threshold contract's terms (no stages) when that one is."""
    from test_decisions_v3 import v3
    d = DecisionsPanel(prompts=prompts)
    qtbot.addWidget(d)
    d.set_scenario(v3())
    d.show()
    try:
        d.views.setCurrentWidget(d.negotiate)
        assert "Price of “Job start”" in offered(d.negotiate.first)
        d.contract_choice.setCurrentIndex(1)
        texts = offered(d.negotiate.first)
        assert "Price of “Job start”" not in texts and "Pooled target" in texts and "Scale of “Appeal”" in texts
        d.contract_choice.setCurrentIndex(0)
        assert "Price of “Sustained job”" in offered(d.negotiate.second)
    finally:
        d.shutdown()
