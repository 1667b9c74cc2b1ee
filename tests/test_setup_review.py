"""The guided setup's last page lists every term of the scenario it made with its value: for
each contract only the terms its payment mode reads (Contract.reads, the one rule the board
pack's table and the decision tools use too), each in words."""
import pytest

from charityrisk.gui.start import review_rows
from charityrisk.model import load_scenario
from charityrisk.model.fields import spec_of
from charityrisk.model.scenario import RATE_CARD_KEYS, SHARE_ONLY_KEYS

RATE_CARD = "resources/scenarios/fair_chance_fund.json"
SHARE = "resources/scenarios/example.json"


def labels_of(keys):
    return {spec_of("contracts[]", key).label for key in keys if spec_of("contracts[]", key).in_form}


@pytest.mark.parametrize("path, unread", [(RATE_CARD, SHARE_ONLY_KEYS), (SHARE, RATE_CARD_KEYS)])
def test_a_contract_lists_only_the_terms_its_mode_reads(path, unread):
    rows = {r.label: r.value for r in review_rows(load_scenario(path), set(), "typed")}
    assert labels_of(unread), "the test must look for some terms"
    assert labels_of(unread).isdisjoint(rows), sorted(labels_of(unread) & set(rows))


def test_a_rate_cards_fee_reads_as_money_not_as_a_list():
    s = load_scenario(RATE_CARD)
    fee = {r.label: r.value for r in review_rows(s, set(), "typed")}["Fee per referral"]
    assert fee.startswith("£") and "(" not in fee, fee


def test_the_one_rule_of_what_a_mode_reads():
    s = load_scenario(SHARE)
    c = s.contracts[0]
    assert c.reads("share_at_risk") and not c.reads("outcome_payments[0].price")
    assert not c.reads("pooled_target_success_rate")  # only all or nothing reads it
    card = load_scenario(RATE_CARD).contracts[0]
    assert card.reads("outcome_payments[1].rate") and card.reads("fee_per_referral")
    assert not card.reads("share_at_risk") and not card.reads("success_rate")
