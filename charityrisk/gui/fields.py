"""Input fields for the scenario form: spin boxes in pounds, months and percent, and the
small wrappers that map one scenario key to its inputs and its error note.

A field keeps the exact model value it was last given, so a value nobody touched comes back
unchanged (a file's 0.123456 is shown as 12.3% but saved as 0.123456, and undo never sees a
spurious change).  Views never compute risk; the only arithmetic here is unit conversion.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, QRegularExpression, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QKeyEvent,
    QRegularExpressionValidator,
    QValidator,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..model.calendar import month_name, parse_first_month
from ..model.fields import MAX_LAG, MAX_MONEY, MAX_REFERRALS, MAX_TEXT, FieldSpec, spec, spec_of
from ..model.money import MoneyError, format_money, parse_money
from ..model.problems import ORDER, RANGE, REQUIRED, TEXT, TYPE, Problem
from ..report.formats import money_exact

UK = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
ERROR_COLOUR = "#b3261e"
PARTS = ("low", "likely", "high")
PART_NAMES = {"low": "Low", "likely": "Most likely", "high": "High"}


# ----- spin boxes ------------------------------------------------------------------------

# The guard is mixed into spin boxes and combos; for the type checker it is a widget.
if TYPE_CHECKING:
    class _GuardBase(QWidget):
        pass
else:
    _GuardBase = object



def _within(spin: Any, number: float) -> float:
    """``number`` brought within the spin box's range.  A file opened to be corrected may hold
    a value far out of range (10**30 months): Qt cannot take it (OverflowError, a warning) and
    the box shows its nearest end, while the field's value() keeps the file's own until the
    user changes it, so the form still marks it."""
    return min(max(number, spin.minimum()), spin.maximum())

class _WheelGuard(_GuardBase):
    """Spin boxes and combos inside a scroll area must not change when the user scrolls
    the form past them: the wheel only acts on the field that has keyboard focus."""

    def _guard_init(self) -> None:
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)  # the spin box's or combo's own
        else:
            event.ignore()  # let the scroll area scroll


class NumberSpin(_WheelGuard, QDoubleSpinBox):
    """A number with a unit (prefix or suffix), thousands separators and a UK locale."""

    def __init__(self, *, lo: float, hi: float, decimals: int = 0, prefix: str = "",
                 suffix: str = "", step: float = 1, trim: bool = False, parent=None):
        super().__init__(parent)
        self._guard_init()
        self._trim = trim
        self.setLocale(UK)
        self.setDecimals(decimals)
        self.setRange(lo, hi)
        self.setPrefix(prefix)
        self.setSuffix(suffix)
        self.setSingleStep(step)
        self.setGroupSeparatorShown(True)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # An emptied or half-typed field goes back to its last value when the user moves on;
        # "nearest value" silently turned an emptied £70,000 into £0 and re-ran the risk.
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setAccelerated(True)

    def textFromValue(self, value: float) -> str:
        text = super().textFromValue(value)
        if self._trim and self.decimals() > 0:
            point = self.locale().decimalPoint()
            if point in text:
                text = text.rstrip("0").rstrip(point)
        return text


class WholeSpin(_WheelGuard, QSpinBox):
    """A whole number (months, futures) with a unit and thousands separators.

    A " months" suffix reads " month" for 1 (the suffix, not the text, changes, so typing
    and Qt's own parsing keep working).
    """

    def __init__(self, *, lo: int, hi: int, suffix: str = "", step: int = 1, parent=None):
        super().__init__(parent)
        self._plural = suffix if suffix.endswith("s") else ""
        if self._plural:
            self.valueChanged.connect(self._fit_suffix)
        self._guard_init()
        self.setLocale(UK)
        self.setRange(lo, hi)
        self.setSuffix(suffix)
        self.setSingleStep(step)
        self.setGroupSeparatorShown(True)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        if self._plural:
            self._fit_suffix(self.value())

    def _fit_suffix(self, value: int) -> None:
        wanted = self._plural[:-1] if value == 1 else self._plural
        if self.suffix() != wanted:
            self.setSuffix(wanted)


class GuardedCombo(_WheelGuard, QComboBox):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._guard_init()


class MoneySpin(NumberSpin):
    """Pounds as people type them ("65k", "£65,000", "65,000", "65000"), read by
    ``model.money.parse_money``.

    Text it cannot read, or an amount outside the field's range, is refused: the typed text
    stays in the box (never "corrected" back to the old value or to a different number, as
    "65k" once became £65) and ``refused`` carries the reason for the field to show.
    """

    refused = Signal(str)

    def __init__(self, *, lo: float, hi: float, step: float = 1000, parent=None):
        # Text to keep on screen (refused or blank) until the user types or a value is set:
        # Qt redraws a spin box's text from its value on show, style change and focus out.
        self._held: str | None = None
        super().__init__(lo=lo, hi=hi, decimals=2, step=step, parent=parent)
        self.lineEdit().textEdited.connect(self._typed)

    def _typed(self, _text: str) -> None:
        self._held = None

    def textFromValue(self, value: float) -> str:
        if self._held is not None:
            return self._held
        return format_money(round(value, 2))

    def hold(self, text: str) -> None:
        """Show ``text`` (refused, or "" for an amount to fill in) until the user types."""
        self._held = text
        self.lineEdit().setText(text)

    def setValue(self, value: float) -> None:
        held, self._held = self._held, None
        super().setValue(value)
        if held is not None:  # the value may not have changed: show it anyway
            self.lineEdit().setText(self.textFromValue(self.value()))

    def stepBy(self, steps: int) -> None:
        if self._held is not None:  # arrows step from the last good value, shown again
            self._held = None
            self.lineEdit().setText(self.textFromValue(self.value()))
        super().stepBy(steps)

    def refusal(self, text: str | None = None) -> str | None:
        """Why ``text`` (default: what the box shows) is not an amount for this field."""
        text = self.lineEdit().text() if text is None else text
        try:
            amount = parse_money(text, allow_negative=self.minimum() < 0)
        except MoneyError as error:
            if error.code == "empty":
                return "Required: enter an amount in pounds, for example 65,000 or 65k."
            return error.message
        if amount < self.minimum():
            return f"Must be at least {format_money(self.minimum())} (now {format_money(amount)})."
        if amount > self.maximum():
            return f"Must be at most {format_money(self.maximum())} (now {format_money(amount)})."
        return None

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        # Anything may be typed (Intermediate); only a readable amount in range is taken.
        state = QValidator.State.Intermediate if self.refusal(text) else QValidator.State.Acceptable
        return state, text, pos

    def fixup(self, text: str) -> str:
        return text  # never rewrite what was typed

    def valueFromText(self, text: str) -> float:
        try:
            return parse_money(text, allow_negative=self.minimum() < 0)
        except MoneyError:
            return self.value()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        reason = self.refusal()
        if reason is None:
            super().focusOutEvent(event)
            return
        # Qt's own handler would put the last good value back: keep the text and say why.
        self.hold(self.lineEdit().text())
        self.lineEdit().event(event)
        QWidget.focusOutEvent(self, event)
        self.refused.emit(reason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            reason = self.refusal()
            if reason is not None:
                self.hold(self.lineEdit().text())
                self.refused.emit(reason)
                event.ignore()
                return
        super().keyPressEvent(event)

    def set_blank(self) -> None:
        """An empty box: an amount still to be filled in."""
        self.hold("")


def money_spin(lo: float = 0, hi: float = MAX_MONEY, step: float = 1000) -> MoneySpin:
    return MoneySpin(lo=lo, hi=hi, step=step)


def percent_spin(lo: float = 0, hi: float = 100) -> NumberSpin:
    return NumberSpin(lo=lo, hi=hi, decimals=1, suffix="%", step=1, trim=True)


def months_spin(lo: int = 0, hi: int = MAX_LAG) -> WholeSpin:
    return WholeSpin(lo=lo, hi=hi, suffix=" months")


def count_spin(hi: float = MAX_REFERRALS) -> NumberSpin:
    return NumberSpin(lo=0, hi=hi, decimals=1, step=1, trim=True)


# ----- how a field shows numbers in its own unit -------------------------------------------

class Unit:
    """Converts between the model's number and what the field shows (scale) and formats a
    model number the way the user sees it, for error messages."""

    def __init__(self, kind: str):
        self.kind = kind  # "money", "percent", "months", "count", "whole"
        self.scale = 100.0 if kind == "percent" else 1.0

    def show(self, model_value: float) -> str:
        shown = model_value * self.scale
        if self.kind == "money":
            return money_exact(shown)
        if self.kind == "percent":
            return f"{shown:.4g}%"
        if self.kind == "months":
            return f"{shown:g} month" + ("" if shown == 1 else "s")
        if self.kind == "whole":
            # Python's int, not QLocale's: a 19-digit seed overflows Qt's 64-bit toString.
            return f"{int(shown):,}" if shown == int(shown) else f"{shown:g}"
        return f"{shown:g}"


# ----- plain-English error messages --------------------------------------------------------

def plain_reason(problem: Problem, unit: Unit | None) -> str:
    """What is wrong, in the field's own units, from the problem's code and limits (never
    from its English, which may be reworded): "Must be between 0% and 100% (now 140%)."."""
    u = unit or Unit("count")
    limits = problem.limits
    got = limits.get("got")

    def show(x: Any) -> str:
        return u.show(float(x)) if isinstance(x, (int, float)) and not isinstance(x, bool) else str(x)

    if problem.code == ORDER and "low" in limits:
        low, likely, high = (show(limits[k]) for k in ("low", "likely", "high"))
        return ("Low must not be more than most likely, and most likely not more than high "
                f"(now {low}, {likely}, {high}).")
    if problem.code == ORDER and "other" in limits:
        other = _other_label(problem, limits["other"])
        words = "Must not be before" if limits.get("relation") == ">=" else "Must not be more than"
        return f"{words} {show(limits['bound'])} ({other}) (now {show(got)})."
    if problem.code == RANGE:
        lo, hi = limits.get("lo"), limits.get("hi")
        if lo is not None and hi is not None:
            if limits.get("lo_open"):
                return f"Must be more than {show(lo)} and at most {show(hi)} (now {show(got)})."
            return f"Must be between {show(lo)} and {show(hi)} (now {show(got)})."
        if lo is not None:
            return f"Must be at least {show(lo)} (now {show(got)})."
        return f"Must be at most {show(hi)} (now {show(got)})."
    if problem.code == REQUIRED or (problem.code == TEXT and got == ""):
        return "Please enter a value."
    if problem.code == TYPE and limits.get("expected") in ("number", "whole number"):
        return f"Please enter a {limits['expected']} (digits only)."
    reason = problem.message
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


def _other_label(problem: Problem, other: str) -> str:
    """The caption of the key a value is compared with, e.g. "Runs for"."""
    row = spec(problem.path)
    try:
        return spec_of(row.owner, other).label if row is not None else other
    except KeyError:
        return other


# ----- fields: one scenario key, its inputs and its error note ----------------------------

def _repolish(widget: QWidget) -> None:
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


class Field:
    """Base: a key path (objectName), a caption, a tooltip, inputs and an error label.

    ``container`` holds the input row and the error label under it; the form puts it in a
    layout.  ``changed`` is called (with no arguments) on every change of an input.
    """

    unit: Unit | None = None

    def __init__(self, key: str, caption: str, tip: str, access: str):
        self.key = key
        self.caption = caption
        self.tip = tip
        self.access = access  # accessible name stem, e.g. "Opening reserves in pounds"
        self.container = QWidget()
        self.container.setObjectName(f"field:{key}")
        self._box = QVBoxLayout(self.container)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(2)
        self.error_label = QLabel()
        self.error_label.setObjectName(f"error:{key}")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()
        self.hint_label: QLabel | None = None
        self.caption_label: QLabel | None = None  # set by the form; turns red when marked

    # subclasses fill these
    def inputs(self) -> list[QWidget]:
        raise NotImplementedError

    def value(self) -> Any:
        """The model's value (or, for text that cannot be read, what was typed)."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        return self.inputs()[0]

    def input_for(self, part: str | None) -> list[QWidget]:
        return self.inputs()

    def _finish(self, row: QWidget | QLayout) -> None:
        if isinstance(row, QWidget):
            self._box.addWidget(row)
        else:
            self._box.addLayout(row)
        self._box.addWidget(self.error_label)
        for w in self.inputs():
            w.setToolTip(self.tip)

    def _finish_narrow(self, widget: QWidget, hint: bool = False) -> None:
        """One input of a number's width at the row's start, then a grey note or nothing."""
        widget.setObjectName(self.key)
        widget.setAccessibleName(self.access)
        widget.setMaximumWidth(150)
        widget.setMinimumWidth(110)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget)
        if hint:
            self.add_hint(row)
        else:
            row.addStretch(1)
        self._finish(row)

    def add_hint(self, row: QHBoxLayout) -> QLabel:
        """A grey note beside the input (plain arithmetic on inputs, e.g. months of reserves)."""
        hint = QLabel()
        hint.setObjectName(f"hint:{self.key}")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        hint.setToolTip(self.tip)
        hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row.addWidget(hint, 1)
        self.hint_label = hint
        return hint

    # marking
    def mark(self, message: str, part: str | None = None) -> None:
        for w in self.input_for(part):
            w.setProperty("invalid", True)
            w.setAccessibleDescription(message)
            _repolish(w)
        self._mark_caption(True)
        old = self.error_label.text() if self.marked else ""
        self.error_label.setText(f"{old}\n{message}" if old else message)
        self.error_label.show()

    def clear_mark(self) -> None:
        for w in self.inputs():
            if w.property("invalid"):
                w.setProperty("invalid", False)
                w.setAccessibleDescription("")
                _repolish(w)
        self._mark_caption(False)
        self.error_label.clear()
        self.error_label.hide()

    def _mark_caption(self, on: bool) -> None:
        label = self.caption_label or (self.inputs()[0] if isinstance(self.inputs()[0], QCheckBox) else None)
        if label is not None and bool(label.property("invalid")) != on:
            label.setProperty("invalid", on)
            _repolish(label)

    @property
    def marked(self) -> bool:
        return not self.error_label.isHidden()


