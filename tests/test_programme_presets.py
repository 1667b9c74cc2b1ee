"""Presets from real programmes (resources.PROGRAMMES): each loads, validates, simulates,
cites its figures in its notes and says where the model cannot express its rule."""
from __future__ import annotations

import json

import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.decisions import PROGRAMME_TERMS, compare, programme_options
from charityrisk.engine.decisions.compare import CARD_TERMS, apply_structure, preset_options
from charityrisk.model import Uncertain, load_scenario
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_dict
from charityrisk.model.scenario import LatePayment
from charityrisk.model.validation import validate
from charityrisk.resources import PRESETS, PROGRAMMES, preset_path
from test_decisions import scenario

# Figures each programme's notes must cite (issues 11 and 23, the Clinks response, and the
# sources the Fair Chance Fund's notes name).
FIGURES = {
    "peterborough": ["1,000", "10%", "7.5%", "seven years", "0.445", "investors", "fee for service preset"],
    "doncaster": ["10%", "5 percentage point", "second"],
    "work_programme": ["a third", "nil", "15%", "£400 to £300 to £200", "six months", "four-weekly", "£3,500"],
    "fair_chance_fund": ["2015", "first year", "3, 6, 12 and 18 months", "100%", "ICF", "illustrative"],
    "transforming_rehabilitation": ["in arrears", "18 months", "16%", "48%"],
}
# Presets written for version 3's terms (issue 23).
VERSION_3 = ("peterborough", "work_programme", "fair_chance_fund", "transforming_rehabilitation")


@pytest.mark.parametrize("key", list(PROGRAMMES))
def test_each_programme_preset_loads_validates_and_simulates(key):
    path = preset_path(key)
    raw = json.loads(path.read_text(encoding="utf-8"))
    s = load_scenario(path)
    assert validate(raw) == []
    warnings: list = []
    parse_scenario_text(path.read_text(encoding="utf-8"), warnings)
    assert warnings == []  # no "newer" or "unused" key: each file says the version it needs
    assert (raw["version"] == 3) == (key in VERSION_3)
    r = simulate(s, 2000, 1)
    assert 0 <= r.p_run_out <= 1 and r.p_run_out_by_month.size == s.horizon_months
    notes = raw["notes"] + " " + raw["contracts"][0]["notes"]
    for figure in FIGURES[key]:
        assert figure in notes, (key, figure)
    if key != "doncaster":  # Doncaster's rule is the clawback mode; the others say what is left out
        assert "cannot express exactly, so this preset is an approximation" in raw["contracts"][0]["notes"] or (
            key == "transforming_rehabilitation" and "cannot express exactly" in raw["contracts"][0]["notes"])


def test_the_programmes_own_terms():
    c = {k: load_scenario(preset_path(k)).contracts[0] for k in PROGRAMMES}
    assert (c["peterborough"].cohort_months, c["peterborough"].payment_mode, c["peterborough"].share_at_risk) == (
        24, "threshold", 1.0)
    last = c["peterborough"].duration_months + c["peterborough"].outcome_lag_months
    assert last == 84  # seven years to the final payment
    assert (c["doncaster"].payment_mode, c["doncaster"].share_at_risk, c["doncaster"].cohort_months) == (
        "clawback", 0.1, 12)
    assert c["peterborough"].pooled_target_success_rate == pytest.approx(1 - 0.6 * (1 - 0.075))  # a 7.5% cut
    assert 1 - 0.6 * (1 - 0.10) == pytest.approx(c["peterborough"].target_success_rate)  # a 10% cut
    wp = c["work_programme"]
    assert wp.p_no_referrals == 0.33 and wp.payment_mode == "rate_card"
    assert wp.fee_per_referral == (400, 300, 200, 0)
    assert [(st.price, st.lag_months, st.payments) for st in wp.outcome_payments] == [
        (1100, 9, 1), (100, 10, 12), (100, 22, 12)]
    assert sum(st.price * st.payments for st in wp.outcome_payments) == 3500  # up to about £3,500
    fcf = c["fair_chance_fund"]
    assert (fcf.payment_mode, fcf.fee_per_referral, fcf.start_month, fcf.duration_months) == (
        "rate_card", (0,), 1, 12)  # 100% by results; referrals in the first year only
    assert max(st.lag_months + st.payments - 1 for st in fcf.outcome_payments) + fcf.end_month <= 36
    assert [st.lag_months for st in fcf.outcome_payments] == [2, 5, 8, 14, 20]  # 3, 6, 12, 18 months on
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
    assert len(result.options) == 1 + len(PROGRAMMES) == 6
    with pytest.raises(ValueError, match="contract"):
        programme_options(s, 3)


