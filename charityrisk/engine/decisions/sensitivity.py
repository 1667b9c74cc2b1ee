"""What drives the risk: the chance of running out with each input at its low and high end.

An uncertain input (a low / most likely / high guess) is fixed at its low, then at its high
value in every future; a fixed input moves down and up by a stated step (below).  All runs
share the base scenario's futures (common random numbers), so a bar's length is the input's
effect, not noise.  Bars come largest swing (|p_high - p_low|) first, for a tornado chart.

Steps for fixed values:
- opening reserves and overdraft facility: 10% of the opening reserves (or of a month's
  core costs, if larger), rounded to £100; the same amount for both, so they compare;
- other money (income, costs, price): 10% of the value;
- referrals per month (fixed): 10%;
- shares and chances (share at risk, chance of no referrals, success rate, target):
  5 percentage points; the chance of late payment: 10 points;
- outcome lag and cohort length: 3 months; fee lag and late-payment delay: 1 month;
- how strongly bad surprises come together (the correlation): 0.3 (No to Somewhat,
  Somewhat to Strongly), simulated afresh on the same seed since every draw moves with it;
- referral guarantee: 1 referral a month; ramp-up and wind-down: 3 months (a wind-down
  left out is the whole contract, and never goes beyond it); exit cost: 10%.
- version 3: a rate card's fee schedule 10% down and up as a whole (every year's fee
  together), each stage's price 10% and its share who reach it from its low to its high
  guess (5 points if fixed); the pooled target 2.5 points (never above the cohort target);
  interest on the overdraft 2 points; a monthly pattern's scale from its low to its high
  guess (10% if fixed).  A term a contract's payment mode does not read (a rate card's
  price or share at risk, a fee outside a rate card) has no bar.
Every value stays within what a scenario file allows (no share below 0, no lag below 0...).
"""
from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import Any

from ...model.fields import FieldSpec, decision_unit, spec_of, tornado_fields
from ...model.scenario import BudgetLine, Contract, Organisation, Scenario, Uncertain
from ..simulate import BLOCK, Progress, drive, simulation_steps
from .common import (
    CancelledCallback,
    Meter,
    ProgressCallback,
    applies,
    paired_standard_error,
    progress_during,
    run_steps,
    standard_error,
    workspace_steps,
)
from .workspace import Workspace, linear_change

# The steps are in the field table (model/fields.py, each row's ``tornado``); listed above.


@dataclass(frozen=True)
class SensitivityBar:
    """One input's bar: the risk of running out with it at its low and high value."""

    key: str  # the scenario file's key, e.g. "contracts[0].share_at_risk"
    input: str  # the field: "share_at_risk", "late_payment.probability", ...
    contract: int | None  # contract index, None for the organisation
    contract_name: str | None
    unit: str  # "money" (£), "share" (0 to 1), "months", "referrals" (a month)
    kind: str  # "range": an uncertain input at its low and high end; "step": a fixed value ± a step
    base_value: float  # the value in the scenario (the most likely value, if uncertain)
    low_value: float
    high_value: float
    p_low: float  # chance of running out with the input at low_value
    p_high: float
    p_low_se: float
    p_high_se: float
    swing: float  # |p_high - p_low|
    swing_se: float  # its Monte Carlo standard error, paired on the same futures
    # For an input of one item of a list (a rate card's stage, a budget line): its name.
    item: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Sensitivity:
    scenario_name: str
    paths: int
    seed: int
    risk_appetite: float
    p_run_out: float  # the base scenario's
    p_run_out_se: float
    bars: tuple[SensitivityBar, ...]  # largest swing first

    def to_json_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario_name, "paths": self.paths, "seed": self.seed,
                "risk_appetite": self.risk_appetite, "p_run_out": self.p_run_out,
                "p_run_out_se": self.p_run_out_se, "bars": [b.to_json_dict() for b in self.bars]}


@dataclass(frozen=True)
class _Variant:
    key: str
    input: str
    contract: int | None
    unit: str
    kind: str
    base_value: float
    low_value: float
    high_value: float
    low: Any  # an Organisation, a Contract, or (scenario-level inputs) the Scenario
    high: Any
    item: str | None = None  # the stage's or budget line's name


def _clamp(x: float, lo: float, hi: float = float("inf")) -> float:
    return min(max(x, lo), hi)


def reserves_step(org: Organisation) -> float:
    """The step for opening reserves and the overdraft facility."""
    share = spec_of("organisation", "opening_reserves").tornado.step  # type: ignore[union-attr]
    step = share * max(abs(org.opening_reserves), org.monthly_core_costs)
    return max(100.0, round(step / 100) * 100)


