"""Scenario dataclasses, the field table, validation and the scenario file format (no Qt, no engine)."""
from .fields import FIELDS, FieldSpec, spec, spec_of
from .fileformat import load_scenario, parse_scenario_text, save_scenario, scenario_to_dict
from .problems import Problem, ScenarioError
from .scenario import BudgetLine, Contract, LatePayment, Organisation, Scenario, SimulationSettings, Uncertain
from .validation import scenario_from_dict, validate

__all__ = ["FIELDS", "BudgetLine", "Contract", "FieldSpec", "LatePayment", "Organisation", "Problem",
           "Scenario", "ScenarioError", "SimulationSettings", "Uncertain", "load_scenario",
           "parse_scenario_text", "save_scenario", "scenario_from_dict", "scenario_to_dict", "spec",
           "spec_of", "validate"]
