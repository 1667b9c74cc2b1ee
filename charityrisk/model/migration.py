"""Scenario file versions: the header check and the migration of older versions.

Version 1 is the model contract in docs/model.md; version 2 only adds keys to it, so a
version 1 file means exactly what it meant (``migrate_v1_to_v2``).  The app writes
``FORMAT_VERSION`` and refuses a newer one, naming it, rather than half-read it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import fields as F
from .problems import FORMAT, REQUIRED, TYPE, VERSION, Problem, ScenarioError, _show, problem

FORMAT_NAME = "charityrisk-scenario"
FORMAT_VERSION = 2  # docs/model.md: version 2 adds budget lines, contract terms, correlation


def file_version(data: Any) -> int:
    """The version a parsed file declares (1 without a header); check_header says if it is bad."""
    version = data.get("version", 1) if isinstance(data, dict) else 1
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
    still refused.  Keys a version 1 file holds that version 2 gives a meaning to were unknown
    keys then: they are kept under a ``v1:`` prefix, not read with a meaning the file never had.
    """
    problems: list[Problem] = []
    out = {**_set_aside(data, ""), "version": 2}
    organisation = data.get("organisation")
    if isinstance(organisation, dict):
        for spec in F.fields_of("organisation"):
            if spec.required_in_v1 and spec.name not in organisation:
                problems.append(problem(spec.path, REQUIRED))
        out["organisation"] = _set_aside(organisation, "organisation")
    contracts = data.get("contracts")
    if isinstance(contracts, list):
        out["contracts"] = [_set_aside(c, "contracts[]") if isinstance(c, dict) else c for c in contracts]
    return out, problems


def _set_aside(obj: dict, owner: str) -> dict:
    new = {f.name.split(".")[0] for f in F.fields_of(owner) if f.since >= 2}
    return {(f"v1:{k}" if k in new else k): v for k, v in obj.items()}


# version -> the function that brings a file of that version one version up
MIGRATIONS: dict[int, Callable[[dict], tuple[dict, list[Problem]]]] = {1: migrate_v1_to_v2}


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
