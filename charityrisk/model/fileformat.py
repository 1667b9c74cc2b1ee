"""Scenario files: JSON only (never pickle or eval), versioned, saved atomically.

Version 1 is the model contract in domain.md.  A file without a ``format``/``version``
header is read as version 1 (hand-written files from the contract); a newer version is
refused rather than half-read, so a file is never silently misunderstood.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .scenario import Contract, Organisation, Scenario, Uncertain
from .validation import ScenarioError, scenario_from_dict

FORMAT_NAME = "charityrisk-scenario"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024


def _uncertain(u: Uncertain) -> Any:
    if u.low == u.likely == u.high:
        return u.low
    return {"low": u.low, "likely": u.likely, "high": u.high}


def _organisation(o: Organisation) -> dict:
    return {
        "opening_reserves": o.opening_reserves,
        "monthly_other_income": _uncertain(o.monthly_other_income),
        "monthly_core_costs": o.monthly_core_costs,
        "overdraft_facility": o.overdraft_facility,
        "reserves_floor": o.reserves_floor,
        **dict(o.extra),
    }


def _contract(c: Contract) -> dict:
    return {
        "name": c.name,
        "start_month": c.start_month,
        "duration_months": c.duration_months,
        "referrals_per_month": _uncertain(c.referrals_per_month),
        "p_no_referrals": c.p_no_referrals,
        "count_noise": c.count_noise,
        "price_per_referral": c.price_per_referral,
        "share_at_risk": c.share_at_risk,
        "payment_mode": c.payment_mode,
        "fee_lag_months": c.fee_lag_months,
        "success_rate": _uncertain(c.success_rate),
        "target_success_rate": c.target_success_rate,
        "cohort_months": c.cohort_months,
        "outcome_lag_months": c.outcome_lag_months,
        "cost_per_referral": c.cost_per_referral,
        "fixed_monthly_cost": c.fixed_monthly_cost,
        "late_payment": {"probability": c.late_payment.probability, "months": c.late_payment.months},
        **dict(c.extra),
    }


def scenario_to_dict(s: Scenario) -> dict:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": s.name,
        "horizon_months": s.horizon_months,
        "organisation": _organisation(s.organisation),
        "contracts": [_contract(c) for c in s.contracts],
        "simulation": {"paths": s.settings.paths, "seed": s.settings.seed,
                       "risk_appetite": s.settings.risk_appetite},
        **dict(s.extra),
    }


def migrate(data: Any) -> Any:
    """Bring parsed data up to the current format version, or refuse a newer one."""
    if not isinstance(data, dict):
        return data
    fmt = data.get("format", FORMAT_NAME)
    if fmt != FORMAT_NAME:
        raise ScenarioError([f"format: this is not a CharityRisk scenario file (format {fmt!r})"])
    version = data.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ScenarioError([f"version: must be a whole number (got {version!r})"])
    if version > FORMAT_VERSION:
        raise ScenarioError([f"version: the file is format version {version}, newer than this "
                             f"app reads (version {FORMAT_VERSION}); please update CharityRisk"])
    if version < 1:
        raise ScenarioError([f"version: must be 1 or more (got {version})"])
    return data


def _reject_constant(name: str) -> float:
    # Python's json accepts NaN and Infinity, which are not JSON; say so by key later.
    raise ValueError(f"{name} is not a number JSON allows")


def parse_scenario_text(text: str) -> Scenario:
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ScenarioError(["file: nested too deeply to be a scenario"]) from None
    except ValueError as error:
        raise ScenarioError([f"file: not valid JSON ({error})"]) from None
    return scenario_from_dict(migrate(data))


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario file; every failure is a ScenarioError with a message."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError([f"file: {size:,} bytes is too large for a scenario "
                                 f"(at most {MAX_FILE_BYTES // (1024 * 1024)} MB)"])
        raw = path.read_bytes()
    except OSError as error:
        raise ScenarioError([f"file: cannot read {path} ({error.strerror or error})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(["file: not UTF-8 text; is this a scenario file?"]) from None
    return parse_scenario_text(text)


def scenario_to_json(s: Scenario) -> str:
    return json.dumps(scenario_to_dict(s), indent=2, ensure_ascii=False) + "\n"


def save_scenario(s: Scenario, path: str | os.PathLike, *, backup: bool = True) -> None:
    """Write atomically: a temporary file in the same folder, flushed, then renamed over.

    The previous version is kept as ``NAME.json.bak``.  On failure the old file is
    untouched and OSError propagates for the caller to report.
    """
    path = Path(path)
    text = scenario_to_json(s)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            try:
                if bak.exists():
                    bak.unlink()
                os.link(path, bak)
            except OSError:
                pass  # a backup is a courtesy; the save itself must still happen
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