# --- each new preset's payments, by hand, on a variant without uncertainty -------------------

def certain(key, referrals, **contract):
    """The preset with nothing uncertain: fixed referrals, counts equal to their means, no
    chance of no referrals, no lateness, each stage's rate its most likely value."""
    raw = json.loads(preset_path(key).read_text(encoding="utf-8"))
    c = raw["contracts"][0]
    c.update(referrals_per_month=referrals, count_noise="none", p_no_referrals=0,
             late_payment={"probability": 0, "months": 0})
    for stage in c.get("outcome_payments", []):
        stage["rate"] = stage["rate"]["likely"]
    c.update(contract)
    return raw


def receipts(raw):
    r = simulate(parse_scenario_text(json.dumps(raw)), 4, 1)
    return np.asarray(r.mean_flows_by_month["contract_receipts"]), r


def by_hand(raw, fee_of_month):
    """Each month's receipts from the rate card's rules, written out again: month t's
    referrals N earn fee_of_month(t) in t + fee lag; N x rate_1 x ... x rate_k reach stage k
    and are paid its price in each of its ``payments`` months from t + lag."""
    c, horizon = raw["contracts"][0], raw["horizon_months"]
    want = np.zeros(horizon + 200)
    for t in range(c["start_month"], c["start_month"] + c["duration_months"]):
        n = c["referrals_per_month"]
        want[t + c["fee_lag_months"]] += n * fee_of_month(t)
        for stage in c["outcome_payments"]:
            n *= stage["rate"]
            for k in range(stage.get("payments", 1)):
                want[t + stage["lag_months"] + k] += n * stage["price"]
    return want[1:horizon + 1], want[horizon + 1:]


