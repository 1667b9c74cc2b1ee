"""Find the files in resources/ from a source checkout, an installed wheel or the frozen app.

- source checkout: ``<repo>/resources`` beside the ``charityrisk`` package;
- installed wheel: ``charityrisk/_resources`` inside the package (pyproject maps it there);
- PyInstaller one-folder app: ``sys._MEIPASS/resources`` (``_internal/`` in PyInstaller 6).
"""
from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources")
    candidates += [_PACKAGE / "_resources", _PACKAGE.parent / "resources"]
    for candidate in candidates:
        if (candidate / "scenarios").is_dir():
            return candidate
    raise FileNotFoundError("CharityRisk's resources folder is missing; looked in "
                            + ", ".join(str(c) for c in candidates))


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def example_scenario_path() -> Path:
    return resource_path("scenarios", "example.json")


PRESETS = {
    "fee_for_service": "Fee for service (Social Impact Bond style, HMP Peterborough)",
    "clawback": "Clawback (HMP Doncaster style, 10% at risk)",
    "clinks_ceiling": "Clinks ceiling (at most 20% at risk, earned on outcomes)",
    "heavy_pbr": "Heavy PbR (Work Programme style)",
}


# Real programmes' terms (engine.decisions.programme_options), each file's notes citing its
# figures and saying what the model cannot express exactly.
PROGRAMMES = {
    "peterborough": "HMP Peterborough outcome terms (as the bond's investors carried them)",
    "doncaster": "HMP Doncaster terms (10% clawed back)",
    "work_programme": "Work Programme terms (falling attachment fee, job outcome, sustainment)",
    "fair_chance_fund": "Fair Chance Fund style rate card",
    "transforming_rehabilitation": "Transforming Rehabilitation CRC terms",
}


def preset_path(key: str) -> Path:
    if key not in PRESETS and key not in PROGRAMMES:
        raise KeyError(f"unknown preset {key!r}; choose from {', '.join([*PRESETS, *PROGRAMMES])}")
    return resource_path("scenarios", f"{key}.json")
