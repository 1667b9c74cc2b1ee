"""Validation and the scenario file format: every mistake named by key and reason."""
import copy
import json
import math

import pytest

from charityrisk.model import ScenarioError, load_scenario, save_scenario, scenario_from_dict
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_dict

VALID = {
    "horizon_months": 8,
    "organisation": {"opening_reserves": 3000, "monthly_other_income": 2000, "monthly_core_costs": 2500},
    "contracts": [{
        "name": "c", "start_month": 2, "duration_months": 4, "referrals_per_month": 3,
        "count_noise": "none", "price_per_referral": 800, "share_at_risk": 0.25,
        "payment_mode": "earn", "fee_lag_months": 1, "success_rate": 0.6,
        "target_success_rate": 0.5, "cohort_months": 2, "outcome_lag_months": 1,
        "cost_per_referral": 400, "fixed_monthly_cost": 500,
    }],
}


def with_change(path, value):
    data = copy.deepcopy(VALID)
    *parents, last = path
    node = data
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return data


def problems(data):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    return info.value.problems


def test_valid_scenario_gets_defaults():
    s = scenario_from_dict(VALID)
    assert s.organisation.overdraft_facility == 0
    assert s.organisation.reserves_floor == 0
    c = s.contracts[0]
    assert (c.p_no_referrals, c.late_payment.probability) == (0, 0)
    assert s.contracts[0].amount_at_risk == 200
    assert c.cohort_bounds() == [(0, 1), (2, 3)]


@pytest.mark.parametrize("path,value,message", [
    (("contracts", 0, "share_at_risk"), 1.4, "contracts[0].share_at_risk: must be between 0 and 1 (got 1.4)"),
    (("horizon_months",), 121, "horizon_months: must be between 1 and 120 (got 121)"),
    (("horizon_months",), 12.5, "horizon_months: must be a whole number (got 12.5)"),
    (("organisation", "monthly_core_costs"), -5, "organisation.monthly_core_costs: must be between 0"),
    (("organisation", "opening_reserves"), "lots", "organisation.opening_reserves: must be a number (got 'lots')"),
    (("organisation", "opening_reserves"), True, "organisation.opening_reserves: must be a number (got true)"),
    (("organisation", "opening_reserves"), float("nan"), "organisation.opening_reserves: must be a finite number"),
    (("organisation", "opening_reserves"), KeyError, "organisation.opening_reserves: is required"),
    (("contracts", 0, "payment_mode"), "bonus",
     "contracts[0].payment_mode: must be one of 'earn', 'threshold', 'clawback'"),
    (("contracts", 0, "count_noise"), "gaussian", "contracts[0].count_noise: must be one of"),
    (("contracts", 0, "target_success_rate"), 0, "contracts[0].target_success_rate: must be above 0 and at most 1"),
    (("contracts", 0, "success_rate"), {"low": 0.7, "likely": 0.5, "high": 0.9},
     "contracts[0].success_rate: needs low <= likely <= high (got 0.7, 0.5, 0.9)"),
    (("contracts", 0, "referrals_per_month"), {"low": 1, "high": 3},
     "contracts[0].referrals_per_month.likely: is required"),
    (("contracts", 0, "late_payment"), {"probability": 2, "months": 3},
     "contracts[0].late_payment.probability: must be between 0 and 1"),
    (("contracts", 0, "start_month"), 0, "contracts[0].start_month: must be between 1 and 120 (got 0)"),
    (("contracts",), {"a": 1}, "contracts: must be a list"),
    (("organisation",), [], "organisation: must be an object"),
])
def test_each_mistake_names_key_and_reason(path, value, message):
    found = problems(with_change(path, value))
    assert any(p.text.startswith(message) for p in found), found


def test_all_problems_reported_at_once():
    data = with_change(("contracts", 0, "share_at_risk"), 3)
    data["horizon_months"] = 0
    data["organisation"]["monthly_core_costs"] = "x"
    assert len(problems(data)) == 3


def test_round_trip_keeps_values_and_unknown_keys(tmp_path):
    data = copy.deepcopy(VALID)
    data["future_key"] = {"kept": True}
    data["contracts"][0]["notes"] = "from the prime's bid"
    data["contracts"][0]["success_rate"] = {"low": 0.3, "likely": 0.5, "high": 0.6}
    path = tmp_path / "s.json"
    save_scenario(scenario_from_dict(data), path)
    again = load_scenario(path)
    assert again == scenario_from_dict(data)
    saved = json.loads(path.read_text())
    assert saved["future_key"] == {"kept": True}
    assert saved["contracts"][0]["notes"] == "from the prime's bid"
    assert saved["format"] == "charityrisk-scenario" and saved["version"] == 3  # the app writes version 3


def test_save_keeps_previous_version_as_backup(tmp_path):
    path = tmp_path / "s.json"
    first = scenario_from_dict(VALID)
    save_scenario(first, path)
    save_scenario(first.with_organisation(opening_reserves=99.0), path)
    assert load_scenario(path).organisation.opening_reserves == 99
    assert load_scenario(tmp_path / "s.json.bak").organisation.opening_reserves == 3000
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_newer_version_refused_with_its_number():
    data = dict(VALID, format="charityrisk-scenario", version=7)
    with pytest.raises(ScenarioError, match="format version 7"):
        parse_scenario_text(json.dumps(data))


@pytest.mark.parametrize("text,message", [
    ("{not json", "file: not valid JSON"),
    ('{"horizon_months": NaN}', "file: not valid JSON"),
    ("[1, 2]", "scenario: must be a JSON object"),
    ("[" * 100000 + "]" * 100000, "file:"),
])
def test_broken_text_gives_message(text, message):
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(text)
    assert info.value.problems[0].text.startswith(message)


def test_unreadable_and_oversized_files(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.json")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (6 * 1024 * 1024))
    with pytest.raises(ScenarioError, match="too large"):
        load_scenario(big)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\x00garbage\xfe")  # no byte-order mark: \xff\xfe is UTF-16's
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(binary)


def test_fixed_uncertain_saved_as_number():
    d = scenario_to_dict(scenario_from_dict(VALID))
    assert d["organisation"]["monthly_other_income"] == 2000
    assert not math.isnan(d["contracts"][0]["share_at_risk"])