class NumberField(Field):
    """One number; percent fields show 0-100 and hold the model's 0-1 share.

    With ``none_text`` the field can also hold None (the model's "not set", e.g. "whole
    contract"): the spin gets one extra step below its minimum that shows that text."""

    def __init__(self, key: str, caption: str, tip: str, access: str, spin: Any,
                 kind: str, changed: Callable[[], None], hint: bool = False, none_text: str = ""):
        super().__init__(key, caption, tip, access)
        self.unit = self._unit = Unit(kind)
        self.integer = isinstance(spin, QSpinBox)
        self.spin: Any = spin  # a NumberSpin, WholeSpin or MoneySpin: all have value()
        self.money = spin if isinstance(spin, MoneySpin) else None
        self._none = none_text != ""
        if self._none:
            spin.setMinimum(spin.minimum() - spin.singleStep())
            spin.setSpecialValueText(none_text)
        self._finish_narrow(spin, hint)
        self._orig: Any = None
        self._shown: float | None = None
        spin.valueChanged.connect(lambda _v: changed())
        if self.money is not None:
            # Refused text is no value change; tell the form so the window marks the field.
            self.money.refused.connect(lambda reason: self._refused(reason, changed))

    def inputs(self) -> list[QWidget]:
        return [self.spin]

    def refusal(self) -> str | None:
        """Why the typed text is not an amount (money fields), or None."""
        return self.money.refusal() if self.money is not None else None

    def _refused(self, reason: str, changed: Callable[[], None]) -> None:
        self.clear_mark()
        self.mark(reason)
        changed()

    def mark(self, message: str, part: str | None = None) -> None:
        # What cannot be read is said in its own words (not "enter a number").
        super().mark(self.refusal() or message, part)

    def set_value(self, value: Any) -> None:
        if isinstance(value, str) and self.money is not None:  # typed text kept (recovery)
            self.money.hold(value)
            self._orig, self._shown = None, None
            return
        if value is None and self._none:
            self.spin.setValue(self.spin.minimum())
        elif value is None and self.money is not None:
            # Blank, an amount to fill in: nothing to give back unchanged.  Left blank it reads
            # as None (refused as empty); whatever is typed, 0 included, is read from the box
            # (its number does not change from the 0 under the blank, so it cannot be told
            # from "untouched" by the number).
            self.money.setValue(max(self.money.minimum(), 0))
            self.money.set_blank()
            self._orig, self._shown = None, None
            return
        else:
            number = round(value or 0) if self.integer else (value or 0) * self._unit.scale
            self.spin.setValue(_within(self.spin, number))
        self._orig, self._shown = value, self.spin.value()

    def value(self) -> Any:
        if self.money is not None and self.refusal() is not None:
            text = self.money.lineEdit().text().strip()
            return text or None  # the validator names the key: nothing typed is lost
        shown = self.spin.value()
        if self._shown is not None and shown == self._shown:
            return self._orig
        if self._none and shown == self.spin.minimum():
            return None
        return int(shown) if self.integer else shown / self._unit.scale


