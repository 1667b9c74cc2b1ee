"""The scenario's notes (issue 13): a version 2 key, kept with the file, bounded, and a
version 1 file's own "notes" key is not read with a meaning it never had."""
import pytest

from charityrisk.model import ScenarioError, scenario_from_dict, scenario_to_dict
from charityrisk.model.fields import MAX_NOTES


def data(**top):
    return {"version": 2, "name": "Bid", "horizon_months": 12, "organisation": {"opening_reserves": 0},
            "contracts": [], **top}


def test_notes_are_kept_and_written_only_when_there_are_some():
    s = scenario_from_dict(data(notes="From the 2026 budget."))
    assert s.notes == "From the 2026 budget."
    assert scenario_to_dict(s)["notes"] == "From the 2026 budget."
    assert "notes" not in scenario_to_dict(scenario_from_dict(data()))
    assert scenario_from_dict(data(notes="a")) != scenario_from_dict(data(notes="b"))  # an edit


def test_notes_too_long_or_not_text_are_named():
    assert len(scenario_from_dict(data(notes="n" * MAX_NOTES)).notes) == MAX_NOTES
    for bad in ("n" * (MAX_NOTES + 1), 42):
        with pytest.raises(ScenarioError) as error:
            scenario_from_dict(data(notes=bad))
        assert [(p.path, p.code) for p in error.value.problems] == [("notes", "text")]


def test_a_version_1_notes_key_is_read_with_a_warning():
    # Settled 2026-12-06: a newer key in an older file keeps its meaning, with a warning.
    old = {"version": 1, "name": "Bid", "notes": "old", "horizon_months": 12, "contracts": [],
           "organisation": {"opening_reserves": 0, "monthly_other_income": 0, "monthly_core_costs": 0}}
    warnings: list = []
    s = scenario_from_dict(old, warnings)
    assert s.notes == "old" and s.extra == {}
    assert [(w.path, w.code) for w in warnings] == [("notes", "newer")]
