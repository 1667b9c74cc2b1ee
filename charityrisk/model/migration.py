"""Scenario file versions: the header check and the migration of older versions.

Version 1 is the model contract in docs/model.md; versions 2 and 3 only add keys (and a
payment mode) to it, so an older file means exactly what it meant (``upgrade``).  An older file
holding a newer key is read with the key's meaning and a warning (``newer_keys``).  The app writes
``FORMAT_VERSION`` and refuses a newer one, naming it, rather than half-read it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import fields as F
from .problems import FORMAT, NEWER, REQUIRED, TYPE, VERSION, Problem, ScenarioError, _show, problem

FORMAT_NAME = "charityrisk-scenario"
FORMAT_VERSION = 3  # docs/model.md: version 2 adds budget lines, contract terms, correlation; 3 rate cards


def file_version(data: Any) -> int:
    """The version a parsed file declares (1 without a header); check_header says if it is bad."""
    version = data.get("version", 1) if isinstance(data, dict) else 1
    if isinstance(version, float) and version.is_integer():  # 1.0, as check_header reads it
        version = int(version)
    ok = isinstance(version, int) and not isinstance(version, bool) and 1 <= version <= FORMAT_VERSION
    return version if ok else FORMAT_VERSION


def check_header(data: dict) -> int:
    """The file's format version, or ScenarioError if it is not a scenario this app reads."""
    fmt = data.get("format", FORMAT_NAME)
    if fmt != FORMAT_NAME:
        raise ScenarioError([Problem("format", FORMAT, {"got": fmt},
                                     f"this is not a CharityRisk scenario file (format {_show(fmt)})")])
    version = data.get("version", 1)
    if isinstance(version, float) and version.is_integer():  # 1.0, as start_month: 1.0 is read
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ScenarioError([problem("version", TYPE, expected="whole number", got=version)])
    if version > FORMAT_VERSION:
        raise ScenarioError([Problem("version", VERSION, {"got": version, "newest": FORMAT_VERSION},
                                     f"the file is format version {_show(version)}, newer than this "
                                     f"app reads (version {FORMAT_VERSION}); please update CharityRisk")])
    if version < 1:
        raise ScenarioError([Problem("version", VERSION, {"got": version, "lo": 1},
                                     f"must be 1 or more (got {_show(version)})")])
    return version


def migrate_v1_to_v2(data: dict) -> tuple[dict, list[Problem]]:
    """A version 1 file as version 2, meaning the same, and what version 1 said is wrong with it.

    Version 2 only adds keys, each defaulting to "not used", and lets other income and core
    costs default to 0; version 1 required those two, so a version 1 file without them is
    still refused.  A newer key the file holds is read with its meaning (settled 2026-12-06:
    a key is never dropped silently); ``newer_keys`` names each one in a warning.
    """
    problems: list[Problem] = []
    out = {**data, "version": 2}
    organisation = data.get("organisation")
    if isinstance(organisation, dict):
        for spec in F.fields_of("organisation"):
            if spec.required_in_v1 and spec.name not in organisation:
                problems.append(problem(spec.path, REQUIRED))
    return out, problems


def migrate_v2_to_v3(data: dict) -> tuple[dict, list[Problem]]:
    """A version 2 file as version 3: version 3 only adds keys and the "rate_card" payment
    mode, each meaning "not used" when left out, so nothing changes but the number."""
    return {**data, "version": 3}, []


# version -> the function that brings a file of that version one version up
MIGRATIONS: dict[int, Callable[[dict], tuple[dict, list[Problem]]]] = {1: migrate_v1_to_v2, 2: migrate_v2_to_v3}


def upgrade(data: dict) -> tuple[dict, list[Problem]]:
    """data (a file of a version this app reads) as the current version, and the problems the
    older versions' rules found on the way."""
    version = file_version(data)
    problems: list[Problem] = []
    while version < FORMAT_VERSION:
        data, found = MIGRATIONS[version](data)
        problems += found
        version += 1
    return data, problems


# ----- warnings: what an older file holds of a newer version --------------------------------

# Values of an older key that a later version added: (owner, key) -> {value: version}.
NEWER_VALUES: dict[tuple[str, str], dict[Any, int]] = {("contracts[]", "payment_mode"): {"rate_card": 3}}


def _newer_in(obj: Any, owner: str, path: str, version: int, out: list[Problem], said: int = 0) -> None:
    """Warn for each key of owner's rows in obj (at path) newer than version; inside a list
    already named as newer (of version ``said``), only for keys newer still."""
    if not isinstance(obj, dict):
        return
    for spec in F.fields_of(owner):
        key = spec.name.split(".")[0]
        if "." in spec.name or key not in obj:
            continue
        where = f"{path}.{key}" if path else key
        value = obj[key]
        if spec.since > max(version, said):
            out.append(_newer(where, spec.since, version))
        elif isinstance(value, str):
            since = NEWER_VALUES.get((owner, key), {}).get(value)
            if since is not None and since > version:
                out.append(_newer(where, since, version, value=value))


def _newer_in_scenario(data: dict, path: str, version: int, out: list[Problem], said: int = 0) -> None:
    def at(key: str) -> str:
        return f"{path}.{key}" if path else key

    _newer_in(data, "", path, version, out, said)
    organisation = data.get("organisation")
    _newer_in(organisation, "organisation", at("organisation"), version, out, said)
    # Inside a list that is itself newer than the file, its own warning names its keys.
    lines = organisation.get("budget") if isinstance(organisation, dict) else None
    in_lines = max(said, F.spec_of("organisation", "budget").since)
    for i, line in enumerate(lines if isinstance(lines, list) else []):
        _newer_in(line, "organisation.budget[]", at(f"organisation.budget[{i}]"), version, out, in_lines)
    contracts = data.get("contracts")
    for i, c in enumerate(contracts if isinstance(contracts, list) else []):
        _newer_in(c, "contracts[]", at(f"contracts[{i}]"), version, out, said)
    _newer_in(data.get("simulation"), "simulation", at("simulation"), version, out, said)


def _newer(path: str, since: int, version: int, value: Any = None) -> Problem:
    what = f"the value {_show(value)}" if value is not None else "a key"
    return Problem(path, NEWER, {"since": since, "version": version, "got": value},
                   f"{what} of file version {since} in a version {version} file: read with its "
                   f"version {since} meaning")


def newer_keys(data: Any) -> list[Problem]:
    """Warnings for what a file holds that its own version did not have (a key, or a value
    such as ``payment_mode`` "rate_card"), each read with its newer meaning; and for a file
    without a ``version``, which is read as version 1.  Empty for a current file."""
    if not isinstance(data, dict):
        return []
    out: list[Problem] = []
    if "version" not in data:
        out.append(Problem("version", NEWER, {"version": 1},
                           "the file does not say its format version: read as version 1"))
    version = file_version(data)
    if version < FORMAT_VERSION:
        _newer_in_scenario(data, "", version, out)
        variants = data.get("variants")
        for i, v in enumerate(variants if isinstance(variants, list) else []):
            if isinstance(v, dict):  # its keys of the version that added variants go without saying
                _newer_in_scenario(v, f"variants[{i}]", version, out, F.spec_of("", "variants").since)
    return out