class UncertainField(Field):
    """A low / most likely / high guess: three spins under small column captions."""

    def __init__(self, key: str, caption: str, tip: str, access: str,
                 make_spin: Callable[[], Any], kind: str, changed: Callable[[], None]):
        super().__init__(key, caption, tip, access)
        self.unit = self._unit = Unit(kind)
        self.spins: dict[str, Any] = {}  # NumberSpin or MoneySpin, by part
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        for col, part in enumerate(PARTS):
            spin = make_spin()
            spin.setObjectName(f"{key}.{part}")
            spin.setAccessibleName(f"{access}, {PART_NAMES[part].lower()}")
            spin.setMinimumWidth(80)
            head = QLabel(PART_NAMES[part])
            head.setObjectName(f"caption:{key}.{part}")
            head.setBuddy(spin)
            head.setStyleSheet("color: palette(placeholder-text);")
            grid.addWidget(head, 0, col)
            grid.addWidget(spin, 1, col)
            grid.setColumnStretch(col, 1)
            spin.valueChanged.connect(lambda _v: changed())
            if isinstance(spin, MoneySpin):
                spin.refused.connect(lambda reason, p=part: self._refused(p, reason, changed))
            self.spins[part] = spin
        self._finish(grid)
        for part, spin in self.spins.items():
            spin.setToolTip(f"{PART_NAMES[part]}: " + tip)
        self._orig: dict[str, Any] = {}
        self._shown: dict[str, float] = {}

    def inputs(self) -> list[QWidget]:
        return list(self.spins.values())

    def input_for(self, part: str | None) -> list[QWidget]:
        return [self.spins[part]] if part in self.spins else self.inputs()

    def refusal(self, part: str) -> str | None:
        """Why the text typed in ``part`` is not an amount (money guesses), or None."""
        spin = self.spins[part]
        return spin.refusal() if isinstance(spin, MoneySpin) else None

    def _refused(self, part: str, reason: str, changed: Callable[[], None]) -> None:
        self.clear_mark()
        self.mark(reason, part)
        changed()

    def mark(self, message: str, part: str | None = None) -> None:
        refused = [(p, r) for p in PARTS if (r := self.refusal(p))]
        if refused:  # what cannot be read is said in its own words, on its own box
            if not self.marked:
                for p, reason in refused:
                    super().mark(f"{PART_NAMES[p]}: {reason[:1].lower()}{reason[1:]}", p)
            return
        super().mark(message, part)

    def set_value(self, value: Any) -> None:
        if isinstance(value, dict):
            parts = {p: value.get(p) for p in PARTS}
        else:
            parts = dict.fromkeys(PARTS, value)
        for p, spin in self.spins.items():
            part = parts[p]
            if isinstance(spin, MoneySpin) and (part is None or isinstance(part, str)):
                spin.setValue(max(spin.minimum(), 0))
                spin.hold(part or "")  # blank to fill in, or typed text kept
                self._orig.pop(p, None)
                self._shown.pop(p, None)
                continue
            spin.setValue(_within(spin, (part or 0) * self._unit.scale))
            self._orig[p], self._shown[p] = part, spin.value()

    def part_value(self, part: str) -> Any:
        if self.refusal(part) is not None:
            return self.spins[part].lineEdit().text().strip() or None
        shown = self.spins[part].value()
        if part in self._shown and shown == self._shown[part]:
            return self._orig[part]
        return shown / self._unit.scale

    def value(self) -> Any:
        low, likely, high = (self.part_value(p) for p in PARTS)
        if low == likely == high:
            return low
        return {"low": low, "likely": likely, "high": high}


