"""The board pack's table of what was assumed is a loop over the field table (report/terms.py):
every term the table lists shows its value; a term left at its default is listed only when it
is a risk (then marked "assumed"); a rate card lists its fees and stages, not the share terms."""
from __future__ import annotations

from dataclasses import replace

import pytest

from charityrisk.model.fields import fields_of
from charityrisk.model.scenario import LatePayment, OutcomeStage, Uncertain
from charityrisk.report.pdf import write_report
from charityrisk.report.terms import ASSUMED, NOT_USED, contract_table, organisation_rows

# A value other than the default for each contract term the pack lists, and a piece of the
# words that must then appear in the table.
CHANGED = {
    "start_month": (4, "4 to"),
    "referrals_per_month": (Uncertain(7, 9, 13), "7 to 13, most likely 9"),
    "p_no_referrals": (0.15, "15%"),
    "guaranteed_referrals_per_month": (6.0, "6 a month"),
    "ramp_up_months": (3, "3 months"),
    "price_per_referral": (2_345.0, "£2,345"),
    "share_at_risk": (0.35, "35%"),
    "payment_mode": ("threshold", "All or nothing"),
    "success_rate": (Uncertain(0.3, 0.4, 0.55), "30% to 55%, most likely 40%"),
    "cohort_months": (9, "In cohorts of 9 months"),
    "outcome_lag_months": (7, "outcome payments 7 months after"),
    "cost_per_referral": (777.0, "£777 a referral"),
    "wind_down_months": (5, "5 months"),
    "exit_cost": (12_500.0, "£12,500"),
    "late_payment": (LatePayment(0.3, 4), "30% chance that every payment is 4 months late"),
}


def table_text(scenario) -> str:
    return " | ".join(" ".join(row) for row in contract_table(scenario.contracts, scenario))


def test_every_listed_contract_term_shows_a_changed_value(example):
    listed = {row.name for row in fields_of("contracts[]") if row.pack}
    share_terms = listed - {"fee_per_referral", "outcome_payments", "pooled_target_success_rate"}
    assert share_terms == set(CHANGED), "a term the pack lists needs a case here"
    for name, (value, words) in CHANGED.items():
        changed = example.with_contract(0, **{name: value})
        assert words in table_text(changed), name


def test_a_risk_at_its_default_is_listed_and_marked_assumed(example):
    calm = example.with_contract(0, p_no_referrals=0.0, late_payment=LatePayment(0.0, 0))
    rows = {row[0]: row[1] for row in contract_table(calm.contracts, calm)}
    assert rows["Chance of no referrals at all"] == "0%" + ASSUMED
    assert rows["Late payment"] == "None" + ASSUMED
    assert not [label for label in rows if "exit" in label.lower()]  # at its default: not listed


def test_a_rate_card_lists_its_fees_and_stages_not_the_share_terms(example):
    card = replace(example.contracts[0], payment_mode="rate_card", fee_per_referral=(400.0, 300.0, 200.0, 0.0),
                   outcome_payments=(OutcomeStage("Job start", 1_000.0, Uncertain(0.2, 0.3, 0.4), 3),
                                     OutcomeStage("Sustained", 150.0, Uncertain(0.5, 0.6, 0.7), 6, 12)))
    both = replace(example, contracts=(card, example.contracts[0]))
    text = table_text(both)
    assert "£400, £300, £200, £0 a referral in contract years 1 to 4" in text
    assert "Job start: 20% to 40%, most likely 30% reach it, £1,000 from 3 months after the referral" in text
    assert "Sustained: 50% to 70%, most likely 60% reach it, £150 a month for 12 months" in text
    rows = {row[0]: row[1:] for row in contract_table(both.contracts, both)}
    assert rows["Price per referral"][0] == NOT_USED  # the rate card's column
    assert rows["Price per referral"][1] != NOT_USED  # the share-of-price contract's


def test_the_organisation_lists_interest_when_charged_and_hides_what_budget_lines_replace(example):
    assert example.organisation.budget  # the example is a budget of lines
    rows = dict(organisation_rows(example))
    assert not [label for label in rows if "Core costs" in label or "Other income" in label]
    assert not [label for label in rows if "interest" in label.lower()]
    charged = example.with_organisation(overdraft_interest_per_year=0.12, overdraft_facility=20_000.0)
    rows = dict(organisation_rows(charged))
    assert "12% a year, charged monthly on a balance below £0" in rows.values()
    assert rows["Overdraft facility"] == "£20,000"


@pytest.mark.slow
def test_the_real_pack_lists_a_rate_cards_stages(example, tmp_path):
    from pypdf import PdfReader

    card = replace(example.contracts[0], payment_mode="rate_card", fee_per_referral=(400.0, 0.0),
                   outcome_payments=(OutcomeStage("Job outcome", 1_200.0, Uncertain(0.2, 0.3, 0.4), 4),))
    scenario = replace(example, contracts=(card,), settings=replace(example.settings, paths=500))
    path = tmp_path / "pack.pdf"
    write_report(scenario, path, decisions=False)
    text = " ".join(page.extract_text() for page in PdfReader(str(path)).pages)
    text = " ".join(text.split())
    assert "Job outcome" in text and "£400, £0 a referral" in text
