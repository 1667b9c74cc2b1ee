"""Issue 13: comparing payment terms keeps the user's own risk guesses (referrals, success
rates, late payment, chance of no referrals) unless the user asks for the preset's, and the
results say which were used.  Engine, the GUI clicked like a user, and the CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from charityrisk.engine.decisions import compare, preset_options, programme_options
from charityrisk.engine.decisions.compare import (
    PRESET_GUESSES,
    RISK_GUESSES,
    STRUCTURE_TERMS,
    YOUR_GUESSES,
    apply_structure,
    compare_steps,
    risk_guesses_of,
)
from charityrisk.model import LatePayment, Uncertain, load_scenario, scenario_to_dict
from charityrisk.report.decision_text import comparison_lines, risk_guesses_sentence
from charityrisk.resources import PRESETS, PROGRAMMES, preset_path

# The user's own guesses, none of them any preset's or programme's.
MINE = {"referrals_per_month": Uncertain(6, 7, 9), "success_rate": Uncertain(0.4, 0.5, 0.6),
        "late_payment": LatePayment(0.2, 1), "p_no_referrals": 0.0}


@pytest.fixture
def mine(example):
    return example.with_contract(0, **MINE)


def _preset(key):
    return load_scenario(preset_path(key)).contracts[0]


def test_the_guesses_are_not_terms():
    assert not set(RISK_GUESSES) & set(STRUCTURE_TERMS)
    heavy = _preset("heavy_pbr")
    assert any(getattr(heavy, k) != v for k, v in MINE.items())  # the test can fail


def test_preset_options_keep_the_users_guesses(mine):
    options = preset_options(mine)
    assert options[0][1] is mine
    for key, (label, variant) in zip(PRESETS, options[1:]):
        c, source = variant.contracts[0], _preset(key)
        for guess, value in MINE.items():
            assert getattr(c, guess) == value, (label, guess)
        for term in STRUCTURE_TERMS:
            assert getattr(c, term) == getattr(source, term), (label, term)


def test_preset_options_take_the_presets_guesses_when_asked(mine):
    for key, (label, variant) in zip(PRESETS, preset_options(mine, 0, preset_guesses=True)[1:]):
        c, source = variant.contracts[0], _preset(key)
        for term in STRUCTURE_TERMS + RISK_GUESSES:
            assert getattr(c, term) == getattr(source, term), (label, term)
        assert c.price_per_referral == mine.contracts[0].price_per_referral  # never a guess


def test_programme_options_keep_or_take_the_guesses(mine):
    for _, variant in programme_options(mine)[1:]:
        for guess, value in MINE.items():
            assert getattr(variant.contracts[0], guess) == value
    for key, (_, variant) in zip(PROGRAMMES, programme_options(mine, 0, True)[1:]):
        for guess in RISK_GUESSES:
            assert getattr(variant.contracts[0], guess) == getattr(_preset(key), guess), (key, guess)


def test_apply_structure_with_and_without_the_guesses(mine):
    heavy = _preset("heavy_pbr")
    kept = apply_structure(mine, 0, heavy).contracts[0]
    taken = apply_structure(mine, 0, heavy, preset_guesses=True).contracts[0]
    assert (kept.p_no_referrals, kept.late_payment) == (0.0, LatePayment(0.2, 1))
    assert (taken.p_no_referrals, taken.late_payment) == (heavy.p_no_referrals, heavy.late_payment)
    assert kept.share_at_risk == taken.share_at_risk == heavy.share_at_risk


def test_the_comparison_says_whose_guesses_and_they_matter(mine):
    small = replace(mine, settings=replace(mine.settings, paths=2000))
    yours = compare(preset_options(small), risk_guesses=risk_guesses_of(False))
    theirs = compare(preset_options(small, 0, True), risk_guesses=risk_guesses_of(True))
    assert (yours.risk_guesses, theirs.risk_guesses) == (YOUR_GUESSES, PRESET_GUESSES)
    assert yours.to_json_dict()["risk_guesses"] == "yours"
    assert theirs.to_json_dict()["risk_guesses"] == "presets"
    # Same futures: heavy PbR with its 33% chance of no referrals runs out more often than
    # heavy PbR's terms under this charity's own (no) chance of that.
    heavy = list(PRESETS).index("heavy_pbr") + 1
    assert theirs.options[heavy].p_run_out > yours.options[heavy].p_run_out
    assert yours.options[0].p_run_out == theirs.options[0].p_run_out  # the user's own, untouched
    assert "kept this scenario's own" in comparison_lines(yours)[-1]
    assert "preset's own" in comparison_lines(theirs)[-1]
    files = compare([("a", small), ("b", small)])
    assert files.risk_guesses is None and risk_guesses_sentence(files) == ""
    assert not any("guesses" in line for line in comparison_lines(files))
    with pytest.raises(ValueError, match="risk_guesses"):
        next(compare_steps([("a", small)], risk_guesses="mine"))


# ------------------------------------------------------------------ the GUI, like a user

@pytest.fixture
def panel(qtbot, mine, prompts):
    from charityrisk.gui.decisions_panel import DecisionsPanel

    p = DecisionsPanel(prompts=prompts)
    qtbot.addWidget(p)
    p.set_scenario(mine)
    p.show()
    yield p
    p.shutdown()


@pytest.mark.parametrize("button", ["compare_button", "programmes_button"])
def test_gui_comparison_keeps_my_guesses_unless_ticked(qtbot, panel, mine, button):
    box = panel.preset_guesses
    assert not box.isChecked() and box.text() and box.toolTip() and box.accessibleName()
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000) as shown:
        qtbot.mouseClick(getattr(panel, button), Qt.MouseButton.LeftButton)
    comparison = shown.args[0]
    assert comparison.risk_guesses == YOUR_GUESSES
    for option in comparison.options:
        for guess, value in MINE.items():
            assert getattr(option.scenario.contracts[0], guess) == value
    assert panel.compare_note.isVisible() and "kept this scenario's own" in panel.compare_note.text()

    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000) as shown:
        qtbot.mouseClick(getattr(panel, button), Qt.MouseButton.LeftButton)
    comparison = shown.args[0]
    assert comparison.risk_guesses == PRESET_GUESSES
    keys = list(PRESETS if button == "compare_button" else PROGRAMMES)
    for key, option in zip(keys, comparison.options[1:]):
        for guess in RISK_GUESSES:
            assert getattr(option.scenario.contracts[0], guess) == getattr(_preset(key), guess)
    assert "preset's own" in panel.compare_note.text()


def test_gui_file_comparison_says_nothing_about_presets(qtbot, panel, mine, tmp_path):
    from charityrisk.model import save_scenario

    path = tmp_path / "other.json"
    save_scenario(mine, path)
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000) as shown:
        panel.run_file_comparison([path])
    assert shown.args[0].risk_guesses is None and not panel.compare_note.isVisible()


@pytest.fixture
def form(qtbot, mine):
    from charityrisk.gui.form import ScenarioForm

    widget = ScenarioForm()
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.set_scenario(mine)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _apply(qtbot, form, text):
    preset = form.findChild(type(form.preset), "contract.preset")
    preset.setCurrentIndex(preset.findText(text))
    with qtbot.waitSignal(form.edited, timeout=1000):
        qtbot.mouseClick(form.apply_preset_button, Qt.MouseButton.LeftButton)
    scenario, problems = form.scenario()
    assert problems == [] and scenario is not None
    return scenario.contracts[0]


def test_form_apply_preset_keeps_my_guesses_unless_ticked(qtbot, form, mine):
    heavy = _preset("heavy_pbr")
    box = form.preset_guesses
    assert box.objectName() == "contract.preset_guesses" and box.toolTip() and not box.isChecked()
    c = _apply(qtbot, form, "Heavy PbR (Work Programme)")
    assert (c.share_at_risk, c.payment_mode) == (heavy.share_at_risk, heavy.payment_mode)
    for guess, value in MINE.items():
        assert getattr(c, guess) == value, guess
    assert "kept" in form.preset_hint.text()

    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    c = _apply(qtbot, form, "Heavy PbR (Work Programme)")
    for guess in RISK_GUESSES:
        assert getattr(c, guess) == getattr(heavy, guess), guess
    assert "replaced yours" in form.preset_hint.text()


def test_form_preset_guesses_box_is_in_the_tab_order(form):
    """Reached by Tab right after Apply, before the contract's own inputs."""
    order, widget = [], form.preset
    for _ in range(5):
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            order.append(widget.objectName())
    assert order[:2] == ["contract.apply_preset", "contract.preset_guesses"]


