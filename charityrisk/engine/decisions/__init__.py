"""Decision tools: compare payment structures, find what drives the risk, and what would
make it safe.  Numpy only; pure functions of a Scenario; results are frozen dataclasses.

Every long operation comes twice:
- ``*_steps(...)``: a generator yielding ``engine.Progress(done, total)`` between steps (a
  cancel point each) and returning the result (StopIteration.value), for a GUI worker;
- the plain function, which takes optional ``progress(done, total)`` and ``cancelled()``
  callables and raises ``engine.Cancelled`` when cancelled.

All of them use common random numbers: the same seed gives every variant the same futures.
"""
from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

from ...model.scenario import Scenario
from ..simulate import Progress
from .common import CancelledCallback, Meter, ProgressCallback, run_steps, workspace_steps
from .compare import (
    PROGRAMME_TERMS,
    STRUCTURE_TERMS,
    ComparedOption,
    Comparison,
    VariantFigures,
    apply_structure,
    compare,
    compare_steps,
    compare_variants,
    compare_variants_steps,
    preset_options,
    programme_options,
    variant_figures,
    variant_options,
)
from .goalseek import (
    CONTRACT_INPUTS,
    ORGANISATION_INPUTS,
    SOLVABLE,
    GoalSeek,
    MoneyNeed,
    Solutions,
    goal_seek,
    goal_work,
    money_needs_on,
    resolve_targets,
    solve,
    solve_on,
    solve_steps,
)
from .sensitivity import Sensitivity, SensitivityBar, sensitivity, sensitivity_on, sensitivity_steps, sensitivity_work
from .workspace import MAX_DECISION_PATHS, Workspace


@dataclass(frozen=True, eq=False)
class Analysis:
    """Sensitivity and goal seeks of one scenario, on the same futures."""

    sensitivity: Sensitivity
    solutions: Solutions
    # The overdraft and reserves needed anyway (without the contracts) and with them, on the
    # same futures (goalseek.money_needs_on: analytic, no extra runs); () when not worked out.
    needs: tuple[MoneyNeed, ...] = ()

    def to_json_dict(self) -> dict:
        return {"sensitivity": self.sensitivity.to_json_dict(), "solutions": self.solutions.to_json_dict(),
                "needs": [n.to_json_dict() for n in self.needs]}


def analyse_steps(s: Scenario, contract: int = 0, targets: Sequence[str] | None = None,
                  paths: int | None = None, seed: int | None = None,
                  appetite: float | None = None) -> Generator[Progress, None, Analysis]:
    """The full sensitivity run and the goal seeks, sharing one set of futures."""
    targets = resolve_targets(s, targets, contract)

    def work(ws: Workspace) -> int:
        blocks = len(ws.blocks)
        return sensitivity_work(s, blocks) + goal_work(s, targets, blocks)

    def body(ws: Workspace, appetite: float, meter: Meter) -> Generator[Progress, None, Analysis]:
        # Goal seeks first: their contract is then prepared once for both.
        solutions = yield from solve_on(ws, targets, contract, appetite, meter)
        sens = yield from sensitivity_on(ws, appetite, meter)
        needs = money_needs_on(ws, appetite) if s.contracts else ()
        return Analysis(sens, solutions, needs)

    return (yield from workspace_steps(s, paths, seed, appetite, work, body))


def analyse(s: Scenario, contract: int = 0, targets: Sequence[str] | None = None,
            paths: int | None = None, seed: int | None = None, appetite: float | None = None,
            progress: ProgressCallback | None = None, cancelled: CancelledCallback | None = None) -> Analysis:
    return run_steps(analyse_steps(s, contract, targets, paths, seed, appetite), progress, cancelled)


__all__ = [
    "Analysis", "CONTRACT_INPUTS", "ComparedOption", "Comparison", "GoalSeek", "MAX_DECISION_PATHS",
    "ORGANISATION_INPUTS", "SOLVABLE", "STRUCTURE_TERMS", "Sensitivity", "SensitivityBar", "Solutions",
    "Workspace", "analyse", "analyse_steps", "apply_structure", "compare", "compare_steps", "goal_seek",
    "PROGRAMME_TERMS", "preset_options", "programme_options", "run_steps", "sensitivity", "sensitivity_steps",
    "solve", "solve_steps", "VariantFigures", "compare_variants", "compare_variants_steps", "variant_figures",
    "variant_options",
]
