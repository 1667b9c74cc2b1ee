"""Scenario file version 2 (docs/model.md): written by the app, version 1 still means the same,
every new key checked and named by its key path."""
import copy
import json

import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.model import (
    BudgetLine,
    Problem,
    ScenarioError,
    Uncertain,
    load_scenario,
    save_scenario,
    scenario_from_dict,
)
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_dict
from charityrisk.model.migration import FORMAT_VERSION, migrate_v1_to_v2
from charityrisk.resources import resource_path

SHIPPED = sorted(p.name for p in resource_path("scenarios").glob("*.json"))

V1_FILE = {
    "format": "charityrisk-scenario", "version": 1, "name": "old file", "horizon_months": 8,
    "organisation": {"opening_reserves": 3000, "monthly_other_income": {"low": 1500, "likely": 2000, "high": 2200},
                     "monthly_core_costs": 2500, "overdraft_facility": 500, "reserves_floor": 1000},
    "contracts": [{
        "name": "c", "start_month": 2, "duration_months": 4, "referrals_per_month": {"low": 2, "likely": 3, "high": 5},
        "p_no_referrals": 0.1, "price_per_referral": 800, "share_at_risk": 0.25,
        "payment_mode": "earn", "fee_lag_months": 1, "success_rate": 0.6,
        "target_success_rate": 0.5, "cohort_months": 2, "outcome_lag_months": 1,
        "cost_per_referral": 400, "fixed_monthly_cost": 500,
        "late_payment": {"probability": 0.2, "months": 2}, "notes": "kept",
    }],
    "simulation": {"paths": 2000, "seed": 7, "risk_appetite": 0.05},
}


def _same_results(a, b) -> None:
    ra, rb = simulate(a, paths=400, seed=3), simulate(b, paths=400, seed=3)
    assert ra.to_json_dict() == rb.to_json_dict()
    assert np.array_equal(ra.balance_percentiles["5"], rb.balance_percentiles["5"])


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_means_the_same_after_saving_as_version_2(tmp_path, name):
    original = load_scenario(resource_path("scenarios", name))
    path = tmp_path / name
    save_scenario(original, path)
    assert json.loads(path.read_text())["version"] == FORMAT_VERSION == 3
    again = load_scenario(path)
    assert again == original
    assert again.extra == original.extra and again.contracts[0].extra == original.contracts[0].extra
    _same_results(original, again)


def test_version_1_file_migrates_to_the_same_scenario():
    v1 = scenario_from_dict(copy.deepcopy(V1_FILE))
    migrated, problems = migrate_v1_to_v2(copy.deepcopy(V1_FILE))
    assert problems == [] and migrated["version"] == 2
    v2 = scenario_from_dict(migrated)
    assert v1 == v2 and v1.contracts[0].extra == {"notes": "kept"}
    assert v1.organisation.budget == () and v1.correlation == 0
    c = v1.contracts[0]
    assert (c.guaranteed_referrals_per_month, c.ramp_up_months, c.exit_cost, c.wind_down_months) == (0, 0, 0, None)
    _same_results(v1, v2)
    # and the version 1 file, saved by this app and read again
    again = parse_scenario_text(json.dumps(scenario_to_dict(v1)))
    assert again == v1
    _same_results(v1, again)


def test_version_1_keeps_its_required_keys_and_its_unknown_keys():
    data = copy.deepcopy(V1_FILE)
    del data["organisation"]["monthly_core_costs"]
    # Settled 2026-12-06: a newer key in an older file is read with its meaning (and a
    # warning), never set aside; so a "budget" that is not a list is an error of its own.
    data["organisation"]["budget"] = "a note someone left in a version 1 file"
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert [(p.path, p.code) for p in info.value.problems] == [("organisation.monthly_core_costs", "required"),
                                                                ("organisation.budget", "type")]
    data["organisation"]["monthly_core_costs"] = 2500
    data["organisation"]["budget"] = []
    data["organisation"]["bank_notes"] = "kept"
    s = scenario_from_dict(data)
    assert s.organisation.budget == ()
    assert s.organisation.extra == {"bank_notes": "kept"}


def test_version_2_defaults_other_income_and_core_costs_to_zero():
    data = copy.deepcopy(V1_FILE)
    data["version"] = 2
    del data["organisation"]["monthly_core_costs"], data["organisation"]["monthly_other_income"]
    org = scenario_from_dict(data).organisation
    assert (org.monthly_core_costs, org.monthly_other_income) == (0, Uncertain.fixed(0))


def test_newer_version_refused_naming_it():
    data = dict(V1_FILE, version=4)
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(json.dumps(data))
    [p] = info.value.problems
    assert (p.path, p.code, p.limits["got"], p.limits["newest"]) == ("version", "version", 4, 3)
    assert "version 4" in p.message


V2_FILE = copy.deepcopy(V1_FILE) | {"version": 2, "correlation": 0.3}
V2_FILE["organisation"]["budget"] = [
    {"name": "Rent", "kind": "cost", "amount": 1200},
    {"name": "December appeal", "kind": "income", "amount": {"low": 2000, "likely": 5000, "high": 9000},
     "start_month": 12, "end_month": 36, "every_months": 12, "growth_per_year": 0.05, "probability": 0.8,
     "owner": "fundraising"},
]
V2_FILE["contracts"][0] |= {"guaranteed_referrals_per_month": 2, "ramp_up_months": 3, "exit_cost": 4000,
                            "wind_down_months": 2}


