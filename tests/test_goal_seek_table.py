"""The goal seek is driven by the field table: each row's ``Seek`` names a grid, and one
generic search answers every input (engine.decisions.goalseek)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from charityrisk.engine.decisions.common import applies
from charityrisk.engine.decisions.goalseek import (
    CONTRACT_INPUTS,
    GRIDS,
    ORGANISATION_INPUTS,
    STAGE_INPUTS,
    goal_seek,
    with_term,
)
from charityrisk.model.fields import FIELDS, Seek
from charityrisk.model.scenario import Uncertain


def seek_rows():
    return [f for f in FIELDS if f.goal_seek is not None]


def test_every_seek_row_names_a_grid_and_a_safer_end_and_has_its_own_place():
    rows = seek_rows()
    assert {f.name for f in rows} == set(CONTRACT_INPUTS) | set(ORGANISATION_INPUTS) | set(STAGE_INPUTS)
    for f in rows:
        assert isinstance(f.goal_seek, Seek)
        assert f.goal_seek.grid in GRIDS or (f.goal_seek.grid == "money" and f.owner == "organisation"), f.path
        assert f.goal_seek.safer in ("low", "high"), f.path
    for owner in ("contracts[]", "organisation", "contracts[].outcome_payments[]"):
        orders = [f.goal_seek.order for f in rows if f.owner == owner]
        assert sorted(orders) == list(range(1, len(orders) + 1)), owner


@pytest.mark.parametrize("name", CONTRACT_INPUTS)
def test_each_grid_value_is_what_the_contract_gets(example, name):
    """The value a goal seek reports is the value its scenario holds (a guess: the most likely
    value, its low and high moved or scaled with it)."""
    c = example.contracts[0]
    if not applies(c, name):  # a rate card's terms: tests/test_decisions_v3.py
        pytest.skip(f"{name} is not read in the example's payment mode")
    row = next(f for f in seek_rows() if f.name == name)
    grid = GRIDS[row.goal_seek.grid](c, name, example.horizon_months)
    assert grid.current_index is None or grid.value(grid.current_index) == pytest.approx(grid.current)
    for i in (0, grid.last // 3, grid.last):
        changed = with_term(c, name, grid, i)
        held = changed.late_payment.months if name == "late_payment.months" else getattr(changed, name)
        held = held.likely if isinstance(held, Uncertain) else held
        assert held == pytest.approx(grid.value(i), abs=1e-9), (name, i)
        others = {k: v for k, v in vars(changed).items() if k not in (name.split(".")[0],)}
        assert others == {k: v for k, v in vars(c).items() if k not in (name.split(".")[0],)}


def test_a_clawback_lag_is_searched_as_safer_when_longer(example):
    """The one input whose safer end depends on the contract: money taken back later is safer."""
    clawback = replace(example, contracts=(replace(example.contracts[0], payment_mode="clawback"),))
    share = replace(example, contracts=(replace(example.contracts[0], payment_mode="share_at_risk"),))
    from charityrisk.engine.decisions.goalseek import safer_low
    assert not safer_low(clawback.contracts[0], "outcome_lag_months")
    assert safer_low(share.contracts[0], "outcome_lag_months")


def test_the_answer_at_the_safe_value_is_the_chance_shown(example):
    """One seek end to end: the scenario it returns holds the value, and the chance reported at
    the value is that scenario's own chance on the same futures."""
    richer = example.with_organisation(opening_reserves=example.organisation.opening_reserves + 40_000)
    g = goal_seek(richer, "share_at_risk", paths=1000, seed=3)
    assert g.status == "found" and g.value is not None
    assert g.safe_scenario.contracts[0].share_at_risk == pytest.approx(g.value)
    from charityrisk.engine.simulate import simulate
    again = simulate(g.safe_scenario, paths=1000, seed=3)
    assert again.p_run_out == pytest.approx(g.p_run_out_at_value, abs=1e-12)
