"""The field table's ``editor`` column picks the form's input for the few rows whose kind's
own input does not fit; the form reads it from the row, not from the row's key."""
import dataclasses

import pytest

from charityrisk.gui.fields import (
    CheckField,
    FeeScheduleField,
    FirstMonthField,
    SeedField,
    TextField,
    editor_for,
)
from charityrisk.model.fields import FIELDS

EDITORS = {"month": FirstMonthField, "fee_schedule": FeeScheduleField, "tick": CheckField, "seed": SeedField}


@pytest.mark.parametrize("row", [r for r in FIELDS if r.editor], ids=lambda r: r.path)
def test_each_row_with_an_editor_gets_it(qtbot, row):
    assert row.editor in EDITORS, f"{row.path}: editor {row.editor!r} is not one the form knows"
    field = editor_for(row, row.path, lambda: None)
    assert isinstance(field, EDITORS[row.editor])


def test_the_editor_follows_the_column_not_the_key(qtbot):
    """The same row without its editor gets its kind's own input (a text box for the first
    month): the choice is the table's."""
    month = next(r for r in FIELDS if r.path == "first_month")
    assert isinstance(editor_for(month, "first_month", lambda: None), FirstMonthField)
    plain = dataclasses.replace(month, editor="")
    assert isinstance(editor_for(plain, "first_month", lambda: None), TextField)
