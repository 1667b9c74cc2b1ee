"""Build engine-test scenarios from plain dicts, through the real validation path.

``make_scenario(**overrides)`` starts from the domain.md worked example (one contract) and
routes each override by key: organisation keys to the organisation, contract keys to the
single contract, anything else to the top level.  Pass ``contracts=[...]`` (dicts, e.g. from
``contract(...)``) for several contracts or none.
"""
from __future__ import annotations

import copy
from typing import Any

from charityrisk.model import Scenario, scenario_from_dict

WORKED_ORGANISATION: dict[str, Any] = {
    "opening_reserves": 3000,
    "monthly_other_income": 2000,
    "monthly_core_costs": 2500,
    "overdraft_facility": 0,
}

WORKED_CONTRACT: dict[str, Any] = {
    "name": "worked example",
    "start_month": 2,
    "duration_months": 4,
    "referrals_per_month": 3,
    "count_noise": "none",
    "price_per_referral": 800,
    "share_at_risk": 0.25,
    "payment_mode": "earn",
    "fee_lag_months": 1,
    "success_rate": 0.6,
    "target_success_rate": 0.5,
    "cohort_months": 2,
    "outcome_lag_months": 1,
    "cost_per_referral": 400,
    "fixed_monthly_cost": 500,
}

# An organisation with no money moving of its own: the balance is the contract alone.
QUIET = {"opening_reserves": 0, "monthly_other_income": 0, "monthly_core_costs": 0}

ORGANISATION_KEYS = {"opening_reserves", "monthly_other_income", "monthly_core_costs",
                     "overdraft_facility", "reserves_floor"}
CONTRACT_KEYS = set(WORKED_CONTRACT) | {"p_no_referrals", "late_payment"}


def contract(**overrides: Any) -> dict:
    """A contract dict: the worked example's contract with overrides."""
    unknown = set(overrides) - CONTRACT_KEYS
    if unknown:
        raise TypeError(f"not contract keys: {sorted(unknown)}")
    return {**copy.deepcopy(WORKED_CONTRACT), **overrides}


def make_scenario(contracts: list[dict] | None = None, **overrides: Any) -> Scenario:
    data: dict[str, Any] = {"horizon_months": 8, "organisation": dict(WORKED_ORGANISATION)}
    contract_changes = {}
    for key, value in overrides.items():
        if key in ORGANISATION_KEYS:
            data["organisation"][key] = value
        elif key in CONTRACT_KEYS:
            contract_changes[key] = value
        else:
            data[key] = value
    if contracts is None:
        contracts = [contract(**contract_changes)]
    elif contract_changes:
        raise TypeError("contract keys go into contracts=[contract(...)] when contracts is given")
    data["contracts"] = [copy.deepcopy(c) for c in contracts]
    return scenario_from_dict(data)
