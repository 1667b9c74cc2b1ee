"""The field table drives everything that names an input (issue 22): adding an input is one
dataclass line and one row of model/fields.py, not a key string in every module that shows,
checks, saves or varies it.

Measured over the source tree as issue 22 states it: for each of ten inputs, the files of
charityrisk/ (outside model/fields.py, model/scenario.py and engine/) that name its key
inside a string literal (an f-string's attribute read counts too); the median over the ten
must be at most 1.  model/migration.py may keep its own (old files name old keys).
"""
from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "charityrisk"
KEYS = ("fixed_monthly_cost", "cost_per_referral", "outcome_lag_months", "p_no_referrals", "reserves_floor",
        "fee_lag_months", "price_per_referral", "cohort_months", "overdraft_facility", "target_success_rate")
OWN_THE_KEYS = ("model/fields.py", "model/scenario.py", "model/migration.py")
MOST = 1


def _in_string(key: str) -> re.Pattern[str]:
    """A single- or double-quoted string on one line that holds the key as a word."""
    return re.compile(r"""(['"])[^'"\n]*\b""" + re.escape(key) + r"""\b[^'"\n]*\1""")


def naming_files(root: Path = PACKAGE) -> dict[str, list[str]]:
    """For each key, the files (relative to the package) that name it inside a string."""
    files = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in OWN_THE_KEYS or rel.startswith("engine/"):
            continue
        files.append((rel, path.read_text(encoding="utf-8")))
    return {key: [rel for rel, text in files if _in_string(key).search(text)] for key in KEYS}


def test_an_input_key_is_named_in_at_most_one_file_at_the_median():
    found = naming_files()
    median = statistics.median(len(v) for v in found.values())
    detail = "\n".join(f"{key}: {', '.join(files) or '-'}" for key, files in found.items())
    assert median <= MOST, f"median {median} files name an input key in a string:\n{detail}"


@pytest.mark.parametrize("text, named", [
    ('x = spec_of("contracts[]", "price_per_referral")', True),
    ("f\"{money(c.cost_per_referral)} a referral\"", True),
    ("words = {'fee_lag_months': 1}", True),
    ("c.price_per_referral * c.share_at_risk", False),  # code, not a string
    ('"outcome_lag_months_extra"', False),  # another word
])
def test_the_measure_counts_a_key_inside_a_string_and_nothing_else(tmp_path, text, named):
    (tmp_path / "module.py").write_text(text + "\n", encoding="utf-8")
    found = naming_files(tmp_path)
    assert any(found.values()) is named
