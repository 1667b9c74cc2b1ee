"""docs/adding-an-input.md says what every column of a field-table row drives: a column added
to FieldSpec without a word there would make "one dataclass line, one row" a guess."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from charityrisk.model.fields import FieldSpec

DOC = Path(__file__).resolve().parent.parent / "docs" / "adding-an-input.md"


def test_every_column_of_a_row_is_described():
    text = DOC.read_text(encoding="utf-8")
    described = set(re.findall(r"^\| `([^|]+)` \|", text, flags=re.MULTILINE))
    named = {name.strip("` ") for cell in described for name in cell.split(",")}
    columns = {f.name for f in dataclasses.fields(FieldSpec)}
    assert columns - named == set(), "columns of FieldSpec not in docs/adding-an-input.md"
    assert named - columns == set(), "docs/adding-an-input.md describes columns FieldSpec does not have"
