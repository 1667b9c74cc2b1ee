"""The charts' text alternatives carry their key figures, read off the same results."""
import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.report import describe
from charityrisk.report.text import money
from scenario_factory import make_scenario

# domain.md worked example: every future is the same; closing balances
# 2,500; 300; -100; 700; 300; 2,800; 2,300; 1,800: runs out in month 3, lowest -£100.
WORKED_BALANCES = [2500, 300, -100, 700, 300, 2800, 2300, 1800]


@pytest.fixture(scope="module")
def worked():
    s = make_scenario()
    return s, simulate(s, 50, 3)


def test_worked_example_fan_chart_description(worked):
    s, r = worked
    assert np.allclose(r.balance_percentiles["50"], WORKED_BALANCES)  # the premise
    text = describe.describe_fan_chart(r, s)
    assert text == (
        "Chart of the cash balance at the end of each month, over 8 months, from 50 simulated "
        "futures. At the end of month 8, half the futures are above £1,800; 1 in 20 are below "
        "£1,800 and 1 in 20 above £1,800. The typical future is lowest in month 3, at -£100; "
        "the 1 in 20 low line is lowest in month 3, at -£100. Money runs out below £0.")


def test_worked_example_run_out_description(worked):
    _, r = worked
    text = describe.describe_run_out_chart(r, appetite=0.05)
    assert text == ("Chart of the chance of having run out by the end of each month, rising to "
                    "100% by month 8. The first futures run out in month 3. It passes the "
                    "trustees' risk appetite of 5% in month 3.")


def test_worked_example_lowest_balance_description(worked):
    s, r = worked
    text = describe.describe_lowest_balance_chart(r, s)
    assert "In 100% of futures it goes below £0: they run out of money." in text
    assert "lowest balance is above -£100" in text and "1 in 20 go below -£100" in text


def test_no_run_out_and_an_overdraft_and_floor_are_described():
    s = make_scenario(overdraft_facility=500, reserves_floor=1000)
    r = simulate(s, 20, 1)
    fan = describe.describe_fan_chart(r, s)
    assert "Money runs out below the overdraft limit of -£500." in fan
    assert "The reserves floor is £1,000." in fan
    run_out = describe.describe_run_out_chart(r, appetite=0.05)
    assert run_out.endswith("No future runs out within 8 months. It stays below the trustees' "
                            "risk appetite of 5%.")
    assert "No future goes below the overdraft limit of -£500." in describe.describe_lowest_balance_chart(r, s)


@pytest.fixture(scope="module")
def uncertain():
    """Poisson referrals and a later, leaner contract: futures differ, some run out over months."""
    s = make_scenario(count_noise="poisson", opening_reserves=4000, horizon_months=12,
                      duration_months=8)
    return s, simulate(s, 4000, 7)


def test_uncertain_example_figures_are_the_results_own(uncertain):
    s, r = uncertain
    assert 0 < r.p_run_out < 1  # the premise: a spread of futures
    bp = r.balance_percentiles
    fan = describe.describe_fan_chart(r, s)
    assert f"half the futures are above {money(bp['50'][-1])}" in fan
    assert f"1 in 20 are below {money(bp['5'][-1])}" in fan
    low_month = int(np.argmin(bp["5"])) + 1
    assert f"the 1 in 20 low line is lowest in month {low_month}, at {money(np.min(bp['5']))}" in fan

    p = r.p_run_out_by_month
    run_out = describe.describe_run_out_chart(r, appetite=0.05)
    first = int(np.argmax(p > 0)) + 1
    assert f"The first futures run out in month {first}." in run_out
    steepest = int(np.argmax(np.diff(p, prepend=0))) + 1
    assert f"It rises most in month {steepest}" in run_out
    passes = np.flatnonzero(p > 0.05)
    assert (f"passes the trustees' risk appetite of 5% in month {passes[0] + 1}" in run_out
            if passes.size else "stays within" in run_out)

    low = describe.describe_lowest_balance_chart(r, s)
    assert money(r.lowest_balance_percentiles["50"]) in low and money(r.lowest_balance_percentiles["5"]) in low


def test_all_charts_are_described_in_drawing_order(uncertain):
    s, r = uncertain
    parts = describe.describe_charts(r, s, appetite=0.05)
    assert tuple(parts) == describe.CHARTS
    whole = describe.describe_results_canvas(r, s, appetite=0.05)
    assert whole == " ".join(parts[k] for k in describe.CHARTS)
    for text in parts.values():
        assert text.startswith("Chart of") and text.endswith(".")
        assert "nan" not in text and "percentile" not in text
