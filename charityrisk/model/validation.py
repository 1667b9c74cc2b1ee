"""Turn a parsed scenario file (plain dicts) into a Scenario, or say everything wrong with it.

Every problem names the key path and the reason, e.g.
``contracts[0].share_at_risk: must be between 0 and 1 (got 1.4)``, and all problems are
reported at once so that a finance lead can fix a file in one pass.
"""
from __future__ import annotations

import math
from typing import Any

from .scenario import (
    COUNT_NOISES,
    MAX_CONTRACTS,
    MAX_HORIZON,
    MAX_PATHS,
    PAYMENT_MODES,
    Contract,
    LatePayment,
    Organisation,
    Scenario,
    SimulationSettings,
    Uncertain,
)

# Money beyond this is a typing slip (or an attack), not a small charity's budget, and
# summing many such values over 120 months would lose pennies to float rounding.
MAX_MONEY = 1e10
MAX_LAG = 240


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` holds one message per fault."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


_MISSING = object()


class _Reader:
    """Reads typed values from nested dicts, collecting problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}: {reason}")

    def number(self, obj: dict, key: str, path: str, *, lo: float | None = None,
               hi: float | None = None, default: Any = _MISSING, integer: bool = False,
               lo_open: bool = False) -> Any:
        full = f"{path}.{key}" if path else key
        value = obj.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.fail(full, "is required")
                return None
            return default
        return self.check_number(value, full, lo=lo, hi=hi, integer=integer, lo_open=lo_open)

    def check_number(self, value: Any, full: str, *, lo: float | None = None,
                     hi: float | None = None, integer: bool = False,
                     lo_open: bool = False) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = "a whole number" if integer else "a number"
            self.fail(full, f"must be {kind} (got {_show(value)})")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(full, f"must be a finite number (got {value})")
            return None
        if integer and value != int(value):
            self.fail(full, f"must be a whole number (got {_show(value)})")
            return None
        if lo is not None and hi is not None and (value < lo or value > hi or (lo_open and value == lo)):
            span = "above {} and at most {}" if lo_open else "between {} and {}"
            self.fail(full, f"must be {span.format(_fmt(lo), _fmt(hi))} (got {_show(value)})")
            return None
        if lo is not None and hi is None and value < lo:
            self.fail(full, f"must be at least {_fmt(lo)} (got {_show(value)})")
            return None
        if hi is not None and lo is None and value > hi:
            self.fail(full, f"must be at most {_fmt(hi)} (got {_show(value)})")
            return None
        return int(value) if integer else float(value)

    def uncertain(self, obj: dict, key: str, path: str, *, lo: float, hi: float) -> Uncertain | None:
        full = f"{path}.{key}"
        value = obj.get(key, _MISSING)
        if value is _MISSING:
            self.fail(full, "is required")
            return None
        if isinstance(value, dict):
            parts = {}
            for part in ("low", "likely", "high"):
                if part not in value:
                    self.fail(f"{full}.{part}", "is required")
                    continue
                parts[part] = self.check_number(value[part], f"{full}.{part}", lo=lo, hi=hi)
            for unknown in sorted(set(value) - {"low", "likely", "high"}):
                self.fail(f"{full}.{_show_key(unknown)}", "is not one of low, likely, high")
            if len(parts) != 3 or any(v is None for v in parts.values()):
                return None
            if not parts["low"] <= parts["likely"] <= parts["high"]:
                self.fail(full, "needs low <= likely <= high "
                          f"(got {_fmt(parts['low'])}, {_fmt(parts['likely'])}, {_fmt(parts['high'])})")
                return None
            return Uncertain(parts["low"], parts["likely"], parts["high"])
        number = self.check_number(value, full, lo=lo, hi=hi)
        return None if number is None else Uncertain.fixed(number)

    def choice(self, obj: dict, key: str, path: str, options: tuple[str, ...],
               default: Any = _MISSING) -> str | None:
        full = f"{path}.{key}"
        value = obj.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.fail(full, "is required")
                return None
            return default
        if value not in options:
            self.fail(full, f"must be one of {', '.join(repr(o) for o in options)} (got {_show(value)})")
            return None
        return value

    def mapping(self, value: Any, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object with named values (got {_show(value)})")
            return None
        return value


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _show_key(key: str) -> str:
    """A key from the file as it may appear in a one-line message (quoted if odd or long)."""
    return key if key.isidentifier() and len(key) <= 40 else _show(key)


def _text_problem(value: Any) -> str | None:
    """Why value is not a usable name (None if it is): at most 200 characters of real text."""
    if not isinstance(value, str) or len(value) > 200:
        return f"must be text of at most 200 characters (got {_show(value)})"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (\\ud800 in the file) can never be saved
        return f"must be valid text; it holds a lone surrogate escape (got {_show(value)})"
    return None


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else (
        "true" if value is True else "false" if value is False else
        "null" if value is None else "a list" if isinstance(value, list) else
        "an object" if isinstance(value, dict) else repr(value))
    return text if len(text) <= 40 else text[:37] + "..."


ORGANISATION_KEYS = {"opening_reserves", "monthly_other_income", "monthly_core_costs",
                     "overdraft_facility", "reserves_floor"}
CONTRACT_KEYS = {"name", "start_month", "duration_months", "referrals_per_month", "p_no_referrals",
                 "count_noise", "price_per_referral", "share_at_risk", "payment_mode",
                 "fee_lag_months", "success_rate", "target_success_rate", "cohort_months",
                 "outcome_lag_months", "cost_per_referral", "fixed_monthly_cost", "late_payment"}
TOP_KEYS = {"format", "version", "name", "horizon_months", "organisation", "contracts", "simulation"}


def _organisation(r: _Reader, raw: Any) -> Organisation | None:
    obj = r.mapping(raw, "organisation")
    if obj is None:
        return None
    p = "organisation"
    values = dict(
        opening_reserves=r.number(obj, "opening_reserves", p, lo=-MAX_MONEY, hi=MAX_MONEY),
        monthly_other_income=r.uncertain(obj, "monthly_other_income", p, lo=0, hi=MAX_MONEY),
        monthly_core_costs=r.number(obj, "monthly_core_costs", p, lo=0, hi=MAX_MONEY),
        overdraft_facility=r.number(obj, "overdraft_facility", p, lo=0, hi=MAX_MONEY, default=0.0),
        reserves_floor=r.number(obj, "reserves_floor", p, lo=-MAX_MONEY, hi=MAX_MONEY, default=0.0),
    )
    if any(v is None for v in values.values()):
        return None
    extra = {k: v for k, v in obj.items() if k not in ORGANISATION_KEYS}
    return Organisation(**values, extra=extra)


def _late_payment(r: _Reader, obj: dict, path: str) -> LatePayment | None:
    raw = obj.get("late_payment", _MISSING)
    if raw is _MISSING or raw is None:
        return LatePayment()
    full = f"{path}.late_payment"
    lp = r.mapping(raw, full)
    if lp is None:
        return None
    q = r.number(lp, "probability", full, lo=0, hi=1)
    d = r.number(lp, "months", full, lo=0, hi=MAX_LAG, integer=True)
    if q is None or d is None:
        return None
    return LatePayment(q, d)


def _contract(r: _Reader, raw: Any, i: int) -> Contract | None:
    p = f"contracts[{i}]"
    obj = r.mapping(raw, p)
    if obj is None:
        return None
    name = obj.get("name", _MISSING)
    if name is _MISSING:
        r.fail(f"{p}.name", "is required")
    elif _text_problem(name):
        r.fail(f"{p}.name", _text_problem(name))
        name = None
    whole = dict(integer=True)
    values = dict(
        name=name if name is not _MISSING else None,
        start_month=r.number(obj, "start_month", p, lo=1, hi=MAX_HORIZON, **whole),
        duration_months=r.number(obj, "duration_months", p, lo=1, hi=MAX_HORIZON, **whole),
        referrals_per_month=r.uncertain(obj, "referrals_per_month", p, lo=0, hi=1e6),
        p_no_referrals=r.number(obj, "p_no_referrals", p, lo=0, hi=1, default=0.0),
        count_noise=r.choice(obj, "count_noise", p, COUNT_NOISES, default="poisson"),
        price_per_referral=r.number(obj, "price_per_referral", p, lo=0, hi=MAX_MONEY),
        share_at_risk=r.number(obj, "share_at_risk", p, lo=0, hi=1),
        payment_mode=r.choice(obj, "payment_mode", p, PAYMENT_MODES),
        fee_lag_months=r.number(obj, "fee_lag_months", p, lo=0, hi=MAX_LAG, **whole),
        success_rate=r.uncertain(obj, "success_rate", p, lo=0, hi=1),
        target_success_rate=r.number(obj, "target_success_rate", p, lo=0, hi=1, lo_open=True),
        cohort_months=r.number(obj, "cohort_months", p, lo=1, hi=MAX_HORIZON, **whole),
        outcome_lag_months=r.number(obj, "outcome_lag_months", p, lo=0, hi=MAX_LAG, **whole),
        cost_per_referral=r.number(obj, "cost_per_referral", p, lo=0, hi=MAX_MONEY),
        fixed_monthly_cost=r.number(obj, "fixed_monthly_cost", p, lo=0, hi=MAX_MONEY),
        late_payment=_late_payment(r, obj, p),
    )
    if any(v is None for v in values.values()):
        return None
    extra = {k: v for k, v in obj.items() if k not in CONTRACT_KEYS}
    return Contract(**values, extra=extra)


def _settings(r: _Reader, raw: Any) -> SimulationSettings | None:
    if raw is _MISSING or raw is None:
        return SimulationSettings()
    obj = r.mapping(raw, "simulation")
    if obj is None:
        return None
    default = SimulationSettings()
    paths = r.number(obj, "paths", "simulation", lo=100, hi=MAX_PATHS, integer=True, default=default.paths)
    seed = r.number(obj, "seed", "simulation", lo=0, hi=2**63 - 1, integer=True, default=default.seed)
    appetite = r.number(obj, "risk_appetite", "simulation", lo=0, hi=1, default=default.risk_appetite)
    if None in (paths, seed, appetite):
        return None
    return SimulationSettings(paths, seed, appetite)


def scenario_from_dict(data: Any) -> Scenario:
    """Validate parsed JSON (format version 1) and build a Scenario; raise ScenarioError."""
    r = _Reader()
    if not isinstance(data, dict):
        raise ScenarioError([f"scenario: must be a JSON object (got {_show(data)})"])
    horizon = r.number(data, "horizon_months", "", lo=1, hi=MAX_HORIZON, integer=True)
    name = data.get("name", "")
    if _text_problem(name):
        r.fail("name", _text_problem(name))
        name = ""
    organisation = _organisation(r, data["organisation"]) if "organisation" in data else r.fail(
        "organisation", "is required")
    contracts: list[Contract | None] = []
    raw_contracts = data.get("contracts", _MISSING)
    if raw_contracts is _MISSING:
        r.fail("contracts", "is required")
    elif not isinstance(raw_contracts, list):
        r.fail("contracts", f"must be a list (got {_show(raw_contracts)})")
    elif len(raw_contracts) > MAX_CONTRACTS:
        r.fail("contracts", f"must hold at most {MAX_CONTRACTS} contracts (got {len(raw_contracts)})")
    else:
        contracts = [_contract(r, c, i) for i, c in enumerate(raw_contracts)]
    settings = _settings(r, data.get("simulation", _MISSING))
    if r.problems:
        raise ScenarioError(r.problems)
    extra = {k: v for k, v in data.items() if k not in TOP_KEYS}
    return Scenario(horizon_months=horizon, organisation=organisation,
                    contracts=tuple(contracts), name=name, settings=settings, extra=extra)


def validate(data: Any) -> list[str]:
    """All problems with parsed scenario data; empty when it is usable."""
    try:
        scenario_from_dict(data)
    except ScenarioError as error:
        return error.problems
    return []