class ChoiceField(Field):
    """A drop-down of plain-English choices, each carrying the model's value as data."""

    def __init__(self, key: str, caption: str, tip: str, access: str,
                 choices: list[tuple[str, str, str]], changed: Callable[[], None], hint: bool = False):
        super().__init__(key, caption, tip, access)
        self.combo = GuardedCombo()
        # Long choices are elided in a narrow pane rather than widening the whole form.
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(16)
        self.combo.setObjectName(key)
        self.combo.setAccessibleName(access)
        for text, data, item_tip in choices:
            self.combo.addItem(text, data)
            self.combo.setItemData(self.combo.count() - 1, item_tip, Qt.ItemDataRole.ToolTipRole)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        self._box.addLayout(row)
        if hint:
            hint_row = QHBoxLayout()
            hint_row.setContentsMargins(0, 0, 0, 0)
            self.add_hint(hint_row)
            self._box.addLayout(hint_row)
        self._box.addWidget(self.error_label)
        self.combo.setToolTip(tip)
        self.combo.currentIndexChanged.connect(lambda _i: changed())

    def inputs(self) -> list[QWidget]:
        return [self.combo]

    def set_value(self, value: str) -> None:
        index = self.combo.findData(value)
        self.combo.setCurrentIndex(max(index, 0))

    def value(self) -> str:
        return self.combo.currentData()


