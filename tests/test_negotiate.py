"""The negotiation grid (two levers at once) and "what holds the risk up": exact cases,
agreement with the engine on the same futures, and the sentences."""
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg

from charityrisk.engine import simulate
from charityrisk.engine.decisions.negotiate import (
    LEVERS,
    negotiate,
    risk_floor,
    round_values,
)
from charityrisk.engine.verdict import Verdict
from charityrisk.model.fields import lever_names
from charityrisk.report import decision_figures, style
from charityrisk.report.negotiate_text import (
    describe_grid,
    floor_sentence,
    grid_lines,
    negotiation_sentence,
)
from scenario_factory import make_scenario

# The worked example (domain.md), count_noise "none": every future is the same.  Its lowest
# balance is min(300, 500 - 2,400 x share at risk) (month 2, or month 3 when the fee is
# short of the costs): -100 at 25% at risk, -700 at 50%, 300 with nothing at risk.
SHARES = (0.0, 0.25, 0.5)
OVERDRAFTS = (0.0, 100.0, 500.0, 1000.0)


@pytest.fixture
def worked():
    return make_scenario()


def test_the_grid_is_the_arithmetic_of_the_worked_example(worked):
    n = negotiate(worked, ["share_at_risk", "overdraft_facility"], paths=200,
                  values={"share_at_risk": SHARES, "overdraft_facility": OVERDRAFTS})
    # Runs out when the lowest balance is below minus the overdraft by half a penny or more:
    # -100 with a £100 overdraft is not running out.
    assert n.p == ((0, 0, 0, 0), (1, 0, 0, 0), (1, 1, 1, 0))
    assert n.p_run_out == 1.0  # the scenario itself: 25% at risk, no overdraft
    assert n.rows.values == SHARES and n.columns.values == OVERDRAFTS
    assert n.rows.current == 0.25 and n.columns.current == 0.0
    # Cheapest: a higher share at risk and a smaller overdraft ask less.  (2, 3), (1, 1) and
    # (0, 0) are safe and none beats another on both terms; (1, 2) is beaten by (1, 1).
    assert n.cheapest == ((2, 3), (1, 1), (0, 0))
    assert n.floor is None
    assert negotiation_sentence(n) == (
        "At most 50% at risk with a £1,000 overdraft, or at most 25% at risk with a £100 overdraft, "
        "or nothing at risk with no overdraft keeps it within your 5% appetite.")


def test_two_organisation_levers_move_only_the_line(worked):
    # Opening reserves R and overdraft f: runs out iff -100 + (R - 3,000) <= -f - 0.005.
    n = negotiate(worked, ["opening_reserves", "overdraft_facility"], paths=100,
                  values={"opening_reserves": (3000, 3050, 3100), "overdraft_facility": (0, 50)})
    assert n.p == ((1, 1), (1, 0), (0, 0))
    assert n.cheapest == ((1, 1), (2, 0))


def test_two_contract_levers(worked):
    # With the fee paid 2 months late the month-3 fee moves to month 5: month 3 closes at
    # 300 - 500 - 1,700 = -1,900 whatever the share at risk (no fee yet, outcome in month 4).
    n = negotiate(worked, ["share_at_risk", "fee_lag_months"], paths=100,
                  values={"share_at_risk": (0.0, 0.25), "fee_lag_months": (0, 1, 2)})
    assert n.p[0][:2] == (0, 0) and n.p[1][:2] == (0, 1)
    assert n.p[0][2] == 1 and n.p[1][2] == 1


@pytest.mark.parametrize("levers", [("share_at_risk", "overdraft_facility"),
                                    ("outcome_lag_months", "share_at_risk"),
                                    ("guaranteed_referrals_per_month", "opening_reserves"),
                                    ("price_per_referral", "late_payment.months")])
