"""The 'What would make it safe' tab: buttons run the engine's decision tools off the GUI
thread and show exactly what they computed."""
import itertools
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from charityrisk.engine.decisions import analyse, compare, preset_options
from charityrisk.gui.decisions_panel import DecisionsPanel
from charityrisk.report.decision_text import advice


@pytest.fixture
def scenario(example):
    return example


@pytest.fixture
def panel(qtbot, scenario, prompts):
    p = DecisionsPanel(prompts=prompts)
    qtbot.addWidget(p)
    p.set_scenario(scenario)
    p.show()
    yield p
    p.shutdown()


def test_find_what_would_make_it_safe(qtbot, panel, scenario):
    with qtbot.waitSignal(panel.analysis_shown, timeout=60_000) as shown:
        qtbot.mouseClick(panel.safe_button, Qt.MouseButton.LeftButton)
    expected = analyse(scenario, contract=0)
    assert shown.args[0].solutions.to_json_dict() == expected.solutions.to_json_dict()
    assert panel.advice.text().startswith(advice(expected.solutions))
    labels = [t.get_text() for t in panel.tornado.ax.get_yticklabels()]
    assert len(labels) == min(8, len(expected.sensitivity.bars))
    assert panel.status.text() == ""


def test_compare_payment_structures(qtbot, panel, scenario):
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000):
        qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    expected = compare(preset_options(scenario, 0))
    assert panel.table.rowCount() == len(expected.options)
    for row, option in enumerate(expected.options):
        assert panel.table.item(row, 0).text() == option.label
    assert len(panel.curves.ax.get_lines()) == len(expected.options) + 1  # + appetite line


def test_answers_for_an_older_scenario_are_labelled(qtbot, panel, scenario):
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000):
        panel.run_comparison()
    panel.set_scenario(scenario.with_organisation(opening_reserves=1.0))
    assert "changed since" in panel.status.text()


def test_cancel_stops_the_search(qtbot, panel, scenario):
    panel.set_scenario(replace(scenario, settings=replace(scenario.settings, paths=100_000)))
    with qtbot.waitSignal(panel.runner.cancelled, timeout=60_000):
        panel.run_analysis()
        qtbot.waitUntil(panel.cancel_button.isVisible, timeout=10_000)
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.analysis is None
    assert "Cancelled" in panel.status.text()


def test_compare_with_the_users_own_saved_variants(qtbot, panel, scenario, tmp_path, prompts):
    from charityrisk.model import save_scenario

    safer = scenario.with_contract(0, share_at_risk=0.0)
    save_scenario(safer, tmp_path / "no risk.json")
    (tmp_path / "broken.json").write_text("{")
    prompts.script("ask_open_paths", [tmp_path / "no risk.json", tmp_path / "broken.json"])
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000) as shown:
        qtbot.mouseClick(panel.compare_files_button, Qt.MouseButton.LeftButton)
    warned = prompts.messages("show_warning")
    comparison = shown.args[0]
    assert [o.label for o in comparison.options] == ["This scenario", "no risk"]
    assert comparison.options[1].p_run_out <= comparison.options[0].p_run_out
    assert "broken.json" in warned[0]


def test_compare_with_real_programmes(qtbot, panel, scenario):
    from charityrisk.engine.decisions import programme_options

    small = replace(scenario, settings=replace(scenario.settings, paths=2000))
    panel.set_scenario(small)
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000) as shown:
        qtbot.mouseClick(panel.programmes_button, Qt.MouseButton.LeftButton)
    expected = compare(programme_options(small, 0), risk_guesses="yours")
    assert shown.args[0].to_json_dict() == expected.to_json_dict()
    assert [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())] == [
        o.label for o in expected.options]
    assert any("Work Programme" in o.label for o in expected.options)


def test_a_rate_card_has_its_goal_seeks_but_no_shares_of_a_price_to_compare(qtbot, panel, scenario):
    """The structures compared are shares of a price; a rate card has none, so those buttons
    say why they are off, and the goal seeks are the rate card's own terms."""
    from charityrisk.model.scenario import OutcomeStage, Uncertain

    card = replace(scenario.contracts[0], payment_mode="rate_card", fee_per_referral=(400.0, 300.0),
                   outcome_payments=(OutcomeStage("Job start", 1000.0, Uncertain(0.2, 0.3, 0.4), 6, 1),))
    s = replace(scenario, contracts=(card,), settings=replace(scenario.settings, paths=1000))
    panel.set_scenario(s)
    assert panel.safe_button.isEnabled()
    assert not panel.compare_button.isEnabled() and "rate card" in panel.compare_button.toolTip()
    assert not panel.programmes_button.isEnabled()
    with qtbot.waitSignal(panel.analysis_shown, timeout=60_000) as shown:
        qtbot.mouseClick(panel.safe_button, Qt.MouseButton.LeftButton)
    inputs = [g.input for g in shown.args[0].solutions.goals]
    assert "share_at_risk" not in inputs and "outcome_payments[0].rate" in inputs
    assert "“Job start”" in panel.advice.text() and "outcome_payments" not in panel.advice.text()
    panel.set_scenario(scenario)  # a share of a price again: the comparisons come back
    assert panel.compare_button.isEnabled() and "rate card" not in panel.compare_button.toolTip()


def test_the_comparison_legend_names_each_option_whole_at_1024(qtbot, panel, scenario):
    """The legend once read "Example: a small resett…" and "Transforming Rehabilita…": each
    name is whole now, over more lines where it is long, and on the canvas's width at
    1024 x 768 (500 px) no entry overlaps another, the chart or the canvas's edge."""
    small = replace(scenario, settings=replace(scenario.settings, paths=500))
    panel.set_scenario(small)
    panel.resize(520, 900)
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000) as shown:
        qtbot.mouseClick(panel.programmes_button, Qt.MouseButton.LeftButton)
    canvas = panel.curves
    canvas.resize(500, canvas.minimumHeight())  # the room it has at 1024 x 768
    canvas.show_chart(canvas._draw)
    canvas.draw()
    figure = canvas.figure
    (legend,) = figure.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert not any("\u2026" in t for t in texts), texts
    joined = [" ".join(t.split()) for t in texts]
    for option in shown.args[0].options:
        head = option.label.split(" (", 1)[0]
        assert any(t.startswith(head) for t in joined), (head, joined)
    assert any("\n" in t for t in texts)  # the longest name does wrap at this width
    renderer = canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in legend.get_texts()]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    chart = canvas.ax.get_tightbbox(renderer)
    whole = figure.bbox
    for box in boxes + [legend.get_window_extent(renderer)]:
        assert box.y1 <= chart.y0 + 1, "the legend runs into the chart"
        assert whole.x0 - 1 <= box.x0 and box.x1 <= whole.x1 + 1 and box.y0 >= whole.y0 - 1, "off the canvas"