def test_version_2_round_trip_with_budget_lines(tmp_path):
    s = scenario_from_dict(copy.deepcopy(V2_FILE))
    rent, appeal = s.organisation.budget
    assert rent == BudgetLine("Rent", "cost", Uncertain.fixed(1200))
    assert (rent.start_month, rent.end_month, rent.every_months, rent.probability) == (1, None, 1, 1)
    assert appeal.amount == Uncertain(2000, 5000, 9000) and appeal.end_month == 36
    assert appeal.extra == {"owner": "fundraising"}
    c = s.contracts[0]
    assert (c.guaranteed_referrals_per_month, c.ramp_up_months, c.exit_cost, c.wind_down_months) == (2, 3, 4000, 2)
    assert s.correlation == 0.3
    path = tmp_path / "v2.json"
    save_scenario(s, path)
    saved = json.loads(path.read_text())
    assert saved["version"] == 3 and saved["correlation"] == 0.3
    assert saved["organisation"]["budget"][0] == {"name": "Rent", "kind": "cost", "amount": 1200, "start_month": 1,
                                                  "every_months": 1, "growth_per_year": 0, "probability": 1}
    assert saved["organisation"]["budget"][1]["owner"] == "fundraising"
    assert saved["contracts"][0]["exit_cost"] == 4000
    again = load_scenario(path)
    assert again == s and again.organisation.budget[1].extra == {"owner": "fundraising"}


def _problems(change) -> list[Problem]:
    data = copy.deepcopy(V2_FILE)
    change(data)
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    return info.value.problems


def _line(key, value):
    return lambda d: d["organisation"]["budget"][1].__setitem__(key, value)


def _contract(key, value):
    return lambda d: d["contracts"][0].__setitem__(key, value)


@pytest.mark.parametrize("change,path,code", [
    (_line("end_month", 11), "organisation.budget[1].end_month", "order"),
    (_line("every_months", 0), "organisation.budget[1].every_months", "range"),
    (_line("every_months", 13), "organisation.budget[1].every_months", "range"),
    (_line("amount", -5), "organisation.budget[1].amount", "range"),
    (_line("amount", {"low": -1, "likely": 2, "high": 3}), "organisation.budget[1].amount.low", "range"),
    (_line("probability", 1.2), "organisation.budget[1].probability", "range"),
    (_line("growth_per_year", -0.6), "organisation.budget[1].growth_per_year", "range"),
    (_line("kind", "gift"), "organisation.budget[1].kind", "choice"),
    (_line("start_month", 0), "organisation.budget[1].start_month", "range"),
    (lambda d: d["organisation"]["budget"][0].pop("name"), "organisation.budget[0].name", "required"),
    (lambda d: d["organisation"].__setitem__("budget", [{"name": "x", "kind": "cost", "amount": 1}] * 10_000),
     "organisation.budget", "too_many"),
    (lambda d: d["organisation"].__setitem__("budget", {"rent": 1}), "organisation.budget", "type"),
    (lambda d: d.__setitem__("correlation", 0.99), "correlation", "range"),
    (lambda d: d.__setitem__("correlation", -0.2), "correlation", "range"),
    (_contract("guaranteed_referrals_per_month", -1), "contracts[0].guaranteed_referrals_per_month", "range"),
    (_contract("ramp_up_months", 1.5), "contracts[0].ramp_up_months", "type"),
    (_contract("exit_cost", -100), "contracts[0].exit_cost", "range"),
    (_contract("wind_down_months", 5), "contracts[0].wind_down_months", "order"),
])
def test_each_bad_new_value_is_named_by_its_key_path(change, path, code):
    problems = _problems(change)
    assert [(p.path, p.code) for p in problems] == [(path, code)], problems
    assert problems[0].text.startswith(path + ": ")


def test_limits_say_what_was_broken():
    [p] = _problems(_line("end_month", 11))
    assert (p.limits["other"], p.limits["bound"], p.got) == ("start_month", 12, 11)
    [p] = _problems(_contract("wind_down_months", 5))
    assert (p.limits["other"], p.limits["bound"], p.got) == ("duration_months", 4, 5)
    [p] = _problems(lambda d: d.__setitem__("correlation", 0.99))
    assert (p.limits["lo"], p.limits["hi"], p.got) == (0, 0.95, 0.99)
    [p] = _problems(lambda d: d["organisation"].__setitem__("budget", [{}] * 10_000))
    assert (p.limits["max"], p.limits["count"]) == (200, 10_000)
    assert "200" in p.message  # said, not only counted


def test_version_1_file_reads_version_2_keys_with_a_warning():
    # Settled 2026-12-06 (domain.md, version 3): read with that meaning, never dropped.
    data = copy.deepcopy(V1_FILE)
    data["contracts"][0]["exit_cost"] = 5000
    data["correlation"] = 0.5
    warnings: list = []
    s = scenario_from_dict(data, warnings)
    assert s.contracts[0].exit_cost == 5000 and s.correlation == 0.5
    assert "v1:exit_cost" not in s.contracts[0].extra and "v1:correlation" not in s.extra
    assert sorted((w.path, w.code, w.limits["since"]) for w in warnings) == [
        ("contracts[0].exit_cost", "newer", 2), ("correlation", "newer", 2)]
