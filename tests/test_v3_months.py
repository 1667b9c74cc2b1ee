"""Version 3's months named by the calendar and the new Month by month rows, in the CSV and
the key figures (the engine's figures, worked by hand, are the engine's own tests)."""
from __future__ import annotations

import csv
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.figure import Figure

from charityrisk.engine.simulate import simulate
from charityrisk.report import figures
from charityrisk.report.export import (
    INTEREST_LABEL,
    key_results_rows,
    month_by_month,
    monthly_rows,
    period_summary,
    write_csv,
)
from charityrisk.report.text import headline, key_figures
from scenario_factory import make_scenario


@pytest.fixture(scope="module")
def overdrawn():
    """The worked example with a £50 overdraft at 12% a year from April 2027: it goes
    to -£100 in month 3 (run out), so interest is charged in month 4."""
    s = make_scenario(overdraft_facility=50)
    s = replace(s, first_month="2027-04",
                organisation=replace(s.organisation, overdraft_interest_per_year=0.12))
    return s, simulate(s, 50, 1)


def test_interest_is_its_own_row_after_the_contract_costs(overdrawn):
    _, r = overdrawn
    table = month_by_month(r)
    labels = [row.label for row in table]
    assert labels.index(INTEREST_LABEL) == labels.index("Contract costs") + 1
    interest = table[labels.index(INTEREST_LABEL)].values
    np.testing.assert_array_equal(interest, r.mean_flows_by_month["interest"])
    assert interest[:3].sum() == 0 and interest.sum() > 0
    # the balance is still opening reserves plus the running sum of the flows, interest out
    flows = {row.label: row.values for row in table}
    net = (flows["Income"] - flows["Costs"] + flows["Contract receipts"] - flows["Contract costs"]
           - flows[INTEREST_LABEL])
    np.testing.assert_allclose(3000 + np.cumsum(net), flows["Average balance"], atol=1e-6)


def test_no_interest_row_without_interest():
    r = simulate(make_scenario(), 20, 1)
    assert INTEREST_LABEL not in [row.label for row in month_by_month(r)]


def test_months_named_by_the_calendar_in_the_csv(overdrawn, tmp_path):
    s, r = overdrawn
    rows = monthly_rows(r, s.first_month)
    assert [row[0] for row in rows[1:]] == ["Apr 2027", "May 2027", "Jun 2027", "Jul 2027", "Aug 2027",
                                             "Sep 2027", "Oct 2027", "Nov 2027"]
    path = tmp_path / "figures.csv"
    write_csv(s, r, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    months = [row[0] for row in written if row and row[0].endswith("2027")]
    assert months[:8] == months[8:16] == [row[0] for row in rows[1:]]  # both monthly sections
    _kind, periods = period_summary(r, month_by_month(r), s.first_month)
    assert periods[0].label == "Quarter 1 (Apr 2027 - Jun 2027)"
    assert monthly_rows(r)[1][0] == 1  # without a first month, numbers as before


def test_most_likely_month_to_run_out_by_name(overdrawn):
    s, r = overdrawn
    month = r.most_likely_run_out_month
    assert month is not None
    name = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"][month - 1] + " 2027"
    # One way of naming a month in a sentence everywhere (report.text.month_words).
    assert dict(key_figures(s, r))["Most likely month to run out"] == f"month {month} ({name})"
    assert f"month {month} ({name})" in headline(s, r)
    row = next(row for row in key_results_rows(s, r) if row[0] == "Most likely month to run out")
    assert row[1] == name


def test_chart_month_axis_named_by_the_calendar(overdrawn):
    s, r = overdrawn
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    figures.draw_fan_chart(ax, s, r)
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("2027") for t in ticks)
    assert ticks[0] == "May 2027"  # month 2, the first tick of a step of 2


def test_comparison_curves_name_months_by_the_calendar(overdrawn):
    from charityrisk.engine.decisions import compare
    from charityrisk.report.decision_figures import draw_comparison_curves

    s, _ = overdrawn
    comparison = compare([("As it is", s), ("Richer", s.with_organisation(opening_reserves=9000))], paths=50)
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    draw_comparison_curves(ax, comparison)
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("2027") for t in ticks)
