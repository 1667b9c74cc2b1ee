"""The two-terms grid's levers for version 3's terms, through the field table (issue 23):
one per rate-card stage's price, one per budget line's pattern scale, the pooled target.
Each cell is the simulation's own chance, future by future: checked against
``engine.simulate`` of the cell's scenario with the same futures."""
from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from charityrisk.engine import simulate
from charityrisk.engine.decisions.negotiate import (
    LEVERS,
    _applied,
    item_levers,
    lever_spec,
    negotiate,
)
from charityrisk.model.fields import spec
from charityrisk.report.negotiate_text import lever_label, negotiation_lines, term
from test_decisions_v3 import v3

PATHS = 600


def test_the_scenario_offers_one_lever_per_stage_price_and_pattern_line():
    s = v3()
    assert item_levers(s, 0) == ("outcome_payments[0].price", "outcome_payments[1].price", "budget[0].scale")
    assert item_levers(s, 1) == ("budget[0].scale",)  # a threshold contract has no stages
    assert "pooled_target_success_rate" in LEVERS
    # read from the field table, not written here
    assert lever_spec("outcome_payments[1].price") is spec("contracts[].outcome_payments[].price")
    assert lever_spec("budget[0].scale") is spec("organisation.budget[].scale")
    assert lever_label("outcome_payments[0].price") == spec("contracts[].outcome_payments[].price").report_name


@pytest.mark.parametrize(("levers", "contract"), [
    (("outcome_payments[0].price", "budget[0].scale"), 0),
    (("outcome_payments[1].price", "overdraft_facility"), 0),
    (("pooled_target_success_rate", "opening_reserves"), 1),
    (("budget[0].scale", "share_at_risk"), 1),
])
def test_every_cell_is_the_simulations_chance(levers, contract):
    s = v3()
    n = negotiate(s, levers, contract, paths=PATHS, seed=5)
    assert len(n.rows.values) >= 3 and len(n.columns.values) >= 3
    for i, a in enumerate(n.rows.values):
        for j, b in enumerate(n.columns.values):
            if (i + j) % 3:  # a third of the cells: each is a full simulation
                continue
            again = simulate(_applied(s, contract, {levers[0]: a, levers[1]: b}), PATHS, 5)
            assert again.p_run_out == pytest.approx(n.p[i][j], abs=1e-12), (levers, a, b)


def test_the_levers_move_the_risk_the_right_way_and_say_so():
    s = v3()
    n = negotiate(s, ("budget[0].scale", "outcome_payments[0].price"), 0, paths=PATHS, seed=5)
    # more of the appeal and a higher price for a job start never raise the risk
    for row in n.p:
        assert all(x >= y for x, y in itertools.pairwise(row))
    for i in range(len(n.rows.values) - 1):
        assert all(n.p[i][j] >= n.p[i + 1][j] for j in range(len(n.columns.values)))
    assert n.rows.values[0] == 0 and n.rows.current == 1.0
    assert term(n.rows, 0.5, bound=True) == "at least 50% of the pattern"
    assert "£1,200" in " ".join(negotiation_lines(n))


def test_a_cost_lines_scale_is_cheaper_the_other_way():
    s = v3()
    budget = list(s.organisation.budget)
    budget[0] = budget[0].__class__(**{**budget[0].__dict__, "kind": "cost"})
    s = s.with_organisation(budget=tuple(budget))
    n = negotiate(s, ("budget[0].scale", "overdraft_facility"), 0, paths=PATHS, seed=5)
    assert n.rows.cheaper == "high" and term(n.rows, 0.5, bound=True) == "at most 50% of the pattern"


def test_the_pooled_target_runs_from_a_point_to_the_cohort_target():
    n = negotiate(v3(), ("pooled_target_success_rate", "overdraft_facility"), 1, paths=PATHS, seed=5)
    assert n.rows.values[0] > 0 and n.rows.values[-1] == pytest.approx(0.1)
    assert 0.075 in n.rows.values


@pytest.mark.parametrize(("levers", "contract", "message"), [
    (("outcome_payments[2].price", "overdraft_facility"), 0, "contract 0 has 2 stages"),
    (("budget[1].scale", "overdraft_facility"), 0, "no line 1 with a monthly pattern"),
    (("pooled_target_success_rate", "overdraft_facility"), 0, "not read by contract 0's payment mode"),
    (("outcome_payments[0].rate", "overdraft_facility"), 0, "not a term the grid can vary"),
])
def test_a_lever_the_scenario_does_not_have_is_refused_by_name(levers, contract, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        negotiate(v3(), levers, contract, paths=200)


def test_the_command_line_takes_an_item_lever(tmp_path):
    import json

    from test_decisions_v3 import V3
    path = tmp_path / "v3.json"
    path.write_text(json.dumps(V3))
    done = subprocess.run([sys.executable, "-m", "charityrisk", "negotiate", str(path), "--levers",
                           "outcome_payments[0].price,overdraft", "--paths", "500", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["rows"]["key"] == "contracts[0].outcome_payments[0].price"
    bad = subprocess.run([sys.executable, "-m", "charityrisk", "negotiate", str(path), "--levers",
                          "outcome_payments[5].price,overdraft", "--paths", "500"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "outcome_payments[5].price" in bad.stderr and "Traceback" not in bad.stderr