def _uncertain_ends(u: Uncertain, step: float, lo: float, hi: float = float("inf"),
                    relative: bool = True) -> tuple[str, float, Uncertain, Uncertain]:
    """(kind, base value, low, high) for an uncertain input; a fixed one moves by step."""
    if not u.is_fixed:
        return "range", u.likely, Uncertain.fixed(u.low), Uncertain.fixed(u.high)
    delta = abs(u.low) * step if relative else step
    return ("step", u.low, Uncertain.fixed(_clamp(u.low - delta, lo, hi)),
            Uncertain.fixed(_clamp(u.low + delta, lo, hi)))


def _ends(row: FieldSpec, value: Any, org: Organisation, owner: Any) -> tuple[str, float, Any, Any]:
    """(kind, base value, low, high) for one input, by its row's tornado rule."""
    rule = row.tornado
    assert rule is not None
    lo = -math.inf if rule.lo is None else float(rule.lo)
    hi = math.inf if rule.hi is None else float(rule.hi)
    if rule.hi_at_least:
        hi = max(getattr(owner, rule.hi_at_least), value)
    if rule.none_is:
        cap = getattr(owner, rule.none_is)
        value = cap if value is None else value
        hi = min(hi, cap)
    if isinstance(value, Uncertain):
        kind, base, low, high = _uncertain_ends(value, rule.step, lo, hi, relative=rule.rule == "relative")
        return kind, base, low, high
    if isinstance(value, tuple):  # a fee schedule: every year's fee moves together
        assert rule.rule == "relative", row.path
        return ("step", value[0], tuple(max(lo, v * (1 - rule.step)) for v in value),
                tuple(v * (1 + rule.step) for v in value))
    if rule.rule == "reserves":
        step = reserves_step(org)
        return "step", value, max(lo, value - step), value + step
    if rule.rule == "relative":
        return "step", value, value * (1 - rule.step), value * (1 + rule.step)
    if row.integer:
        step = int(rule.step)
        return "step", value, max(int(lo), value - step), value + step if hi == math.inf else min(int(hi), value + step)
    return "step", value, _clamp(value - rule.step, lo, hi), _clamp(value + rule.step, lo, hi)


def _changed(obj: Any, name: str, value: Any) -> Any:
    """obj with input name (``late_payment.months`` too) set to value."""
    head, _, sub = name.partition(".")
    return replace(obj, **{head: replace(getattr(obj, head), **{sub: value}) if sub else value})


def _variants(s: Scenario) -> list[_Variant]:
    """Every input the field table marks for the tornado, organisation first, table order."""
    out: list[_Variant] = []
    org = s.organisation
    for row in tornado_fields(""):  # the correlation: every draw moves with it
        kind, base, low, high = _ends(row, getattr(s, row.name), org, s)
        out.append(_Variant(row.name, row.name, None, decision_unit(row), kind, base, _number(low),
                            _number(high), replace(s, **{row.name: low}), replace(s, **{row.name: high})))
    for row in tornado_fields("organisation"):
        kind, base, low, high = _ends(row, getattr(org, row.name), org, org)
        out.append(_Variant(f"organisation.{row.name}", row.name, None, decision_unit(row), kind, base,
                            _number(low), _number(high), _changed(org, row.name, low),
                            _changed(org, row.name, high)))
    for j, line in enumerate(org.budget):
        for row in tornado_fields("organisation.budget[]"):
            if not _line_varies(line, row.name):
                continue
            kind, base, low, high = _ends(row, getattr(line, row.name), org, line)
            out.append(_Variant(f"organisation.budget[{j}].{row.name}", f"budget[].{row.name}", None,
                                decision_unit(row), kind, base, _number(low), _number(high),
                                _with_line(org, j, row.name, low), _with_line(org, j, row.name, high),
                                item=line.name))
    for i, c in enumerate(s.contracts):
        for row in tornado_fields("contracts[]"):
            fee_free = row.name == "fee_per_referral" and not any(c.fee_per_referral)
            if not applies(c, row.name) or fee_free:
                continue  # not read in this mode, or a rate card without a fee
            head, _, sub = row.name.partition(".")
            value = getattr(getattr(c, head), sub) if sub else getattr(c, head)
            kind, base, low, high = _ends(row, value, org, c)
            out.append(_Variant(f"contracts[{i}].{row.name}", row.name, i, decision_unit(row), kind, base,
                                _number(low), _number(high), _changed(c, row.name, low),
                                _changed(c, row.name, high)))
        for k, stage in enumerate(c.outcome_payments):
            for row in tornado_fields("contracts[].outcome_payments[]"):
                kind, base, low, high = _ends(row, getattr(stage, row.name), org, stage)
                out.append(_Variant(f"contracts[{i}].outcome_payments[{k}].{row.name}",
                                    f"outcome_payments[].{row.name}", i, decision_unit(row), kind, base,
                                    _number(low), _number(high), _with_stage(c, k, row.name, low),
                                    _with_stage(c, k, row.name, high), item=stage.name))
    return out