def test_every_cell_is_the_engines_answer_on_the_same_futures(example, levers):
    n = negotiate(example, levers, paths=2000, seed=3)
    rng = np.random.default_rng(0)
    for _ in range(2):
        i, j = int(rng.integers(len(n.rows.values))), int(rng.integers(len(n.columns.values)))
        s = example
        for axis, v in ((n.rows, n.rows.values[i]), (n.columns, n.columns.values[j])):
            if axis.contract is None:
                s = s.with_organisation(**{axis.input: v})
            elif axis.input == "late_payment.months":
                c = s.contracts[0]
                s = s.with_contract(0, late_payment=replace(c.late_payment, months=round(v)))
            elif axis.unit == "months":
                s = s.with_contract(0, **{axis.input: round(v)})
            else:
                s = s.with_contract(0, **{axis.input: v})
        assert n.p[i][j] == pytest.approx(simulate(s, 2000, 3).p_run_out, abs=1e-12), (i, j)


def test_the_default_grid_is_round_and_includes_the_terms_as_they_are(example):
    n = negotiate(example, ["share_at_risk", "outcome_lag_months"], paths=1000)
    assert n.rows.values == (0.0, 0.05, 0.1, 0.15, 0.2, 0.25)  # whole 5% steps up to 25% now
    assert n.columns.values[0] == 0 and 22 in n.columns.values  # the 22 months now, on the grid
    # An overdraft runs from none to what alone brings the risk to half the appetite.
    m = negotiate(example, ["share_at_risk", "overdraft_facility"], paths=1000)
    top = m.columns.values[-1]
    assert m.columns.values[0] == 0 and m.p[-1][-1] <= example.settings.risk_appetite / 2 + 0.01
    assert all((np.diff(row) <= 1e-12).all() for row in m.p)  # more overdraft never hurts
    assert top % 1000 == 0


