"""Presets from real programmes (resources.PROGRAMMES): each loads, validates, simulates,
cites its figures in its notes and says where the model cannot express its rule."""
from __future__ import annotations

import json

import pytest

from charityrisk.engine import simulate
from charityrisk.engine.decisions import PROGRAMME_TERMS, compare, programme_options
from charityrisk.model import load_scenario
from charityrisk.model.validation import validate
from charityrisk.resources import PROGRAMMES, preset_path
from test_decisions import scenario

# Figures each programme's notes must cite (issue 11 and the Clinks response).
FIGURES = {
    "peterborough": ["1,000", "10%", "7.5%", "seven years"],
    "doncaster": ["10%", "5 percentage point", "second"],
    "work_programme": ["a third", "nil", "15%"],
    "transforming_rehabilitation": ["in arrears", "18 months", "16%", "48%"],
}


@pytest.mark.parametrize("key", list(PROGRAMMES))
def test_each_programme_preset_loads_validates_and_simulates(key):
    path = preset_path(key)
    raw = json.loads(path.read_text(encoding="utf-8"))
    s = load_scenario(path)
    assert validate(raw) == []
    r = simulate(s, 2000, 1)
    assert 0 <= r.p_run_out <= 1 and r.p_run_out_by_month.size == s.horizon_months
    notes = raw["notes"] + " " + raw["contracts"][0]["notes"]
    for figure in FIGURES[key]:
        assert figure in notes, (key, figure)
    if key != "doncaster":  # Doncaster's rule is the clawback mode; the others say what is left out
        assert "cannot express exactly" in raw["contracts"][0]["notes"]


def test_the_programmes_own_terms():
    c = {k: load_scenario(preset_path(k)).contracts[0] for k in PROGRAMMES}
    assert (c["peterborough"].cohort_months, c["peterborough"].payment_mode, c["peterborough"].share_at_risk) == (
        24, "threshold", 1.0)
    last = c["peterborough"].duration_months + c["peterborough"].outcome_lag_months
    assert last == 84  # seven years to the final payment
    assert (c["doncaster"].payment_mode, c["doncaster"].share_at_risk, c["doncaster"].cohort_months) == (
        "clawback", 0.1, 12)
    assert c["work_programme"].p_no_referrals == 0.33 and c["work_programme"].share_at_risk == 1.0
    tr = c["transforming_rehabilitation"]
    assert (tr.fee_lag_months, tr.cohort_months, tr.outcome_lag_months) == (1, 3, 18)
    assert tr.ramp_up_months > 0
    assert tr.referrals_per_month.high == pytest.approx(8 * 0.84, abs=0.05)
    assert tr.referrals_per_month.low == pytest.approx(8 * 0.52, abs=0.05)


def test_programme_options_apply_only_the_terms_to_the_users_contract():
    s = scenario()
    options = programme_options(s)
    assert [label for label, _ in options[1:]] == list(PROGRAMMES.values()) and options[0][1] is s
    for key, (_, variant) in zip(PROGRAMMES, options[1:]):
        source = load_scenario(preset_path(key)).contracts[0]
        mine = variant.contracts[0]
        for term in PROGRAMME_TERMS:
            assert getattr(mine, term) == getattr(source, term), term
        assert mine.referrals_per_month == s.contracts[0].referrals_per_month  # a shortfall is not a term
        assert mine.price_per_referral == s.contracts[0].price_per_referral and variant.organisation == s.organisation
    result = compare(options, paths=500, seed=1)
    assert len(result.options) == 5
    with pytest.raises(ValueError, match="contract"):
        programme_options(s, 3)
