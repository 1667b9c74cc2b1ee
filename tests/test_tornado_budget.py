"""The tornado includes the organisation's own budget (issue 25): each uncertain line's amount,
each pattern's scale and each line's chance, next to the contract's terms, each bar the
simulation's own figure at that value."""
from __future__ import annotations

from dataclasses import replace

import pytest

from charityrisk.engine import simulate
from charityrisk.engine.decisions import sensitivity
from charityrisk.model import load_scenario
from charityrisk.resources import example_scenario_path

PATHS, SEED = 1_000, 5


@pytest.fixture(scope="module")
def example_bars():
    s = load_scenario(example_scenario_path())
    return s, {bar.key: bar for bar in sensitivity(s, paths=PATHS, seed=SEED).bars}


def test_uncertain_lines_and_their_chances_have_bars_and_sure_amounts_none(example_bars):
    s, bars = example_bars
    for j, line in enumerate(s.organisation.budget):
        amount = f"organisation.budget[{j}].amount"
        chance = f"organisation.budget[{j}].probability"
        assert (amount in bars) == (not line.amount.is_fixed), line.name
        assert (chance in bars) == (0 < line.probability < 1), line.name
    assert any(key.endswith(".probability") for key in bars)  # the example's grant renewal


def test_a_lines_chance_runs_from_never_to_surely_as_the_simulation_says(example_bars):
    s, bars = example_bars
    j = next(j for j, line in enumerate(s.organisation.budget) if 0 < line.probability < 1)
    bar = bars[f"organisation.budget[{j}].probability"]
    assert (bar.low_value, bar.high_value) == (0, 1)
    for chance, p in ((0.0, bar.p_low), (1.0, bar.p_high)):
        budget = list(s.organisation.budget)
        budget[j] = replace(budget[j], probability=chance)
        again = simulate(s.with_organisation(budget=tuple(budget)), paths=PATHS, seed=SEED)
        assert again.p_run_out == p
