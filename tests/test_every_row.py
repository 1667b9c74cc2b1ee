"""Every row of the field table reaches everything that shows, saves or varies an input
(issue 22): set to a value other than the example's, a scenario or contract input comes back
from the form and from the saved file, and changes the board pack's table of what was assumed
(a risk at its default is listed there anyway, marked "assumed"); every input the tornado
varies moves the chance of running out in a scenario where it applies.

The values are made from the rows (their kind, bounds and choices), so a new row is tested
here without a line of its own; a row whose value cannot be made so says why below.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from charityrisk.engine.decisions import sensitivity
from charityrisk.gui.form import ScenarioForm
from charityrisk.model import fields as F
from charityrisk.model import load_scenario, parse_scenario_text, scenario_to_dict
from charityrisk.model.scenario import OutcomeStage, Uncertain
from charityrisk.report.terms import ASSUMED, contract_table, organisation_rows
from charityrisk.resources import example_scenario_path

# Not an assumption of the model (a name, the contract's number that keys its draws).
NOT_ASSUMED = {"contracts[].name", "contracts[].id"}
# Read only in a payment mode other than the example's: shown with that mode.
MODE_OF = {"contracts[].fee_per_referral": "rate_card", "contracts[].outcome_payments": "rate_card",
           "contracts[].pooled_target_success_rate": "threshold"}
STAGES = (OutcomeStage("Job start", 500.0, Uncertain(0.3, 0.4, 0.5), 3, 1),
          OutcomeStage("Sustained", 800.0, Uncertain(0.4, 0.5, 0.6), 9, 1))


def _number(row: F.FieldSpec, now: float) -> float:
    """A value within the row's bounds, other than ``now``."""
    lo = row.lo if row.lo is not None else 0.0
    hi = row.hi if row.hi is not None else lo + 10
    if row.kind == "fraction":
        value = 0.37 if abs(now - 0.37) > 0.01 else 0.21
        return min(max(value, lo + 0.01 if row.lo_open else lo), hi)
    if row.kind in ("months", "whole"):
        return int(min(hi, max(lo, now + 2 if now + 2 <= hi else now - 2)))
    return min(hi, max(lo, round(now * 1.3) + 1234.0))


def changed_value(row: F.FieldSpec, now: Any) -> Any:
    if row.levels:
        return next(v for _, v, _ in row.levels if v != now)
    if row.choices:
        return next(c for c in row.choices if c != now and c != "rate_card")
    if row.path == "contracts[].late_payment":
        return replace(now, probability=0.3, months=4)
    if row.path == "contracts[].fee_per_referral":
        return (450.0, 300.0)
    if row.path == "contracts[].outcome_payments":
        return STAGES[:1]
    if row.path == "contracts[].wind_down_months":
        return 6
    if row.path == "contracts[].pooled_target_success_rate":
        return 0.3
    if row.path == "simulation.precision":
        return 0.01
    if isinstance(now, Uncertain):
        likely = _number(row, now.likely)
        return Uncertain(0.8 * likely, likely, min(1.2 * likely, row.hi or likely))
    return _number(row, now if isinstance(now, (int, float)) else 0.0)


def _cases() -> list[F.FieldSpec]:
    rows = [r for owner in ("", "organisation", "contracts[]", "simulation") for r in F.fields_of(owner)]
    return [r for r in rows if ("." not in r.name and r.kind not in ("text", "list")) or r.name in
            ("late_payment", "fee_per_referral", "outcome_payments")]


@pytest.fixture(scope="module")
def base():
    s = load_scenario(example_scenario_path())
    return replace(s, settings=replace(s.settings, paths=1000))


def _set(s, row: F.FieldSpec, value: Any):
    if row.owner == "contracts[]":
        mode = MODE_OF.get(row.path)
        if mode == "rate_card":
            s = s.with_contract(0, payment_mode=mode, outcome_payments=STAGES, fee_per_referral=(500.0,))
        elif mode:
            s = s.with_contract(0, payment_mode=mode)
        return s.with_contract(0, **{row.name: value})
    if row.owner == "organisation":
        return s.with_organisation(**{row.name: value})
    if row.owner == "simulation":
        return replace(s, settings=replace(s.settings, **{row.name: value}))
    return replace(s, **{row.name: value})