def test_round_values():
    assert round_values(0, 0.25, "share") == (0.0, 0.05, 0.1, 0.15, 0.2, 0.25)
    assert round_values(0, 0.3, "share") == (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
    assert round_values(0, 18, "months") == (0, 3, 6, 9, 12, 15, 18)
    assert round_values(0, 53_400, "money") == (0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000)
    assert round_values(5, 5, "money") == (5,)


# ------------------------------------------------------------- what holds it up

def bid_candy(**changes):
    """The worked example, safe with nothing at risk, but a 20% chance the prime sends no
    referrals: then the fixed costs (£500 for 4 months) and the organisation's £500 a month
    take £6,000 from £3,000, whatever the terms."""
    return make_scenario(p_no_referrals=0.2, **changes)


def test_the_chance_of_no_referrals_holds_the_risk_up():
    s = bid_candy()
    n = negotiate(s, ["share_at_risk", "outcome_lag_months"], paths=4000, seed=2)
    assert not n.safe().any()
    floor = n.floor
    assert floor is not None
    assert floor.p_run_out == pytest.approx(0.2, abs=4 * np.sqrt(0.2 * 0.8 / 4000))
    holder = floor.holder
    assert holder is not None and holder.key == "contracts[0].p_no_referrals"
    assert holder.p_without == 0.0 and floor.verdict_without(holder) is Verdict.WITHIN
    sentence = negotiation_sentence(n)
    assert sentence.startswith("No combination on the grid keeps it within your 5% appetite: the lowest "
                               f"chance of running out, {round(100 * floor.p_run_out)}%")
    assert (f"The 20% chance of no referrals at all alone keeps it at {round(100 * floor.p_run_out)}%: "
            "without it the chance would be 0%, within the appetite of 5%.") in sentence


def test_two_risks_together_are_named_as_such():
    # Paid a month late (10% chance), the month-3 fee slips: 300 - 2,200 = -1,900.
    s = bid_candy(late_payment={"probability": 0.1, "months": 1})
    floor = risk_floor(s.with_contract(0, share_at_risk=0.0), paths=4000, seed=2)
    keys = [r.key for r in floor.tried]
    assert keys[0] == "contracts[0].p_no_referrals" and "contracts[0].late_payment.probability" in keys
    assert floor.verdict_without(floor.tried[0]) is Verdict.ABOVE  # late payment still runs out
    assert "more than one risk holds it up" in floor_sentence(floor)


def test_a_budget_line_that_may_not_come_can_hold_it_up(example):
    floor = risk_floor(example.with_contract(0, share_at_risk=0.0, p_no_referrals=0.0), paths=2000)
    renewal = next(r for r in floor.tried if r.name == "Trust grant renewal")
    assert renewal.kind == "misses" and renewal.value == pytest.approx(0.4)
    # Lines that surely come (or surely cost) are no risk, so are never tried.
    assert all(r.name != "Staff (salaries, NI and pension)" for r in floor.tried)
    assert renewal.p_without < floor.p_run_out


# ------------------------------------------------------------------ the rest

def test_levers_come_from_the_field_table():
    assert set(LEVERS) == set(lever_names("contracts[]") + lever_names("organisation"))
    assert LEVERS[:2] == ("share_at_risk", "overdraft_facility")


def test_bad_levers_are_refused(worked):
    with pytest.raises(ValueError, match="levers: give two different terms"):
        negotiate(worked, ["share_at_risk", "share_at_risk"])
    with pytest.raises(ValueError, match="levers: 'success_rate' is not a term"):
        negotiate(worked, ["share_at_risk", "success_rate"])
    with pytest.raises(ValueError, match="contract: no contract 3"):
        negotiate(worked, ["share_at_risk", "overdraft_facility"], contract=3)


def test_json_and_text(worked):
    n = negotiate(worked, ["share_at_risk", "overdraft_facility"], paths=200,
                  values={"share_at_risk": SHARES, "overdraft_facility": OVERDRAFTS})
    data = n.to_json_dict()
    assert data["p_run_out_grid"] == [[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0]]
    assert data["verdicts"][1] == ["above", "within", "within", "within"]
    assert data["cheapest"][0] == {"row": 2, "column": 3, "share_at_risk": 0.5, "overdraft_facility": 1000.0,
                                   "p_run_out": 0.0}
    lines = grid_lines(n)
    assert lines[-1].split() == ["50%", "100%", "100%", "100%", "0%*"]
    assert "8 of 12 combinations are within the appetite of 5%" in describe_grid(n)


def test_the_chart_marks_the_safe_region(worked):
    n = negotiate(worked, ["share_at_risk", "overdraft_facility"], paths=200,
                  values={"share_at_risk": SHARES, "overdraft_facility": OVERDRAFTS})
    fig = style.new_figure(7, 4)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    decision_figures.draw_negotiation(ax, n)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["0%", "0%", "0%", "0%", "100%", "0%", "0%", "0%", "100%", "100%", "100%", "0%"]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == int(n.safe().sum()) == 8
    fig.canvas.draw()  # lays out without a warning (pytest turns warnings into errors)
    decision_figures.draw_negotiation(ax, n)  # a redraw replaces, never adds
    assert len(ax.texts) == 12


def test_a_report_page_can_take_the_grid(tmp_path):
    n = negotiate(bid_candy(), ["share_at_risk", "outcome_lag_months"], paths=500)
    fig = decision_figures.negotiation_figure(n, 7.0, 4.2)
    fig.savefig(tmp_path / "grid.pdf")  # lays out and saves without a warning
    assert (tmp_path / "grid.pdf").stat().st_size > 1000
    assert " at risk and outcome payments " in negotiation_sentence(n)  # not "with ... with"


@settings(max_examples=25, deadline=None)
@given(shares=st.lists(st.integers(0, 100), min_size=1, max_size=4, unique=True),
       overdrafts=st.lists(st.integers(0, 3000), min_size=1, max_size=4, unique=True))
def test_any_grid_of_the_worked_example_is_its_arithmetic(shares, overdrafts):
    n = negotiate(make_scenario(), ["share_at_risk", "overdraft_facility"], paths=100,
                  values={"share_at_risk": [s / 100 for s in shares], "overdraft_facility": overdrafts})
    for i, s in enumerate(n.rows.values):
        lowest = min(300.0, 500.0 - 2400.0 * s)
        for j, f in enumerate(n.columns.values):
            assert n.p[i][j] == (1.0 if lowest <= -f - 0.005 else 0.0), (s, f)