class CheckField(Field):
    """A yes/no switch mapped to two model values (e.g. count_noise poisson / none)."""

    def __init__(self, key: str, text: str, tip: str, on: str, off: str, changed: Callable[[], None]):
        super().__init__(key, text, tip, text)
        self.on, self.off = on, off
        self.check = QCheckBox(text)
        self.check.setObjectName(key)
        self.check.setAccessibleName(text)
        self._finish(self.check)
        self.check.toggled.connect(lambda _c: changed())
        self._orig: Any = None

    def inputs(self) -> list[QWidget]:
        return [self.check]

    def set_value(self, value: str) -> None:
        self.check.setChecked(value != self.off)
        self._orig = value

    def value(self) -> str:
        return self.on if self.check.isChecked() else self.off


class TextField(Field):
    def __init__(self, key: str, caption: str, tip: str, access: str, changed: Callable[[str], None],
                 max_length: int = 200, placeholder: str = ""):
        super().__init__(key, caption, tip, access)
        self.edit = QLineEdit()
        self.edit.setObjectName(key)
        self.edit.setAccessibleName(access)
        self.edit.setMaxLength(max_length)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self._finish(self.edit)
        self.edit.textEdited.connect(changed)

    def inputs(self) -> list[QWidget]:
        return [self.edit]

    def set_value(self, value: str) -> None:
        self.edit.setText(value)
        self.edit.setCursorPosition(0)  # show the start of a long name

    def value(self) -> str:
        return self.edit.text()


