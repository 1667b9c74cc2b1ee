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
- outcome lag and cohort length: 3 months; fee lag and late-payment delay: 1 month.
Every value stays within what a scenario file allows (no share below 0, no lag below 0...).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Generator

from ...model.scenario import Contract, LatePayment, Organisation, Scenario, Uncertain
from ..simulate import Progress
from .common import (CancelledCallback, Meter, ProgressCallback, paired_standard_error, progress_during,
                     run_steps, standard_error, workspace_steps)
from .workspace import Workspace, linear_change

MONEY_STEP = 0.10
REFERRALS_STEP = 0.10
SHARE_STEP = 0.05
LATE_CHANCE_STEP = 0.10
OUTCOME_LAG_STEP = 3
COHORT_STEP = 3
FEE_LAG_STEP = 1
LATE_MONTHS_STEP = 1


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
    low: Organisation | Contract
    high: Organisation | Contract


def _clamp(x: float, lo: float, hi: float = float("inf")) -> float:
    return min(max(x, lo), hi)


def reserves_step(org: Organisation) -> float:
    """The step for opening reserves and the overdraft facility."""
    step = MONEY_STEP * max(abs(org.opening_reserves), org.monthly_core_costs)
    return max(100.0, round(step / 100) * 100)


def _uncertain_ends(u: Uncertain, step: float, lo: float, hi: float = float("inf"),
                    relative: bool = True) -> tuple[str, float, Uncertain, Uncertain]:
    """(kind, base value, low, high) for an uncertain input; a fixed one moves by step."""
    if not u.is_fixed:
        return "range", u.likely, Uncertain.fixed(u.low), Uncertain.fixed(u.high)
    delta = abs(u.low) * step if relative else step
    return ("step", u.low, Uncertain.fixed(_clamp(u.low - delta, lo, hi)),
            Uncertain.fixed(_clamp(u.low + delta, lo, hi)))


def _variants(s: Scenario) -> list[_Variant]:
    out: list[_Variant] = []
    org = s.organisation
    r_step = reserves_step(org)

    def org_fixed(name: str, low: float, high: float) -> None:
        base = getattr(org, name)
        out.append(_Variant(f"organisation.{name}", name, None, "money", "step", base, low, high,
                            replace(org, **{name: low}), replace(org, **{name: high})))

    org_fixed("opening_reserves", org.opening_reserves - r_step, org.opening_reserves + r_step)
    kind, base, low, high = _uncertain_ends(org.monthly_other_income, MONEY_STEP, 0)
    out.append(_Variant("organisation.monthly_other_income", "monthly_other_income", None, "money", kind,
                        base, low.low, high.low, replace(org, monthly_other_income=low),
                        replace(org, monthly_other_income=high)))
    core = org.monthly_core_costs
    org_fixed("monthly_core_costs", core * (1 - MONEY_STEP), core * (1 + MONEY_STEP))
    od = org.overdraft_facility
    org_fixed("overdraft_facility", max(0.0, od - r_step), od + r_step)

    for i, c in enumerate(s.contracts):
        p = f"contracts[{i}]"

        def fixed(name: str, unit: str, low: float, high: float, c: Contract = c, i: int = i, p: str = p) -> None:
            out.append(_Variant(f"{p}.{name}", name, i, unit, "step", getattr(c, name), low, high,
                                replace(c, **{name: low}), replace(c, **{name: high})))

        def uncertain(name: str, unit: str, step: float, lo: float, hi: float, relative: bool,
                      c: Contract = c, i: int = i, p: str = p) -> None:
            kind, base, low, high = _uncertain_ends(getattr(c, name), step, lo, hi, relative)
            out.append(_Variant(f"{p}.{name}", name, i, unit, kind, base, low.low, high.low,
                                replace(c, **{name: low}), replace(c, **{name: high})))

        def share(name: str, step: float = SHARE_STEP, lo: float = 0.0) -> None:
            v = getattr(c, name)
            fixed(name, "share", _clamp(v - step, lo, 1.0), _clamp(v + step, lo, 1.0))

        def months(name: str, step: int, lo: int, hi: int | None = None) -> None:
            v = getattr(c, name)
            fixed(name, "months", max(lo, v - step), v + step if hi is None else min(hi, v + step))

        uncertain("referrals_per_month", "referrals", REFERRALS_STEP, 0.0, 1e6, True)
        share("p_no_referrals")
        fixed("price_per_referral", "money", c.price_per_referral * (1 - MONEY_STEP),
              c.price_per_referral * (1 + MONEY_STEP))
        share("share_at_risk")
        months("fee_lag_months", FEE_LAG_STEP, 0)
        uncertain("success_rate", "share", SHARE_STEP, 0.0, 1.0, False)
        share("target_success_rate", lo=0.01)
        months("cohort_months", COHORT_STEP, 1, max(c.duration_months, c.cohort_months))
        months("outcome_lag_months", OUTCOME_LAG_STEP, 0)
        fixed("cost_per_referral", "money", c.cost_per_referral * (1 - MONEY_STEP),
              c.cost_per_referral * (1 + MONEY_STEP))
        fixed("fixed_monthly_cost", "money", c.fixed_monthly_cost * (1 - MONEY_STEP),
              c.fixed_monthly_cost * (1 + MONEY_STEP))
        lp = c.late_payment
        q_low, q_high = _clamp(lp.probability - LATE_CHANCE_STEP, 0, 1), _clamp(lp.probability + LATE_CHANCE_STEP, 0, 1)
        out.append(_Variant(f"{p}.late_payment.probability", "late_payment.probability", i, "share", "step",
                            lp.probability, q_low, q_high,
                            replace(c, late_payment=LatePayment(q_low, lp.months)),
                            replace(c, late_payment=LatePayment(q_high, lp.months))))
        d_low, d_high = max(0, lp.months - LATE_MONTHS_STEP), lp.months + LATE_MONTHS_STEP
        out.append(_Variant(f"{p}.late_payment.months", "late_payment.months", i, "months", "step",
                            lp.months, d_low, d_high,
                            replace(c, late_payment=LatePayment(lp.probability, d_low)),
                            replace(c, late_payment=LatePayment(lp.probability, d_high))))
    return out


def _work(s: Scenario, variants: list[_Variant], blocks: int) -> int:
    """Block simulations a sensitivity run will need (for progress)."""
    work = len(s.contracts) * blocks  # preparing each contract
    for v in variants:
        if v.contract is not None:
            base = s.contracts[v.contract]
            work += sum(blocks for c in (v.low, v.high) if c != base and not linear_change(base, c))
    return work


def sensitivity_on(ws: Workspace, appetite: float, meter: Meter) -> Generator[Progress, None, Sensitivity]:
    """Sensitivity on a built Workspace (so that it can share its futures with goal seeking)."""
    s = ws.scenario
    bars = []
    for v in _variants(s):
        if v.contract is not None:
            yield from progress_during(ws.prepare_steps(v.contract), ws, meter)
        flags = []
        for variant in (v.low, v.high):
            if v.contract is None:
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
            swing=abs(p_high - p_low), swing_se=paired_standard_error(high, low)))
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
