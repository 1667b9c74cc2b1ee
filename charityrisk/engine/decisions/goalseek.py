"""What would make it safe: each input's boundary value for the trustees' risk appetite.

For one input at a time (the others as in the scenario) the search finds the largest share
at risk, the longest outcome lag, the lowest referrals per month, the lowest price per
referral, the smallest overdraft facility or the smallest opening reserves at which the
chance of running out is at most the risk appetite.

How:
- every value is tried on the same futures (common random numbers), so the chance of
  running out moves with the input, not with the noise of fresh draws, and the answer is
  stable;
- values lie on a grid: whole percentage points of the share at risk, whole months of lag,
  1% steps of the referral range (low, likely and high scaled together), a round step of
  price (£10 for prices of £1,000 to £9,999) and £500 of facility or reserves;
- the search is bisection on the grid: both ends of the range are tried first (the safer
  end tells the direction, so a clawback's lag, which is safer when longer, is handled);
  if the safer end is not within the appetite, no value in the range is safe; if the
  riskier end is, every value is safe; otherwise the bracket, narrowed first by any value
  already tried (the scenario's own, for one), is halved until its ends are neighbours on
  the grid.  (Interpolating steps were tried and took more evaluations on these curves,
  which flatten out near the appetite.);
- the answer's Monte Carlo uncertainty: an estimated chance p near the appetite a has a
  standard error se = sqrt(a(1 - a) / paths); the same search for a - 2 se and a + 2 se
  gives the range of answers the noise cannot tell apart (``value_range``).

This assumes the risk moves one way as the input moves across the range, as it does for
these inputs in practice (on the same futures it does so exactly for the share at risk,
the lags under earn and threshold payment, the facility and reserves).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Generator, Sequence

import numpy as np

from ...model.fields import decision_unit, goal_seek_names, spec_of
from ...model.scenario import Scenario
from ..simulate import Progress
from .common import CancelledCallback, Meter, ProgressCallback, progress_during, run_steps, standard_error
from .workspace import Workspace, resolve_run

CONTRACT_INPUTS = goal_seek_names("contracts[]")  # the field table's goal-seekable inputs
ORGANISATION_INPUTS = goal_seek_names("organisation")
SOLVABLE = CONTRACT_INPUTS + ORGANISATION_INPUTS
MONEY_GRID = 500.0  # facility and reserves are answered in steps of £500
REFERRAL_SCALE_MAX = 3.0  # referrals are searched from none to 3 times the scenario's
PRICE_SCALE_MAX = 3.0
UNITS = {name: decision_unit(spec_of(owner, name))
         for owner, names in (("contracts[]", CONTRACT_INPUTS), ("organisation", ORGANISATION_INPUTS))
         for name in names}
# A rough count of referral evaluations, for the progress bar only.
_REFERRAL_EVALUATIONS = 12


@dataclass(frozen=True, eq=False)
class GoalSeek:
    """One input's boundary for the risk appetite.

    ``direction`` "at_most": values at or below ``value`` are safe (share at risk, outcome
    lag); "at_least": values at or above it are (referrals, price, facility, reserves).
    ``status`` "found": ``value`` is the boundary; "none_safe": no value in the searched
    range keeps the risk within the appetite (``value`` is None; ``best_value`` is the
    safest value tried and ``p_run_out_best`` its risk); "all_safe": every value in the
    range does (``value`` is the riskiest end of the range).
    """

    input: str  # one of SOLVABLE
    key: str  # the file's key, e.g. "contracts[0].share_at_risk"
    contract: int | None
    contract_name: str | None
    unit: str  # "share", "months", "referrals" (most likely referrals a month), "money"
    direction: str
    status: str
    value: float | None
    current_value: float
    p_run_out_current: float
    p_run_out_at_value: float | None
    p_run_out_se_at_value: float | None
    best_value: float
    p_run_out_best: float
    search_low: float
    search_high: float
    step: float  # the grid's step (for referrals: of the most likely value, 1% of it)
    # (low, high): the answers for appetite a - 2 se and a + 2 se, in increasing order; None
    # at the stricter end when even the safest value in the range does not meet a - 2 se.
    value_range: tuple[float | None, float | None]
    risk_appetite: float
    appetite_se: float  # sqrt(a(1 - a) / paths)
    paths: int
    seed: int
    evaluations: int
    scale: float | None = None  # referrals only: the factor applied to low, likely and high
    safe_scenario: Scenario | None = field(default=None, repr=False)  # the scenario at value

    @property
    def current_is_safe(self) -> bool:
        return self.p_run_out_current <= self.risk_appetite

    def to_json_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "safe_scenario"}
        out["value_range"] = list(self.value_range)
        out["current_is_safe"] = self.current_is_safe
        if self.input == "referrals_per_month" and self.safe_scenario is not None:
            u = self.safe_scenario.contracts[self.contract].referrals_per_month
            out["referrals_at_value"] = {"low": u.low, "likely": u.likely, "high": u.high}
        return out


@dataclass(frozen=True, eq=False)
class Solutions:
    """Goal seeks of one scenario on the same futures."""

    scenario_name: str
    paths: int
    seed: int
    risk_appetite: float
    p_run_out: float
    p_run_out_se: float
    contract: int | None
    goals: tuple[GoalSeek, ...]

    def goal(self, name: str) -> GoalSeek:
        for g in self.goals:
            if g.input == name:
                return g
        raise KeyError(name)

    def to_json_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario_name, "paths": self.paths, "seed": self.seed,
                "risk_appetite": self.risk_appetite, "p_run_out": self.p_run_out,
                "p_run_out_se": self.p_run_out_se, "contract": self.contract,
                "goals": [g.to_json_dict() for g in self.goals]}


# ------------------------------------------------------------------------- search

def search(p_at: Callable[[int], float], last: int, safer_low: bool, target: float,
           known: dict[int, float]) -> Generator[None, None, tuple[str, int | None]]:
    """Find the boundary on the grid 0..last for ``p_at(i) <= target``.

    ``safer_low``: low indices are the safe side.  ``known`` caches p by index and is
    shared between searches on the same futures.  Yields after each new evaluation;
    returns (status, index): ("found", the last safe index going from the safe end),
    ("none_safe", None) or ("all_safe", the riskiest end).
    """
    def index(j: int) -> int:  # j counts from the safe end
        return j if safer_low else last - j

    def p(j: int) -> Generator[None, None, float]:
        i = index(j)
        if i not in known:
            known[i] = float(p_at(i))
            yield None
        return known[i]

    if (yield from p(0)) > target:
        return "none_safe", None
    if (yield from p(last)) <= target:
        return "all_safe", index(last)
    by_j = {index(i): v for i, v in known.items()}
    hi = min(j for j, v in by_j.items() if v > target)
    lo = max(j for j, v in by_j.items() if v <= target and j < hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (yield from p(mid)) <= target:
            lo = mid
        else:
            hi = mid
    return "found", index(lo)


@dataclass(frozen=True, eq=False)
class _Problem:
    input: str
    key: str
    contract: int | None
    last: int
    value: Callable[[int], float]  # grid index -> the input's value
    p_at: Callable[[int], float]  # grid index -> chance of running out
    default_safer_low: bool
    current_value: float
    current_index: int | None
    step: float
    apply: Callable[[int], Scenario]  # grid index -> the scenario with that value
    scale: Callable[[int], float] | None = None


def price_step(price: float) -> float:
    """A round grid step for a price: about 1% of its order of magnitude (£10 for £1,000s)."""
    magnitude = 10 ** math.floor(math.log10(max(price, 100.0)))
    return magnitude / 100


def _grid_index(value: float, start: float, step: float, last: int) -> int | None:
    i = round((value - start) / step)
    return i if 0 <= i <= last and math.isclose(start + i * step, value, abs_tol=1e-9) else None


def _problem(ws: Workspace, name: str, contract: int) -> _Problem:
    s = ws.scenario
    org = s.organisation
    if name in ORGANISATION_INPUTS:
        lowest = ws.lowest_before_opening()  # lowest balance = opening + this
        if name == "overdraft_facility":
            # Runs out with facility f iff opening + lowest < -f.
            deficit = np.sort(-(org.opening_reserves + lowest))
            start = 0.0
            current = org.overdraft_facility
        else:
            # Runs out with reserves R iff R + lowest < -facility.
            deficit = np.sort(-(lowest + org.overdraft_facility))
            start = min(0.0, math.floor(org.opening_reserves / MONEY_GRID) * MONEY_GRID)
            current = org.opening_reserves
        top = max(current, float(deficit[-1]) if deficit.size else 0.0)
        last = max(1, math.ceil((top - start) / MONEY_GRID))

        def value(i: int) -> float:
            return start + i * MONEY_GRID

        def p_at(i: int) -> float:
            # share of futures whose deficit exceeds the value
            return float(deficit.size - np.searchsorted(deficit, value(i), side="right")) / ws.paths

        return _Problem(name, f"organisation.{name}", None, last, value, p_at, False, current,
                        _grid_index(current, start, MONEY_GRID, last), MONEY_GRID,
                        lambda i: s.with_organisation(**{name: value(i)}))

    c = s.contracts[contract]
    key = f"contracts[{contract}].{name}"

    def p_contract(**changes: Any) -> float:
        return float(ws.run_out_contract(contract, replace(c, **changes)).mean())

    if name == "share_at_risk":
        last, step = 100, 0.01
        value = lambda i: i / 100  # noqa: E731
        p_at = lambda i: p_contract(share_at_risk=value(i))  # noqa: E731
        return _Problem(name, key, contract, last, value, p_at, True, c.share_at_risk,
                        _grid_index(c.share_at_risk, 0.0, step, last), step,
                        lambda i: s.with_contract(contract, share_at_risk=value(i)))
    if name == "outcome_lag_months":
        last = max(s.horizon_months, c.outcome_lag_months)
        p_at = lambda i: p_contract(outcome_lag_months=i)  # noqa: E731
        return _Problem(name, key, contract, last, float, p_at, c.payment_mode != "clawback",
                        c.outcome_lag_months, c.outcome_lag_months, 1.0,
                        lambda i: s.with_contract(contract, outcome_lag_months=i))
    if name == "price_per_referral":
        step = price_step(c.price_per_referral)
        last = math.ceil(max(PRICE_SCALE_MAX * c.price_per_referral, 1000.0) / step)
        value = lambda i: i * step  # noqa: E731
        p_at = lambda i: p_contract(price_per_referral=value(i))  # noqa: E731
        return _Problem(name, key, contract, last, value, p_at, False, c.price_per_referral,
                        _grid_index(c.price_per_referral, 0.0, step, last), step,
                        lambda i: s.with_contract(contract, price_per_referral=value(i)))
    if name == "referrals_per_month":
        u = c.referrals_per_month
        last = round(REFERRAL_SCALE_MAX * 100)
        scale = lambda i: i / 100  # noqa: E731
        p_at = lambda i: p_contract(referrals_per_month=u.scaled(scale(i)))  # noqa: E731
        return _Problem(name, key, contract, last, lambda i: u.likely * scale(i), p_at, False, u.likely,
                        100, u.likely / 100,
                        lambda i: s.with_contract(contract, referrals_per_month=u.scaled(scale(i))), scale)
    raise ValueError(f"cannot solve for {name!r}; choose from {', '.join(SOLVABLE)}")


def _solve_one(ws: Workspace, name: str, contract: int, appetite: float, p_current: float,
               meter: Meter) -> Generator[Progress, None, GoalSeek]:
    if name in CONTRACT_INPUTS:
        yield from progress_during(ws.prepare_steps(contract), ws, meter)
    prob = _problem(ws, name, contract)
    known: dict[int, float] = {}
    if prob.current_index is not None and prob.contract is not None:
        known[prob.current_index] = p_current  # the base run itself: no evaluation needed
    evaluations = 0

    def run(target: float) -> Generator[Progress, None, tuple[str, int | None]]:
        nonlocal evaluations
        steps = search(prob.p_at, prob.last, safer_low, target, known)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value
            evaluations += 1
            yield meter.at(ws.block_simulations)

    # Try both ends first; the safer one gives the direction.
    for i in (0, prob.last):
        if i not in known:
            known[i] = float(prob.p_at(i))
            evaluations += 1
            yield meter.at(ws.block_simulations)
    p_low_end, p_high_end = known[0], known[prob.last]
    safer_low = prob.default_safer_low if p_low_end == p_high_end else p_low_end < p_high_end

    se = standard_error(appetite, ws.paths)
    status, index = yield from run(appetite)
    strict = yield from run(max(0.0, appetite - 2 * se))
    loose = yield from run(min(1.0, appetite + 2 * se))

    def answer(result: tuple[str, int | None]) -> float | None:
        return None if result[1] is None else round(prob.value(result[1]), 9)

    # The stricter target's answer is the lower end when low values are safe, else the higher.
    value_range = ((answer(strict), answer(loose)) if safer_low else (answer(loose), answer(strict)))
    best = 0 if safer_low else prob.last
    p_value = None if index is None else known[index]
    c = None if prob.contract is None else ws.scenario.contracts[prob.contract]
    return GoalSeek(
        input=name, key=prob.key, contract=prob.contract, contract_name=None if c is None else c.name,
        unit=UNITS[name], direction="at_most" if safer_low else "at_least", status=status,
        value=answer((status, index)), current_value=float(prob.current_value),
        p_run_out_current=p_current, p_run_out_at_value=p_value,
        p_run_out_se_at_value=None if p_value is None else standard_error(p_value, ws.paths),
        best_value=round(prob.value(best), 9), p_run_out_best=known[best],
        search_low=prob.value(0), search_high=prob.value(prob.last), step=prob.step,
        value_range=value_range, risk_appetite=appetite, appetite_se=se, paths=ws.paths,
        seed=ws.seed, evaluations=evaluations,
        scale=None if prob.scale is None or index is None else prob.scale(index),
        safe_scenario=None if index is None else prob.apply(index))


def resolve_targets(s: Scenario, targets: Sequence[str] | None, contract: int) -> tuple[str, ...]:
    if targets is None:
        targets = SOLVABLE if s.contracts else ORGANISATION_INPUTS
    targets = tuple(targets)
    for name in targets:
        if name not in SOLVABLE:
            raise ValueError(f"cannot solve for {name!r}; choose from {', '.join(SOLVABLE)}")
    if any(t in CONTRACT_INPUTS for t in targets) and not 0 <= contract < len(s.contracts):
        raise ValueError(f"contract: no contract {contract} (the scenario has {len(s.contracts)})")
    return targets


def goal_work(s: Scenario, targets: Sequence[str], blocks: int) -> int:
    """Block simulations the goal seeks need after the Workspace is built (for progress)."""
    work = blocks if any(t in CONTRACT_INPUTS for t in targets) else 0
    return work + (_REFERRAL_EVALUATIONS * blocks if "referrals_per_month" in targets else 0)


def solve_on(ws: Workspace, targets: Sequence[str], contract: int, appetite: float,
             meter: Meter) -> Generator[Progress, None, Solutions]:
    """Goal seeks on a built Workspace (so that it can share its futures with sensitivity)."""
    p = float(ws.run_out().mean())
    goals = []
    for name in targets:
        goal = yield from _solve_one(ws, name, contract, appetite, p, meter)
        goals.append(goal)
    uses_contract = any(t in CONTRACT_INPUTS for t in targets)
    return Solutions(ws.scenario.name, ws.paths, ws.seed, appetite, p, standard_error(p, ws.paths),
                     contract if uses_contract else None, tuple(goals))


def solve_steps(s: Scenario, targets: Sequence[str] | None = None, contract: int = 0,
                paths: int | None = None, seed: int | None = None,
                appetite: float | None = None) -> Generator[Progress, None, Solutions]:
    """Yield Progress(done, total) between steps; return the Solutions."""
    targets = resolve_targets(s, targets, contract)
    paths, seed, appetite = resolve_run(s, paths, seed, appetite)
    ws = Workspace(s, paths, seed)
    meter = Meter(ws.build_work() + goal_work(s, targets, len(ws.blocks)))
    yield from progress_during(ws.build_steps(), ws, meter)
    result = yield from solve_on(ws, targets, contract, appetite, meter)
    yield meter.finished()
    return result


def solve(s: Scenario, targets: Sequence[str] | None = None, contract: int = 0,
          paths: int | None = None, seed: int | None = None, appetite: float | None = None,
          progress: ProgressCallback | None = None, cancelled: CancelledCallback | None = None) -> Solutions:
    """Goal seek each input in ``targets`` (default: all of SOLVABLE) for contract ``contract``."""
    return run_steps(solve_steps(s, targets, contract, paths, seed, appetite), progress, cancelled)


def goal_seek(s: Scenario, target: str, contract: int = 0, paths: int | None = None,
              seed: int | None = None, appetite: float | None = None,
              progress: ProgressCallback | None = None, cancelled: CancelledCallback | None = None) -> GoalSeek:
    """One input's boundary (see solve)."""
    return solve(s, [target], contract, paths, seed, appetite, progress, cancelled).goals[0]