def _get(s, row: F.FieldSpec) -> Any:
    owner = {"contracts[]": s.contracts[0], "organisation": s.organisation, "simulation": s.settings,
             "": s}[row.owner]
    return getattr(owner, row.name)


def _pack(s) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in contract_table(s.contracts, s)] + organisation_rows(s)


@pytest.mark.parametrize("row", _cases(), ids=lambda r: r.path)
def test_a_changed_input_is_saved_shown_in_the_form_and_in_the_pack(row, base, qtbot):
    mode_base = _set(base, row, _get(base, row)) if row.path in MODE_OF else base
    value = changed_value(row, _get(mode_base, row))
    changed = _set(base, row, value)
    assert _get(changed, row) != _get(mode_base, row), "the test's value must differ"

    saved = parse_scenario_text(json.dumps(scenario_to_dict(changed)))
    assert _get(saved, row) == value, "the saved file"

    if row.in_form:
        form = ScenarioForm()
        qtbot.addWidget(form)
        form.set_scenario(changed)
        shown, problems = form.scenario()
        assert problems == [] and shown is not None
        assert _get(shown, row) == pytest.approx(value) if isinstance(value, float) else _get(shown, row) == value

    if row.path not in NOT_ASSUMED and (row.pack or row.owner == "contracts[]"):
        # listed, or part of another listed term's words ("Fees 3 months after the work")
        assert _pack(changed) != _pack(mode_base), "the board pack's table of what was assumed"


def test_a_risk_at_its_default_is_listed_in_the_pack_marked_assumed(base):
    calm = base
    for row in (r for owner in ("", "organisation", "contracts[]") for r in F.fields_of(owner) if r.pack == "risk"):
        calm = _set(calm, row, row.default if row.default is not None else replace(_get(calm, row), probability=0.0))
    rows = dict(_pack(calm))
    for row in (r for owner in ("", "organisation", "contracts[]") for r in F.fields_of(owner) if r.pack == "risk"):
        label = row.summary or row.report_label or row.label
        assert rows[label].endswith(ASSUMED), row.path


def _where_each_applies(base):
    """Two scenarios in which every input the tornado varies is read: a threshold contract
    that can end early, with an overdraft, interest and uncertain other income; and a rate
    card beside a budget line with a monthly pattern."""
    org = dict(monthly_core_costs=3000.0, monthly_other_income=Uncertain(2000, 3000, 4000),
               overdraft_facility=60000.0, overdraft_interest_per_year=0.25)
    share = replace(base, correlation=0.3).with_organisation(**org).with_contract(
        0, payment_mode="threshold", pooled_target_success_rate=0.4, duration_months=24, exit_cost=20000.0,
        wind_down_months=6, p_no_referrals=0.2, guaranteed_referrals_per_month=3.0, ramp_up_months=3,
        outcome_lag_months=6, fee_lag_months=3)
    line = share.organisation.budget[0]
    pattern = replace(line, monthly_amounts=(4000.0,) * 6 + (3000.0,) * 6, scale=Uncertain(0.8, 1.0, 1.1))
    card = share.with_contract(0, payment_mode="rate_card", pooled_target_success_rate=None,
                               fee_per_referral=(600.0, 400.0), outcome_payments=STAGES)
    card = card.with_organisation(budget=(pattern,) + share.organisation.budget[1:])
    return share, card


def test_every_input_the_tornado_varies_moves_the_chance_where_it_applies(base):
    moved: set[str] = set()
    for s in _where_each_applies(base):
        for bar in sensitivity(s, paths=2000, seed=3).bars:
            if bar.p_low != bar.p_high:
                moved.add(F.spec(bar.key).path)  # type: ignore[union-attr]
    varied = {row.path for row in F.FIELDS if row.tornado is not None}
    assert varied - moved == set()
