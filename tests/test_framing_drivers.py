"""What the futures that ran out had in common, in words (issue 25): the engine's
``run_out_drivers`` as one or two sentences, budget lines and contracts by their names; no
sentence where no future ran out, and a plain one where every future did."""
import dataclasses
import re

import pytest

from charityrisk.engine import simulate
from charityrisk.model import scenario_from_dict
from charityrisk.report.text import decision_notes, driver_words, drivers_sentence, percent
from scenario_factory import contract

PATHS = 2_000


def scenario(budget=(), contracts=(), reserves=1000, income=2000, **top):
    return scenario_from_dict({
        "horizon_months": 8, **top,
        "organisation": {"opening_reserves": reserves, "monthly_other_income": income,
                         "monthly_core_costs": 2000, "budget": list(budget)},
        "contracts": list(contracts)})


ROOF = {"name": "Roof repairs", "kind": "cost", "amount": 3000, "start_month": 3, "end_month": 3,
        "probability": 0.3}


def test_a_cost_line_that_falls_due_is_named_and_exact():
    s = scenario(budget=[ROOF])
    r = simulate(s, paths=PATHS)
    entry, = r.run_out_drivers
    assert entry["input"] == "organisation.budget[0].probability" and entry["share_run_out"] == 1.0
    assert 0 < r.p_run_out < 1
    assert drivers_sentence(s, r) == (
        f"In 100% of the futures that ran out, “Roof repairs” fell due (against "
        f"{percent(entry['share_all'])} of all futures).")
    assert drivers_sentence(s, r) in decision_notes(s, r)


def test_no_future_runs_out_no_sentence():
    s = scenario(budget=[{**ROOF, "amount": 500}], income={"low": 1900, "likely": 2000, "high": 2100},
                 reserves=5000)
    r = simulate(s, paths=PATHS)
    assert r.p_run_out == 0 and r.run_out_drivers  # there are entries, none of them told
    assert all(e["share_run_out"] is None for e in r.run_out_drivers)
    assert drivers_sentence(s, r) is None
    assert not any("0%" in n or "of the futures that ran out" in n for n in decision_notes(s, r))


def test_every_future_runs_out_says_so():
    s = scenario(budget=[{**ROOF, "probability": 0.5}], reserves=-10)
    r = simulate(s, paths=PATHS)
    assert r.p_run_out == 1
    assert drivers_sentence(s, r).startswith("Every future ran out, so nothing that was drawn sets "
                                             "the futures that ran out apart from the rest")


def test_two_drivers_read_as_in_domain_md():
    s = scenario(contracts=[contract(referrals_per_month={"low": 5, "likely": 10, "high": 12},
                                     late_payment={"probability": 0.25, "months": 3})])
    r = simulate(s, paths=200)
    drivers = [
        {"input": "contracts[0].late_payment", "kind": "event", "share_all": 0.25, "share_run_out": 0.81},
        {"input": "contracts[0].referrals_per_month", "kind": "value", "threshold": 9.0612,
         "share_all": 0.25, "share_run_out": 0.64},
        {"input": "contracts[0].p_no_referrals", "kind": "event", "share_all": 0.05, "share_run_out": 0.2},
    ]
    r = dataclasses.replace(r, run_out_drivers=drivers, p_run_out=0.3)
    assert drivers_sentence(s, r) == (
        "In 81% of the futures that ran out, the prime paid late (against 25% of all futures); in "
        "64%, the referral rate drawn was under 9.1 a month (against 25%).")


def test_nothing_stands_out_is_said_plainly():
    s = scenario(contracts=[contract(late_payment={"probability": 0.25, "months": 3})])
    r = simulate(s, paths=200)
    drivers = [{"input": "contracts[0].late_payment", "kind": "event", "share_all": 0.25, "share_run_out": 0.25}]
    r = dataclasses.replace(r, run_out_drivers=drivers, p_run_out=0.3)
    assert drivers_sentence(s, r).startswith("The futures that ran out looked like the rest")


def test_nearly_all_is_never_all():
    s = scenario(contracts=[contract(late_payment={"probability": 0.25, "months": 3})])
    r = simulate(s, paths=200)
    drivers = [{"input": "contracts[0].late_payment", "kind": "event", "share_all": 0.3, "share_run_out": 0.9976}]
    r = dataclasses.replace(r, run_out_drivers=drivers, p_run_out=0.3)
    assert drivers_sentence(s, r).startswith("In over 99% of the futures that ran out, the prime paid late")


STAGES = {"payment_mode": "rate_card", "outcome_payments": [
    {"name": "Engaged", "price": 300, "rate": {"low": 0.5, "likely": 0.7, "high": 0.8}, "lag_months": 1},
    {"name": "Job start", "price": 900, "rate": {"low": 0.2, "likely": 0.4, "high": 0.5}, "lag_months": 2}]}


@pytest.mark.parametrize("path, threshold, words", [
    ("organisation.monthly_other_income", 1912.4, "the other income drawn was under £1,912 a month"),
    ("organisation.budget[0].amount", 3100.0, "“Roof repairs” drawn was over £3,100"),
    ("organisation.budget[0].probability", None, "“Roof repairs” fell due"),
    ("organisation.budget[1].probability", None, "“Grant renewal” did not come"),
    ("organisation.budget[1].amount", 7000.0, "“Grant renewal” drawn was under £7,000"),
    ("organisation.budget[1].scale", 0.9, "“Grant renewal” drawn was under 90% of its usual amounts"),
    ("contracts[0].referrals_per_month", 9.0612, "the referral rate drawn on “Mentoring” was under 9.1 a month"),
    ("contracts[0].p_no_referrals", None, "no referrals came on “Mentoring”"),
    ("contracts[1].success_rate", 0.423, "the success rate drawn on “Housing” was under 42.3%"),
    ("contracts[0].late_payment", None, "the prime paid late on “Mentoring”"),
    ("contracts[0].outcome_payments[1].rate", 0.3, "the share reaching “Job start” on “Mentoring” drawn was under 30%"),
    ("contracts[5].late_payment", None, None),
    ("something.new", None, None),
])
def test_every_kind_of_entry_in_words(path, threshold, words):
    grant = {"name": "Grant renewal", "kind": "income", "amount": {"low": 6000, "likely": 9000, "high": 9000},
             "probability": 0.6}
    mentoring = {k: v for k, v in contract(name="Mentoring").items()
                 if k not in {"success_rate", "target_success_rate", "payment_mode", "share_at_risk"}}
    s = scenario(budget=[ROOF, grant], contracts=[{**mentoring, **STAGES}, contract(name="Housing")])
    entry = {"input": path, "kind": "event" if threshold is None else "value", "share_all": 0.25,
             "share_run_out": 0.5, **({} if threshold is None else {"threshold": threshold})}
    assert driver_words(s, entry) == words


def test_drivers_reach_page_one(tmp_path):
    from pypdf import PdfReader

    from charityrisk.report.pdf import write_report
    s = scenario(budget=[ROOF], first_month="2027-04")
    path = tmp_path / "pack.pdf"
    r = write_report(s, path, paths=PATHS)
    first = re.sub(r"\s+", " ", PdfReader(str(path)).pages[0].extract_text())
    assert drivers_sentence(s, r) in first