def test_work_programme_attachment_fee_falls_by_contract_year():
    raw = certain("work_programme", 10)
    got, r = receipts(raw)
    fees = {1: 400, 2: 300, 3: 200}
    want, after = by_hand(raw, lambda t: fees.get((t - 1) // 12 + 1, 0))
    np.testing.assert_allclose(got, want, rtol=0, atol=0.005)
    # The fee alone, before the first job outcome (month 10): 10 referrals x £400 a month.
    assert list(got[1:9]) == pytest.approx([4000] * 8) and got[0] == 0
    # Each year's last referral month is paid the next month at that year's fee, then it falls.
    only_fees = certain("work_programme", 10, outcome_payments=[{"name": "none", "price": 0, "rate": 0,
                                                                   "lag_months": 0}])
    fee_receipts, _ = receipts(only_fees)
    assert [fee_receipts[m - 1] for m in (13, 14, 25, 26, 37, 38, 61)] == pytest.approx(
        [4000, 3000, 3000, 2000, 2000, 0, 0])
    # Referrals of months up to 72 are all within the horizon: what falls after it is owed.
    assert r.expected_owed_after_horizon == pytest.approx(after.sum(), abs=0.01)


def test_work_programme_sustainment_is_paid_every_month_for_two_years():
    raw = certain("work_programme", 1, duration_months=1, fee_per_referral=0)
    got, _ = receipts(raw)
    job, year1, year2 = 0.3 * 1100, 0.3 * 0.7 * 100, 0.3 * 0.7 * 0.7 * 100
    want = [0.0] * 72
    want[9] = job  # month 10: 9 months after the month 1 referral
    for m in range(11, 23):
        want[m - 1] = year1
    for m in range(23, 35):
        want[m - 1] = year2
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_peterborough_pooled_target_pays_cohorts_that_missed_their_own():
    # 8 referrals a month for 72 months: three cohorts of 192, each paid A x N = 1,100 x 192.
    def month_84(success):
        raw = certain("peterborough", 8, success_rate=success)
        got, _ = receipts(raw)
        return got
    met = month_84(0.46)  # each cohort meets its own 10% cut: paid 12 months after it closes
    assert [met[m - 1] for m in (36, 60, 84)] == pytest.approx([211_200] * 3) and met.sum() == pytest.approx(633_600)
    pooled = month_84(0.45)  # each misses 46%, all together reach 44.5%: all paid in month 84
    assert pooled[83] == pytest.approx(633_600) and pooled.sum() == pytest.approx(633_600)
    assert month_84(0.44).sum() == 0  # below the pooled rate too: nothing at all


def test_fair_chance_fund_pays_its_rate_card_over_three_years_for_first_year_referrals():
    raw = certain("fair_chance_fund", 3)
    got, r = receipts(raw)
    want, after = by_hand(raw, lambda t: 0)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
    assert got[:2].sum() == 0 and got[32:].sum() == 0 and got[32 - 1] > 0  # months 3 to 32
    assert after.sum() == 0 and r.expected_owed_after_horizon == 0
    costs = np.asarray(r.mean_flows_by_month["contract_costs"])
    assert costs[:12] == pytest.approx([3 * 1500 + 3000] * 12) and costs[12:].sum() == 0


# --- applying a rate-card programme to the user's contract ------------------------------------

def test_a_rate_card_programme_brings_its_fees_and_stages_to_the_users_contract():
    s = scenario()
    for key, (_, variant) in zip(PROGRAMMES, programme_options(s)[1:]):
        source, mine = load_scenario(preset_path(key)).contracts[0], variant.contracts[0]
        assert [getattr(mine, t) for t in CARD_TERMS] == [getattr(source, t) for t in CARD_TERMS], key
        warnings: list = []
        again = parse_scenario_text(json.dumps(scenario_to_dict(variant)), warnings)  # a file the app can save
        assert again.contracts[0].outcome_payments == source.outcome_payments
        assert all(w.code == "unused" for w in warnings), (key, warnings)  # the user's share-at-risk keys
    # On the user's own certain referrals the card pays its fee schedule: 400 a referral in year 1.
    certain_s = s.with_contract(0, referrals_per_month=Uncertain.fixed(6), count_noise="none",
                                p_no_referrals=0.0, late_payment=LatePayment(0, 0))
    work = programme_options(certain_s)[1 + list(PROGRAMMES).index("work_programme")][1]
    got = simulate(work, 4, 1).mean_flows_by_month["contract_receipts"]
    start = s.contracts[0].start_month
    assert got[start + 1 - 1] == pytest.approx(6 * 400)  # month 1's referrals, fee lag 1


def test_a_share_at_risk_preset_clears_the_users_rate_card():
    card = load_scenario(preset_path("work_programme"))
    for key, (_, variant) in zip(PRESETS, preset_options(card)[1:]):
        c = variant.contracts[0]
        assert (c.payment_mode, c.fee_per_referral, c.outcome_payments, c.pooled_target_success_rate) == (
            load_scenario(preset_path(key)).contracts[0].payment_mode, (0.0,), (), None), key
        assert validate(json.loads(json.dumps(scenario_to_dict(variant)))) == []
        simulate(variant, 200, 1)
    pooled = load_scenario(preset_path("peterborough"))
    cleared = apply_structure(pooled, 0, load_scenario(preset_path("clinks_ceiling")).contracts[0]).contracts[0]
    assert cleared.payment_mode == "earn" and cleared.pooled_target_success_rate is None
