"""The form is built from the field table: every contract and organisation input the table
lists appears with the table's caption and tooltip, and the version 2 contract terms reach
the scenario like any other input."""
from charityrisk.gui.form import ScenarioForm, form_key
from charityrisk.model import fields as F


def test_every_row_in_the_form_has_its_caption_and_tooltip(qtbot, example):
    form = ScenarioForm()
    qtbot.addWidget(form)
    form.set_scenario(example)
    rows = [r for owner in ("", "organisation", "contracts[]", "simulation") for r in F.fields_of(owner) if r.in_form]
    assert {"contract.exit_cost", "contract.wind_down_months", "contract.ramp_up_months",
            "contract.guaranteed_referrals_per_month"} <= {form_key(r) for r in rows}
    for row in rows:
        field = form._fields[form_key(row)]
        assert field.caption == row.label and field.tip == row.tip, row.path
        assert all(w.toolTip().endswith(row.tip) for w in field.inputs()), row.path
        assert field.inputs()[0].accessibleName(), row.path


def test_new_contract_terms_typed_in_the_form_reach_the_scenario(qtbot, example):
    form = ScenarioForm()
    qtbot.addWidget(form)
    form.set_scenario(example)
    f = form._fields
    assert f["contract.wind_down_months"].spin.text() == "Whole contract"
    f["contract.exit_cost"].spin.setValue(4500)
    f["contract.ramp_up_months"].spin.setValue(3)
    f["contract.guaranteed_referrals_per_month"].spin.setValue(2)
    f["contract.wind_down_months"].spin.setValue(6)
    scenario, problems = form.scenario()
    assert problems == []
    c = scenario.contracts[0]
    assert (c.exit_cost, c.ramp_up_months, c.guaranteed_referrals_per_month, c.wind_down_months) == (4500, 3, 2, 6)
    f["contract.wind_down_months"].spin.setValue(f["contract.wind_down_months"].spin.minimum())
    scenario, _ = form.scenario()
    assert scenario.contracts[0].wind_down_months is None
    f["contract.wind_down_months"].spin.setValue(example.contracts[0].duration_months + 1)
    scenario, problems = form.scenario()
    assert scenario is None and [(p.path, p.code) for p in problems] == [("contracts[0].wind_down_months", "order")]
    assert form.problem_fields() == ["contract.wind_down_months"]
