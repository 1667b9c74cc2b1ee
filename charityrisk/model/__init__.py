"""Scenario dataclasses, validation and the scenario file format (no Qt, no engine)."""
from .fileformat import load_scenario, parse_scenario_text, save_scenario, scenario_to_dict
from .scenario import Contract, LatePayment, Organisation, Scenario, SimulationSettings, Uncertain
from .validation import ScenarioError, scenario_from_dict, validate

__all__ = ["Contract", "LatePayment", "Organisation", "Scenario", "ScenarioError",
           "SimulationSettings", "Uncertain", "load_scenario", "parse_scenario_text",
           "save_scenario", "scenario_from_dict", "scenario_to_dict", "validate"]