class NotesField(Field):
    """A few lines of the user's own notes; Tab moves on (the keyboard never gets stuck)."""

    def __init__(self, key: str, caption: str, tip: str, access: str, changed: Callable[[], None],
                 placeholder: str = "", lines: int = 3):
        super().__init__(key, caption, tip, access)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName(key)
        self.edit.setAccessibleName(access)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * lines + 14)
        self._finish(self.edit)
        self.edit.textChanged.connect(changed)

    def inputs(self) -> list[QWidget]:
        return [self.edit]

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText(value if isinstance(value, str) else "")

    def value(self) -> str:
        return self.edit.toPlainText()


class SeedField(Field):
    """The random seed: any whole number from 0 to 2^63 - 1, too large for a QSpinBox."""

    unit = Unit("whole")

    def __init__(self, key: str, caption: str, tip: str, access: str, changed: Callable[[], None]):
        super().__init__(key, caption, tip, access)
        self.edit = QLineEdit()
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,19}"), self.edit))
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._finish_narrow(self.edit)
        self.edit.textChanged.connect(lambda _t: changed())

    def inputs(self) -> list[QWidget]:
        return [self.edit]

    def set_value(self, value: int) -> None:
        self.edit.setText(str(int(value)))

    def value(self) -> Any:
        text = self.edit.text().strip()
        return int(text) if text.isdigit() else text