def _line_varies(line: BudgetLine, name: str) -> bool:
    """A budget line's bars: its amount when it is a guess with a range, a pattern's scale, and
    its chance when it may or may not happen (that bar runs from 'never' to 'surely').  An
    amount known for sure gets no bar, so a budget of many fixed lines does not crowd out the
    inputs that are uncertain."""
    if name == "probability":
        return 0 < line.probability < 1
    if name == "amount":
        return line.monthly_amounts is None and not line.amount.is_fixed
    return name == "scale" and line.monthly_amounts is not None


def _with_line(org: Organisation, j: int, name: str, value: Any) -> Organisation:
    budget = list(org.budget)
    budget[j] = replace(budget[j], **{name: value})
    return replace(org, budget=tuple(budget))


def _with_stage(c: Contract, k: int, name: str, value: Any) -> Contract:
    stages = list(c.outcome_payments)
    stages[k] = replace(stages[k], **{name: value})
    return replace(c, outcome_payments=tuple(stages))


def _number(value: Any) -> float:
    if isinstance(value, tuple):  # a fee schedule: its first year's fee
        return value[0]
    return value.low if isinstance(value, Uncertain) else value


def _work(s: Scenario, variants: list[_Variant], blocks: int) -> int:
    """Block simulations a sensitivity run will need (for progress)."""
    work = len(s.contracts) * blocks  # preparing each contract
    for v in variants:
        if isinstance(v.low, Scenario):  # simulated afresh, on the same seed
            work += 2 * blocks * max(1, len(s.contracts))
            continue
        if v.contract is not None:
            base = s.contracts[v.contract]
            work += sum(blocks for c in (v.low, v.high) if c != base and not linear_change(base, c))
    return work


def _simulated_run_out(ws: Workspace, s: Scenario, meter: Meter) -> Generator[Progress, None, Any]:
    """(paths,) which futures run out in s, simulated by the engine on the Workspace's seed:
    a change that moves every draw (the correlation) has no shortcut.  Counted as one block
    simulation per contract and block, as the Workspace counts its own."""
    start = ws.block_simulations
    per_block = max(1, len(s.contracts))

    def step(p: Progress) -> Progress:
        return meter.at(start + per_block * -(-p.done // BLOCK))

    results = yield from drive(simulation_steps(s, ws.paths, ws.seed), step)
    ws.block_simulations = start + per_block * len(ws.blocks)
    return results.run_out_month > 0


def sensitivity_on(ws: Workspace, appetite: float, meter: Meter) -> Generator[Progress, None, Sensitivity]:
    """Sensitivity on a built Workspace (so that it can share its futures with goal seeking)."""
    s = ws.scenario
    bars = []
    for v in _variants(s):
        if v.contract is not None:
            yield from progress_during(ws.prepare_steps(v.contract), ws, meter)
        flags = []
        for variant in (v.low, v.high):
            if isinstance(variant, Scenario):
                flags.append((yield from _simulated_run_out(ws, variant, meter)))
            elif v.contract is None:
                flags.append(ws.run_out(variant))
            else:
                flags.append(ws.run_out_contract(v.contract, variant))
            yield meter.at(ws.block_simulations)
        low, high = flags
        p_low, p_high = float(low.mean()), float(high.mean())
        bars.append(SensitivityBar(
            key=v.key, input=v.input, contract=v.contract,
            contract_name=None if v.contract is None else s.contracts[v.contract].name,
            unit=v.unit, kind=v.kind, base_value=float(v.base_value),
            low_value=float(v.low_value), high_value=float(v.high_value),
            p_low=p_low, p_high=p_high,
            p_low_se=standard_error(p_low, ws.paths), p_high_se=standard_error(p_high, ws.paths),
            swing=abs(p_high - p_low), swing_se=paired_standard_error(high, low), item=v.item))
    order = sorted(range(len(bars)), key=lambda k: (-bars[k].swing, k))
    p = float(ws.run_out().mean())
    return Sensitivity(s.name, ws.paths, ws.seed, appetite, p, standard_error(p, ws.paths),
                       tuple(bars[k] for k in order))


def sensitivity_work(s: Scenario, blocks: int) -> int:
    """Block simulations a sensitivity run needs after the Workspace is built (for progress)."""
    return _work(s, _variants(s), blocks)


def sensitivity_steps(s: Scenario, paths: int | None = None, seed: int | None = None,
                      appetite: float | None = None) -> Generator[Progress, None, Sensitivity]:
    """Yield Progress(done, total) between steps; return the Sensitivity."""
    return (yield from workspace_steps(s, paths, seed, appetite,
                                       lambda ws: sensitivity_work(s, len(ws.blocks)), sensitivity_on))


def sensitivity(s: Scenario, paths: int | None = None, seed: int | None = None,
                appetite: float | None = None, progress: ProgressCallback | None = None,
                cancelled: CancelledCallback | None = None) -> Sensitivity:
    """The tornado: every uncertain or negotiable input at its low and high value."""
    return run_steps(sensitivity_steps(s, paths, seed, appetite), progress, cancelled)
