"""Version 3's ``first_month``: validated, written back, naming months, changing no figure."""
import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charityrisk.engine import simulate
from charityrisk.model.calendar import calendar_month, month_name, month_names, parse_first_month
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_dict
from charityrisk.model.problems import ScenarioError
from scenario_factory import make_scenario


def test_months_are_named_by_the_calendar():
    assert month_name("2027-04", 1) == "Apr 2027"
    assert month_name("2027-04", 10) == "Jan 2028"
    assert month_name("2027-12", 13) == "Dec 2028"
    assert month_name(None, 5) == "Month 5"
    assert month_names("2026-11", 3) == ["Nov 2026", "Dec 2026", "Jan 2027"]
    assert calendar_month("2027-01", 120) == (2036, 12)


@pytest.mark.parametrize("bad", ["2027-13", "2027-00", "2027-4", "27-04", "April 2027", "2027-04-01", 202704,
                                 "", True])
def test_a_first_month_that_is_not_a_calendar_month_is_named(bad):
    assert parse_first_month(bad) is None
    data = scenario_to_dict(make_scenario()) | {"first_month": bad}
    with pytest.raises(ScenarioError) as error:
        parse_scenario_text(json.dumps(data))
    [p] = error.value.problems
    assert (p.path, p.code, p.limits["got"]) == ("first_month", "calendar", bad)
    assert str(p).startswith('first_month: must be a calendar month "YYYY-MM"')


def test_first_month_is_read_and_written_and_left_out_when_not_set():
    s = make_scenario()
    assert s.first_month is None and "first_month" not in scenario_to_dict(s)
    data = scenario_to_dict(s) | {"first_month": "2027-04"}
    again = parse_scenario_text(json.dumps(data))
    assert again.first_month == "2027-04"
    assert scenario_to_dict(again)["first_month"] == "2027-04"


def test_first_month_in_a_version_2_file_is_read_with_a_warning():
    data = scenario_to_dict(make_scenario()) | {"version": 2, "first_month": "2027-04"}
    warnings: list = []
    assert parse_scenario_text(json.dumps(data), warnings).first_month == "2027-04"
    assert [(w.path, w.code, w.limits["since"]) for w in warnings] == [("first_month", "newer", 3)]


@settings(max_examples=15, deadline=None)
@given(year=st.integers(1990, 2090), month=st.integers(1, 12))
def test_first_month_changes_no_figure(year, month):
    s = make_scenario(referrals_per_month={"low": 1, "likely": 3, "high": 6}, count_noise="poisson")
    dated = dataclasses.replace(s, first_month=f"{year:04d}-{month:02d}")
    a, b = simulate(s, 200, 4).to_json_dict(), simulate(dated, 200, 4).to_json_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert np.isfinite(a["p_run_out"])