# ----- version 3: the first month, a fee per contract year ------------------------------------

_MONTH_WORDS = {name.lower(): i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def read_first_month(text: str) -> str | None:
    """The file's "YYYY-MM" for a month typed as people write it ("Apr 2027", "April 2027",
    "2027-04", "04/2027"), or None if it is none of them (the text is then kept as typed
    and validation names ``first_month``)."""
    s = text.strip().lower().replace(",", " ")
    found = re.fullmatch(r"([a-z]+)\.?\s+(\d{4})", s)
    if found and found.group(1)[:3] in _MONTH_WORDS:
        return f"{found.group(2)}-{_MONTH_WORDS[found.group(1)[:3]]:02d}"
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", s)
    if found:
        return f"{found.group(1)}-{int(found.group(2)):02d}"
    found = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", s)
    if found:
        return f"{found.group(2)}-{int(found.group(1)):02d}"
    return None


class FirstMonthField(Field):
    """The scenario's first month, optional: typed "Apr 2027", saved "2027-04"; empty means
    months are numbered (Month 1, Month 2...)."""

    def __init__(self, key: str, caption: str, tip: str, access: str, changed: Callable[[], None]):
        super().__init__(key, caption, tip, access)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("e.g. Apr 2027 (optional)")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMaxLength(20)
        self._finish_narrow(self.edit)
        self.edit.textEdited.connect(lambda _t: changed())
        self.edit.editingFinished.connect(self._tidy)

    def _tidy(self) -> None:
        """Show what was understood the calendar's way ("april 2027" reads back "Apr 2027")."""
        read = read_first_month(self.edit.text())
        if read is not None and parse_first_month(read) is not None:  # "2027-13" stays as typed
            self.edit.setText(month_name(read, 1))

    def inputs(self) -> list[QWidget]:
        return [self.edit]

    def set_value(self, value: Any) -> None:
        if isinstance(value, str) and parse_first_month(value) is not None:
            self.edit.setText(month_name(value, 1))
        else:
            self.edit.setText("" if value is None else str(value))

    def value(self) -> Any:
        text = self.edit.text().strip()
        if not text:
            return None
        return read_first_month(text) or text  # kept as typed: validation names the key


def read_fees(text: str) -> Any:
    """The file's fee_per_referral for what was typed: one amount ("400"), or one per contract
    year ("400, 300, 200, 0"); an entry that is not an amount is kept as typed, so that
    validation names that year (``fee_per_referral[2]``) and nothing typed is lost."""
    parts = [p for p in re.split(r"\s*[;/]\s*|,\s+|\s+(?=[£\d])", text.strip()) if p]
    if not parts:
        return 0.0
    read: list[Any] = []
    for part in parts:
        try:
            read.append(parse_money(part))
        except MoneyError:
            read.append(part)
    return read[0] if len(read) == 1 and not isinstance(read[0], str) else read


def show_fees(value: Any) -> str:
    values = value if isinstance(value, (list, tuple)) else [value]

    def one(v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return str(v)
        return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return ", ".join(one(v) for v in values)


class FeeScheduleField(Field):
    """A rate card's fee per referral: one amount, or one a contract year ("400, 300, 200, 0":
    the last holds for later years).  Each entry is checked on its own; the note says which
    year is wrong."""

    unit = Unit("money")

    def __init__(self, key: str, caption: str, tip: str, access: str, changed: Callable[[], None]):
        super().__init__(key, caption, tip, access)
        self.edit = QLineEdit()
        self.edit.setObjectName(key)
        self.edit.setAccessibleName(access)
        self.edit.setPlaceholderText("e.g. 400, 300, 200, 0")
        self.edit.setMinimumWidth(110)
        self.hint = QLabel()
        self.hint.setObjectName(f"hint:{key}")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.edit)
        lay.addWidget(self.hint)
        self.hint_label = self.hint
        self._finish(box)
        self.edit.textEdited.connect(self._explain)
        self.edit.textEdited.connect(lambda _t: changed())

    def _explain(self, _text: str = "") -> None:
        """The schedule in words, year by year (plain reading of what was typed)."""
        value = read_fees(self.edit.text())
        if not isinstance(value, list) or any(isinstance(v, str) for v in value):
            self.hint.setText("")
            return
        words = ", ".join(f"year {y}: {format_money(v)}" for y, v in enumerate(value, start=1))
        self.hint.setText(f"{words}; {format_money(value[-1])} from then on.")

    def inputs(self) -> list[QWidget]:
        return [self.edit]

    def set_value(self, value: Any) -> None:
        self.edit.setText(show_fees(0.0 if value is None else value))
        self._explain()

    def value(self) -> Any:
        return read_fees(self.edit.text())


# ----- the editor for a row of the field table ---------------------------------------------

def spin_maker(row: FieldSpec) -> Callable[[], Any]:
    """A maker of the spin box for a number row: its kind, bounds and step (a low / most likely
    / high guess makes three)."""
    lo, hi = row.lo if row.lo is not None else 0, row.hi
    if hi is None:
        raise TypeError(f"{row.path}: a number field needs an upper bound")
    step = row.step
    if row.kind == "money":
        return lambda: money_spin(lo, hi, step or 1000)
    if row.kind == "fraction":
        return lambda: percent_spin(100 * lo, 100 * hi)
    if row.kind == "count":
        return lambda: count_spin(hi)
    if row.kind == "months" and row.shown_as == "months":
        return lambda: months_spin(int(lo), int(hi))

    def whole() -> WholeSpin:
        spin = WholeSpin(lo=int(lo), hi=int(hi), step=step or 1)
        if row.kind == "months":  # a month number, e.g. "month 3"
            spin.setPrefix("month ")
        return spin
    return whole


def editor_for(row: FieldSpec, key: str, changed: Callable[[], None], *,
               choices: Sequence[tuple[str, str, str]] = (),
               text_changed: Callable[[str], None] | None = None, placeholder: str = "",
               notes: bool = True) -> Field:
    """The input for a row of the field table, as the form and the guided setup show it: the
    row's caption, tooltip, spoken name, unit and bounds.  ``key`` names its widgets; ``changed``
    is called on every edit (``text_changed`` with the text, for a text box, if given);
    ``choices`` are a drop-down's (words, value, what it means); ``notes``: room for the grey
    note beside it that the row's ``side_hint`` asks for (the caller writes it)."""
    tip = row.tip
    if row.editor == "month":
        return FirstMonthField(key, row.label, tip, row.access, changed)
    if row.editor == "fee_schedule":
        return FeeScheduleField(key, row.label, tip, row.access, changed)
    if row.kind == "text":
        # Qt counts UTF-16 units, two for an emoji: room for MAX_TEXT characters of any
        # kind, and validation (which counts characters) marks a longer name.
        return TextField(key, row.label, tip, row.access, text_changed or (lambda _t: changed()),
                         max_length=2 * int(row.hi or MAX_TEXT), placeholder=placeholder)
    if row.editor == "tick":
        on, off = row.choices
        return CheckField(key, row.label, tip, on, off, changed)
    if row.kind == "choice":
        return ChoiceField(key, row.label, tip, row.access, list(choices), changed, hint=notes and row.side_hint)
    if row.editor == "seed":
        return SeedField(key, row.label, tip, row.access, changed)
    make = spin_maker(row)
    if row.uncertain:
        return UncertainField(key, row.label, tip, row.access, make, row.shown_as, changed)
    return NumberField(key, row.label, tip, row.access, make(), row.shown_as, changed,
                       hint=notes and row.side_hint, none_text=row.none_text)