# ------------------------------------------------------------------ the CLI

def _run(*args):
    return subprocess.run([sys.executable, "-m", "charityrisk", *map(str, args)],
                          capture_output=True, text=True, timeout=180)


@pytest.fixture
def charity(tmp_path, mine):
    path = tmp_path / "charity.json"
    path.write_text(json.dumps(scenario_to_dict(mine)))
    return path


def test_cli_compare_presets_keeps_my_guesses_unless_asked(charity):
    kept = _run("compare", charity, "--presets", "--paths", 1000, "--json")
    taken = _run("compare", charity, "--presets", "--preset-guesses", "--paths", 1000, "--json")
    assert kept.returncode == 0 and taken.returncode == 0, kept.stderr + taken.stderr
    kept_data, taken_data = json.loads(kept.stdout), json.loads(taken.stdout)
    assert (kept_data["risk_guesses"], taken_data["risk_guesses"]) == ("yours", "presets")
    heavy = list(PRESETS).index("heavy_pbr") + 1
    assert taken_data["options"][heavy]["p_run_out"] > kept_data["options"][heavy]["p_run_out"]
    human = _run("compare", charity, "--presets", "--paths", 1000)
    assert human.returncode == 0 and "kept this scenario's own" in human.stdout


def test_cli_preset_guesses_needs_presets(charity, tmp_path):
    other = tmp_path / "other.json"
    other.write_text(charity.read_text())
    done = _run("compare", charity, other, "--preset-guesses")
    assert done.returncode == 2 and "--preset-guesses" in done.stderr and "Traceback" not in done.stderr
    data = json.loads(_run("compare", charity, other, "--paths", 500, "--json").stdout)
    assert data["risk_guesses"] is None


def test_board_pack_comparison_keeps_the_scenarios_guesses(mine):
    """The report command's comparison (and so the PDF's page 3) uses the user's guesses."""
    from charityrisk.engine import simulate
    from charityrisk.report.pdf import build_pages

    small = replace(mine, settings=replace(mine.settings, paths=1000))
    comparison = compare(preset_options(small), risk_guesses=YOUR_GUESSES)
    pages = build_pages(small, simulate(small, 1000, 1), comparison=comparison)
    text = " ".join(t.get_text() for fig in pages for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert "kept this scenario's own guesses" in text.replace("\n", " ")
    assert len(pages) == 5  # four, and the budget lines on a page of their own
