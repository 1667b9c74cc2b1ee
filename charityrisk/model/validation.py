"""Turn a parsed scenario file (plain dicts) into a Scenario, or say everything wrong with it.

Every problem is a ``Problem``: the key path, a code ("required", "range", ...), the limits
it broke and a message, e.g. ``contracts[0].share_at_risk: must be between 0 and 1 (got 1.4)``.
All problems are reported at once so that a finance lead can fix a file in one pass.  What
is checked comes from the field table (``model.fields``); the English comes from one
function, ``describe``, so that rewording it cannot change what the app does.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from . import fields as F
from .calendar import parse_first_month
from .fields import MAX_LAG, MAX_MONEY, FieldSpec  # noqa: F401  (MAX_LAG, MAX_MONEY: public names)
from .migration import FORMAT_NAME, FORMAT_VERSION, check_header, file_version, newer_keys, upgrade
from .problems import (  # noqa: F401
    CALENDAR,
    CHOICE,
    CONFLICT,
    COUNT,
    FINITE,
    FIXABLE_CODES,
    NEWER,
    ORDER,
    OTHER,
    RANGE,
    REQUIRED,
    TEXT,
    TOO_MANY,
    TYPE,
    UNKNOWN,
    UNUSED,
    Problem,
    ScenarioError,
    _fmt,
    _show,
    _show_key,
    describe,
    problem,
)
from .scenario import (
    MAX_FEE_YEARS,
    MAX_STAGES,
    RATE_CARD_KEYS,
    SHARE_ONLY_KEYS,
    BudgetLine,
    Contract,
    LatePayment,
    Organisation,
    OutcomeStage,
    Scenario,
    SimulationSettings,
    Uncertain,
)


def _text_problem(value: Any, path: str, limit: int = F.MAX_TEXT) -> Problem | None:
    """Why value is not a usable name (None if it is): at most ``limit`` characters of real text."""
    if not isinstance(value, str) or len(value) > limit:
        return problem(path, TEXT, max=limit, got=value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (\\ud800 in the file) can never be saved
        return problem(path, TEXT, surrogate=True, got=value)
    return None


# ----- reading values by their rows ---------------------------------------------------------

_MISSING = object()


class _Reader:
    """Reads typed values from nested dicts by their field rows, collecting problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # the scenario is usable; the user should know

    def fail(self, path: str, code: str, **limits: Any) -> None:
        self.problems.append(problem(path, code, **limits))

    def mapping(self, value: Any, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, TYPE, expected="object", got=value)
            return None
        return value

    def value(self, obj: dict, spec: FieldSpec, path: str, *, required: bool | None = None) -> Any:
        """The value of spec's key in obj (path: where obj is), its default, or None (failed)."""
        key = spec.name.rpartition(".")[2]
        full = f"{path}.{key}" if path else key
        raw = obj.get(key, _MISSING)
        if raw is _MISSING or (raw is None and spec.default is None):
            if required if required is not None else spec.required:
                self.fail(full, REQUIRED)
                return None
            if spec.uncertain and spec.default is not None:
                return Uncertain.fixed(float(spec.default))
            return spec.default
        if spec.kind == "text":
            found = _text_problem(raw, full, int(spec.hi or F.MAX_TEXT))
            if found is not None:
                self.problems.append(found)
                return None
            return raw
        if spec.kind == "choice":
            if raw not in spec.choices:
                self.fail(full, CHOICE, options=spec.choices, got=raw)
                return None
            return raw
        if spec.uncertain:
            return self.uncertain(raw, spec, full)
        return self.number(raw, spec, full)

    def number(self, value: Any, spec: FieldSpec, full: str) -> Any:
        integer = spec.integer
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(full, TYPE, expected="whole number" if integer else "number", got=value)
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(full, FINITE, got=value)
            return None
        if integer and value != int(value):
            self.fail(full, TYPE, expected="whole number", got=value)
            return None
        lo, hi = spec.lo, spec.hi
        if ((lo is not None and (value < lo or (spec.lo_open and value == lo)))
                or (hi is not None and value > hi)):
            self.fail(full, RANGE, lo=lo, hi=hi, lo_open=spec.lo_open, got=value)
            return None
        return int(value) if integer else float(value)

    def uncertain(self, value: Any, spec: FieldSpec, full: str) -> Uncertain | None:
        if isinstance(value, dict):
            parts = {}
            for part in ("low", "likely", "high"):
                if part not in value:
                    self.fail(f"{full}.{part}", REQUIRED)
                    continue
                parts[part] = self.number(value[part], spec, f"{full}.{part}")
            for unknown in sorted(set(value) - {"low", "likely", "high"}):
                self.fail(f"{full}.{_show_key(unknown)}", UNKNOWN, options=("low", "likely", "high"))
            if len(parts) != 3 or any(v is None for v in parts.values()):
                return None
            if not parts["low"] <= parts["likely"] <= parts["high"]:
                self.fail(full, ORDER, low=parts["low"], likely=parts["likely"], high=parts["high"])
                return None
            return Uncertain(parts["low"], parts["likely"], parts["high"])
        number = self.number(value, spec, full)
        return None if number is None else Uncertain.fixed(number)

    def values(self, obj: dict, owner: str, path: str, version: int,
               skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """Every top-level key of owner's rows (not ``a.b`` sub-keys), by its row."""
        out = {}
        for spec in F.fields_of(owner):
            if "." in spec.name or spec.kind in ("list", "object") or spec.name in skip:
                continue
            if spec.since > version:
                continue  # not a key of that version: the dataclass default; kept if present
            required = spec.required or (version < 2 and spec.required_in_v1)
            out[spec.name] = self.value(obj, spec, path, required=required)
        return out

    def items(self, data: dict, key: str, path: str, what: str) -> list | None:
        raw = data.get(key, _MISSING)
        full = f"{path}.{key}" if path else key
        limit = F.MAX_ITEMS[full]
        if not isinstance(raw, list):
            self.fail(full, TYPE, expected="list", got=raw)
            return None
        if len(raw) > limit:
            self.fail(full, TOO_MANY, max=limit, what=what, count=len(raw))
            return None
        return raw


def _extra(obj: dict, owner: str, version: int) -> dict:
    known = {f.name.split(".")[0] for f in F.fields_of(owner) if f.since <= version}
    return {k: v for k, v in obj.items() if k not in known}


def _numbers(r: _Reader, raw: Any, full: str, entry: FieldSpec, lo: int, hi: int, what: str
             ) -> tuple[float, ...] | None:
    """A list of lo to hi numbers, each by the row ``entry`` (its path ``full[k]``)."""
    if not isinstance(raw, list):
        r.fail(full, TYPE, expected="list", got=raw)
        return None
    if not lo <= len(raw) <= hi:
        r.fail(full, COUNT, lo=lo, hi=hi, what=what, count=len(raw))
        return None
    read = [r.number(x, entry, f"{full}[{k}]") for k, x in enumerate(raw)]
    return None if any(x is None for x in read) else tuple(float(x) for x in read)


def _budget_line(r: _Reader, raw: Any, path: str) -> BudgetLine | None:
    obj = r.mapping(raw, path)
    if obj is None:
        return None
    values = r.values(obj, "organisation.budget[]", path, FORMAT_VERSION, skip=("amount", "scale"))
    start, end = values.get("start_month"), values.get("end_month")
    if start is not None and end is not None and end < start:
        r.fail(f"{path}.end_month", ORDER, other="start_month", relation=">=", bound=start, got=end)
        return None
    # An amount, or (version 3) a monthly pattern with its scale: one or the other.
    amount_row = F.spec_of("organisation.budget[]", "amount")
    pattern = obj.get("monthly_amounts")
    ok = True
    if pattern is None:
        if obj.get("amount") is None:
            r.fail(f"{path}.amount", REQUIRED, alternative="monthly_amounts")
            ok = False
        else:
            values["amount"] = r.value(obj, amount_row, path)
        if obj.get("scale") is not None:
            r.fail(f"{path}.scale", CONFLICT, other="monthly_amounts", rule="only_with")
            ok = False
    else:
        if obj.get("amount") is not None:
            r.fail(f"{path}.monthly_amounts", CONFLICT, other="amount", rule="not_with")
            ok = False
        values["amount"] = Uncertain.fixed(0.0)  # not used with a pattern
        values["monthly_amounts"] = _numbers(r, pattern, f"{path}.monthly_amounts", amount_row, 1, F.MAX_HORIZON,
                                             "monthly amounts")
        values["scale"] = r.value(obj, F.spec_of("organisation.budget[]", "scale"), path)
        every = values.get("every_months")
        if every is not None and every != 1:
            r.fail(f"{path}.every_months", CONFLICT, other="monthly_amounts", rule="one_with", got=every)
            ok = False
        ok = ok and values["monthly_amounts"] is not None and values["scale"] is not None
    if not ok or any(values[k] is None for k in ("name", "kind", "amount", "start_month", "every_months",
                                                   "growth_per_year", "probability")):
        return None
    return BudgetLine(**values, extra=_extra(obj, "organisation.budget[]", FORMAT_VERSION))


def _organisation(r: _Reader, raw: Any, version: int) -> Organisation | None:
    obj = r.mapping(raw, "organisation")
    if obj is None:
        return None
    p = "organisation"
    values = r.values(obj, p, p, version)
    budget: tuple[BudgetLine, ...] | None = ()
    if version >= 2 and obj.get("budget") is not None:
        lines = r.items(obj, "budget", p, "budget lines")
        if lines is None:
            budget = None
        else:
            read = [_budget_line(r, line, f"{p}.budget[{i}]") for i, line in enumerate(lines)]
            budget = None if any(b is None for b in read) else tuple(b for b in read if b is not None)
    if any(v is None for v in values.values()) or budget is None:
        return None
    return Organisation(**values, budget=budget, extra=_extra(obj, p, version))


def _late_payment(r: _Reader, obj: dict, path: str) -> LatePayment | None:
    raw = obj.get("late_payment", _MISSING)
    if raw is _MISSING or raw is None:
        return LatePayment()
    full = f"{path}.late_payment"
    lp = r.mapping(raw, full)
    if lp is None:
        return None
    q = r.value(lp, F.spec_of("contracts[]", "late_payment.probability"), full)
    d = r.value(lp, F.spec_of("contracts[]", "late_payment.months"), full)
    if q is None or d is None:
        return None
    # Unknown keys here are kept too (issue 15: saving keeps unknown keys at every level).
    return LatePayment(q, d, extra={k: v for k, v in lp.items() if k not in ("probability", "months")})


# What a rate card holds in place of the keys it does not use (they are not read in its mode)
# and of its fee's wait when left out (paid in the referral's month): the rows' ``idle``.
_IDLE_IN_RATE_CARD = {f.name: f.idle for f in F.fields_of("contracts[]") if f.idle is not F.UNSET}
# The share-at-risk keys among them, written only if given (model.fileformat).
_UNUSED_BY_RATE_CARD = {k: v for k, v in _IDLE_IN_RATE_CARD.items() if k in SHARE_ONLY_KEYS}


def _stage(r: _Reader, raw: Any, path: str) -> OutcomeStage | None:
    obj = r.mapping(raw, path)
    if obj is None:
        return None
    values = r.values(obj, "contracts[].outcome_payments[]", path, FORMAT_VERSION)
    if any(v is None for v in values.values()):
        return None
    return OutcomeStage(**values, extra=_extra(obj, "contracts[].outcome_payments[]", FORMAT_VERSION))


def _rate_card(r: _Reader, obj: dict, p: str, values: dict) -> bool:
    """Read a rate card's fee (one, or one per contract year) and its stages into values;
    False if they are wrong."""
    ok = True
    fee = obj.get("fee_per_referral")
    row = F.spec_of("contracts[]", "fee_per_referral")
    if fee is None:
        values["fee_per_referral"] = (0.0,)
    elif isinstance(fee, list):
        values["fee_per_referral"] = _numbers(r, fee, f"{p}.fee_per_referral", row, 1, MAX_FEE_YEARS, "fees")
    else:
        one = r.number(fee, row, f"{p}.fee_per_referral")
        values["fee_per_referral"] = None if one is None else (one,)
    ok = values["fee_per_referral"] is not None
    stages = obj.get("outcome_payments")
    full = f"{p}.outcome_payments"
    if stages is None:
        r.fail(full, REQUIRED)
        return False
    if not isinstance(stages, list):
        r.fail(full, TYPE, expected="list", got=stages)
        return False
    if not 1 <= len(stages) <= MAX_STAGES:
        r.fail(full, COUNT, lo=1, hi=MAX_STAGES, what="stages", count=len(stages))
        return False
    read = [_stage(r, stage, f"{full}[{k}]") for k, stage in enumerate(stages)]
    if any(stage is None for stage in read):
        return False
    values["outcome_payments"] = tuple(read)
    return ok


def _contract(r: _Reader, raw: Any, i: int, version: int) -> Contract | None:
    p = f"contracts[{i}]"
    obj = r.mapping(raw, p)
    if obj is None:
        return None
    rate_card = obj.get("payment_mode") == "rate_card"
    # A rate card does not use the share-at-risk keys: read only if given (and named in a
    # warning); its fee is paid in the referral's month unless a wait is given.
    skip = tuple(k for k in _IDLE_IN_RATE_CARD if obj.get(k) is None) if rate_card else ()
    values = r.values(obj, "contracts[]", p, version, skip=skip + ("pooled_target_success_rate", "fee_per_referral"))
    values["late_payment"] = _late_payment(r, obj, p)
    ok = True
    if rate_card:
        values.update({k: v for k, v in _IDLE_IN_RATE_CARD.items() if k in skip})
        for k in SHARE_ONLY_KEYS:
            if k not in skip:
                r.warnings.append(Problem(f"{p}.{k}", UNUSED, {"mode": "rate_card"},
                                          "is not used by a rate card (payment_mode \"rate_card\"); "
                                          "its value is kept"))
        ok = _rate_card(r, obj, p, values)
    else:
        # A rate card's key with its "none" value (a fee of 0, no stages) says nothing, as the
        # app's own new contract, made from the field table's defaults, holds them; with
        # anything in it, it is an error in another mode.
        for k in RATE_CARD_KEYS:
            if obj.get(k) not in (None, 0, [], ()):
                r.fail(f"{p}.{k}", CONFLICT, other='only a rate card (payment_mode "rate_card") has it',
                       rule="mode", mode=obj.get("payment_mode"))
                ok = False
    pooled = obj.get("pooled_target_success_rate")
    if pooled is not None:
        row = F.spec_of("contracts[]", "pooled_target_success_rate")
        values["pooled_target_success_rate"] = r.number(pooled, row, f"{p}.pooled_target_success_rate")
        target = values.get(row.at_most)
        if obj.get("payment_mode") != "threshold":
            r.fail(f"{p}.pooled_target_success_rate", CONFLICT, rule="mode", mode=obj.get("payment_mode"),
                   other='only all or nothing (payment_mode "threshold") has a pooled target')
            ok = False
        elif values["pooled_target_success_rate"] is None:
            ok = False
        elif target is not None and values["pooled_target_success_rate"] > target:
            r.fail(f"{p}.pooled_target_success_rate", ORDER, other=row.at_most, relation="<=",
                   bound=target, got=pooled)
            ok = False
    wind, duration = values.get("wind_down_months"), values.get("duration_months")
    if wind is not None and duration is not None and wind > duration:
        r.fail(f"{p}.wind_down_months", ORDER, other="duration_months", relation="<=", bound=duration, got=wind)
        return None
    if not ok or any(v is None for k, v in values.items()
                     if k not in ("wind_down_months", "id", "pooled_target_success_rate")):  # None: not set
        return None
    return Contract(**values, extra=_extra(obj, "contracts[]", version))


def _with_ids(r: _Reader, contracts: list[Contract | None]) -> list[Contract | None]:
    """Give each contract without an id one (its place + 1, else the next free number), and
    refuse two contracts with the same id: they would share their chance draws.  A file
    without ids (every version 1 file) gets id = place + 1, which draws exactly what keying by
    place did, so its results are unchanged; from then on the ids are saved and kept."""
    taken: dict[int, int] = {}
    for i, c in enumerate(contracts):
        if c is not None and c.id is not None:
            if c.id in taken:
                r.problems.append(Problem(f"contracts[{i}].id", OTHER, {"got": c.id},
                                          f"must differ from contracts[{taken[c.id]}].id (both {c.id}): each "
                                          "contract's chance draws are its own"))
            taken.setdefault(c.id, i)
    out: list[Contract | None] = []
    free = 1
    for i, c in enumerate(contracts):
        if c is not None and c.id is None:
            wanted = i + 1
            if wanted in taken:
                while free in taken:
                    free += 1
                wanted = free
            taken[wanted] = i
            c = replace(c, id=wanted)
        out.append(c)
    return out


def next_contract_id(contracts: list[dict]) -> int:
    """An id for a contract added to these (file dicts): above every id and every place, so it
    meets neither a kept id nor one a contract without an id would be given."""
    ids = [c.get("id") for c in contracts if isinstance(c, dict)]
    return max([len(contracts)] + [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]) + 1


def _settings(r: _Reader, raw: Any) -> SimulationSettings | None:
    if raw is _MISSING or raw is None:
        return SimulationSettings()
    obj = r.mapping(raw, "simulation")
    if obj is None:
        return None
    values = r.values(obj, "simulation", "simulation", FORMAT_VERSION)
    if any(v is None for k, v in values.items() if k != "precision"):  # precision None: not used
        return None
    return SimulationSettings(values["paths"], values["seed"], values["risk_appetite"], values["precision"],
                              values["sampling"], extra=_extra(obj, "simulation", FORMAT_VERSION))


def scenario_from_dict(data: Any, warnings: list | None = None) -> Scenario:
    """Validate parsed JSON (format version 1 to 3) and build a Scenario; raise ScenarioError.

    An older file is brought up to the current version first (``migration.upgrade``) and
    means what it meant (docs/model.md); a bad or newer header is not checked here (that is
    ``fileformat.migrate``), such data is read by the current version's rules.  What the
    user should know of a usable file (a newer key in an older file, read with its newer
    meaning; a key its payment mode does not use) is appended to ``warnings`` as Problems
    (codes "newer", "unused") when a list is given."""
    r = _Reader()
    if not isinstance(data, dict):
        raise ScenarioError([problem("scenario", TYPE, expected="JSON object", got=data)])
    declared = file_version(data)
    r.warnings = newer_keys(data)
    data, r.problems = upgrade(data)
    version = FORMAT_VERSION
    top = r.values(data, "", "", version, skip=("first_month",))
    top["first_month"] = data.get("first_month")
    if top["first_month"] is not None and parse_first_month(top["first_month"]) is None:
        r.fail("first_month", CALENDAR, got=top["first_month"])
    organisation: Organisation | None = None
    if "organisation" in data:
        organisation = _organisation(r, data["organisation"], version)
    else:
        r.fail("organisation", REQUIRED)
    contracts: list[Contract | None] = []
    if "contracts" not in data:
        r.fail("contracts", REQUIRED)
    else:
        raw_contracts = r.items(data, "contracts", "", "contracts")
        if raw_contracts is not None:
            contracts = _with_ids(r, [_contract(r, c, i, version) for i, c in enumerate(raw_contracts)])
    settings = _settings(r, data.get("simulation", _MISSING))
    variants = _variants(r, data, declared)
    if r.problems:
        raise ScenarioError(r.problems)
    if warnings is not None:
        warnings.extend(r.warnings)
    name = top.pop("name")
    extra = {k: v for k, v in data.items() if k not in TOP_KEYS and k not in F.keys_of("")}
    assert organisation is not None and settings is not None
    return Scenario(organisation=organisation, contracts=tuple(c for c in contracts if c is not None),
                    name=name, settings=settings, extra=extra, variants=variants, **top)


def _variants(r: _Reader, data: dict, version: int) -> tuple[Scenario, ...]:
    """The named variants (version 2, default none): each a whole scenario read by these same
    rules, its problems named inside it (``variants[1].contracts[0].price_per_referral``)."""
    if data.get("variants", _MISSING) in (_MISSING, None):
        return ()
    items = r.items(data, "variants", "", "variants")
    if items is None:
        return ()
    out = []
    for i, item in enumerate(items):
        where = f"variants[{i}]"
        obj = r.mapping(item, where)
        if obj is None:
            continue
        if obj.get("variants") not in (None, []):
            r.problems.append(Problem(f"{where}.variants", OTHER, {},
                                      "a variant cannot hold variants of its own"))
            continue
        # A variant is written without a header: it is of the file's own version.
        obj = {"format": FORMAT_NAME, "version": version, **obj}
        obj.pop("variants", None)
        try:
            check_header(obj)
            found: list[Problem] = []  # newer keys: warned of by the file's own newer_keys
            out.append(scenario_from_dict(obj, found))
            r.warnings.extend(Problem(f"{where}.{p.path}" if p.path else where, p.code, p.limits, p.message)
                              for p in found if p.code != NEWER)
        except ScenarioError as error:
            r.problems.extend(Problem(f"{where}.{p.path}" if p.path else where, p.code, p.limits, p.message)
                              for p in error.problems)
    return tuple(out)


TOP_KEYS = frozenset({"format", "version", "organisation", "contracts", "simulation", "name",
                      "horizon_months"})


def validate(data: Any) -> list[Problem]:
    """All problems with parsed scenario data; empty when it is usable."""
    try:
        scenario_from_dict(data)
    except ScenarioError as error:
        return error.problems
    return []


# Kept for callers that list the keys the app reads (version 2).
ORGANISATION_KEYS = F.keys_of("organisation")
CONTRACT_KEYS = F.keys_of("contracts[]")
