"""The input side of the main window: the organisation, its contracts and the simulation
settings, as one scrolling form.

``ScenarioForm`` is a view: it turns fields into the plain dict of the scenario file and lets
``charityrisk.model.scenario_from_dict`` decide what is valid, then shows each problem beside
the field it names.  It never computes risk; the grey notes beside some fields are plain
arithmetic on what was typed (months of reserves, the amount at risk, when results arrive).

Every input's objectName is its key path: ``horizon_months``, ``organisation.opening_reserves``,
``organisation.monthly_other_income.low``, ``contract.share_at_risk`` (the contract now
chosen), ``contract.late_payment.months``, ``simulation.paths``.  Its error note is the QLabel
named ``error:<key>`` (for low/likely/high guesses, ``error:contract.success_rate``).
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..engine.decisions.compare import RISK_GUESSES, STRUCTURE_TERMS
from ..model import Scenario, ScenarioError, load_scenario, scenario_from_dict, scenario_to_dict
from ..model import fields as F
from ..model.budget_summary import months_of_reserves, reserves_hint
from ..model.fields import FieldSpec
from ..model.problems import Problem
from ..model.scenario import MAX_CONTRACTS, RATE_CARD_KEYS, SHARE_ONLY_KEYS, Contract, Organisation
from ..model.validation import next_contract_id
from ..report.formats import money, months_tenth
from ..report.missing import budget_missing, missing_hint
from ..report.style import LEVELS
from ..resources import preset_path
from .budget_table import BudgetTable
from .fields import (
    ERROR_COLOUR,
    PART_NAMES,
    UK,
    CheckField,
    ChoiceField,
    Field,
    GuardedCombo,
    NotesField,
    NumberField,
    SeedField,
    TextField,
    UncertainField,
    editor_for,
    plain_reason,
)
from .parts import unique_name
from .stages_table import StagesTable

# Preset chooser: (label the finance lead sees, preset key in charityrisk.resources.PRESETS).
PRESET_CHOICES = [
    ("Fee for service (Peterborough SIB)", "fee_for_service"),
    ("Clawback (Doncaster)", "clawback"),
    ("Clinks 20% ceiling", "clinks_ceiling"),
    ("Heavy PbR (Work Programme)", "heavy_pbr"),
]
# What a preset sets: the payment terms (the ones "Compare payment terms" changes); price and
# costs stay as typed, and so do the user's risk guesses (referrals, success rates, late payment,
# no referrals) unless the user ticks "also use the preset's risk guesses" (issue 13).
PRESET_TERMS = STRUCTURE_TERMS
PRESET_GUESSES = RISK_GUESSES

PAYMENT_MODES = [
    ("Paid on results", "earn",
     "The part at risk is earned in proportion to successes, in full once the target "
     "success rate is reached."),
    ("All or nothing at a threshold", "threshold",
     "The part at risk for a group of referrals is paid in full only if the group reaches "
     "the target success rate; otherwise nothing."),
    ("Paid up front, repaid if target missed", "clawback",
     "The whole price is paid as a fee; if a group misses the target success rate, you pay "
     "the part at risk back (clawback)."),
    ("A rate card of outcomes", "rate_card",
     "Not a share of a price: a fee for each referral (it may fall year by year), then a price for "
     "each outcome a referral reaches, in stages, as the Work Programme and most outcomes contracts "
     "paid."),
]
RATE_CARD = "rate_card"
# The rows a rate card does not use (hidden in its mode), and the rows only it uses.
SHARE_ROWS = tuple(f"contract.{k}" for k in SHARE_ONLY_KEYS)
RATE_CARD_ROWS = ("contract.fee_per_referral",)
THRESHOLD_ROWS = ("contract.pooled_target_success_rate",)

# The form's start (no contracts) and a new contract's example terms (to change), from the
# field table's examples and defaults (model.fields.example_dict).
DEFAULT_SCENARIO: dict[str, Any] = F.new_scenario()
NEW_CONTRACT: dict[str, Any] = F.example_dict("contracts[]")

_CLOSE = LEVELS["close"]  # the example banner: a warning, in the verdict's amber
EXAMPLE_BANNER = ("Example scenario: a made-up charity. Its figures are invented; use File › New "
                  "to enter your own organisation and contract.")

# Marked fields: a pale red fill (a border would make Qt draw spin-box arrows by hand, badly),
# a red caption and the red note under the field, so colour is never the only signal.
STYLE = f"""
QAbstractSpinBox[invalid="true"], QComboBox[invalid="true"] {{ background-color: #fdecea; }}
QLineEdit[invalid="true"] {{ border: 2px solid {ERROR_COLOUR}; border-radius: 3px; background: #fdecea; }}
QLabel[invalid="true"], QCheckBox[invalid="true"] {{ color: {ERROR_COLOUR}; font-weight: bold; }}
"""



class LevelsField(ChoiceField):
    """A number asked as a plain choice (the row's ``levels``: "No / Somewhat / Strongly"),
    the number behind it saved in the file.  A value that is none of the levels (typed in
    the file, e.g. 0.45) shows as "Custom (0.45)" and is saved unchanged."""

    def __init__(self, row: FieldSpec, changed: Callable[[], None]):
        choices = [(words, value, tip) for words, value, tip in row.levels]
        super().__init__(row.path, row.label, row.tip, row.access, choices, changed)  # type: ignore[arg-type]
        self._levels = len(choices)

    def set_value(self, value: Any) -> None:
        value = 0.0 if value is None else value
        while self.combo.count() > self._levels:  # an earlier file's custom value
            self.combo.removeItem(self.combo.count() - 1)
        for i in range(self._levels):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and self.combo.itemData(i) == value:
                self.combo.setCurrentIndex(i)
                return
        self.combo.addItem(f"Custom ({value})", value)
        self.combo.setItemData(self.combo.count() - 1, "The number in the file, kept as it is.",
                               Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(self.combo.count() - 1)

    def value(self) -> Any:
        return self.combo.currentData()


CONCURRENT_TIP = ("Add a second contract with this contract's terms, running at the same time as it: both "
                  "are in every simulated future, so the results show the risk of doing both at once. To "
                  "compare different terms for one contract, use Scenario › Try different terms instead.")


def form_key(row: FieldSpec) -> str:
    """The form's name for a row: ``contract.<key>`` for the contract now shown, else its path."""
    return f"contract.{row.name}" if row.owner == "contracts[]" else row.path


CHOICES = {"contracts[].payment_mode": PAYMENT_MODES}

# plain-English help: what each value means and why it matters (the field table)
TIPS = {form_key(row): row.tip for row in F.FIELDS if row.in_form}
RESERVES_TIP = ("Free reserves divided by monthly core costs. The average voluntary organisation "
                "held about 14 months of reserves in 2009/10 (Clinks, 2013).")


@cache
def _example_organisation() -> Organisation:
    return scenario_from_dict(copy.deepcopy(DEFAULT_SCENARIO)).organisation


@cache
def _example_contract() -> Contract:
    with_one = {**copy.deepcopy(DEFAULT_SCENARIO), "contracts": [copy.deepcopy(NEW_CONTRACT)]}
    return scenario_from_dict(with_one).contracts[0]


def _get(d: dict, path: str, default: Any = None) -> Any:
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return default
        d = d[part]
    return d


def _default(key: str) -> Any:
    """The value a key left out of a file means (files leave out newer keys at their default)."""
    row = F.spec(key)
    return None if row is None or row.required else row.default


def _put(d: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        if not isinstance(d.get(part), dict):
            d[part] = {}
        d = d[part]
    d[last] = value


class ScenarioForm(QWidget):
    """Inputs for one scenario; see the module docstring for names."""

    edited = Signal()  # after every user edit (never on set_scenario)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scenario_form")
        self.setLocale(UK)
        self.setStyleSheet(STYLE)
        self._loading = 0
        self._last: Scenario | None = None
        self._contracts: list[dict] = []
        self._other_mode: dict[int, dict[str, Any]] = {}  # contract id -> terms of its other modes
        self._mode_shown: str | None = None  # the payment mode the contract editor shows
        self._current = -1
        self._fields: dict[str, Field] = {}
        self._contract_problems: dict[int, list[tuple[str, Problem]]] = {}
        self._unplaced: list[str] = []
        self._label_width = self.fontMetrics().horizontalAdvance("Chance of paying late") + 4

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.summary = QLabel()
        self.summary.setObjectName("form.problems")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(
            f"color: {ERROR_COLOUR}; background: #fdecea; border: 1px solid {ERROR_COLOUR};"
            " border-radius: 3px; padding: 4px;")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.summary.linkActivated.connect(lambda _link: self.show_first_problem())
        self.summary.hide()

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("form.scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(self.scroll_area)
        # The banner under the fields, not over them: appearing, it shortens the view from
        # below and moves no field, so the next click lands where the user aimed.
        outer.addWidget(self.summary)
        content = QWidget()
        content.setObjectName("form.content")
        self._content = QVBoxLayout(content)
        self._content.setContentsMargins(6, 6, 6, 6)
        self._content.setSpacing(10)
        self._build_identity()
        self._build_organisation()
        self._build_budget()
        self._build_contracts()
        self._build_simulation()
        self._content.addStretch(1)
        self.scroll_area.setWidget(content)
        # Never clip the form sideways: the pane is at least as wide as the fields need.
        self.setMinimumWidth(content.minimumSizeHint().width()
                             + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 4)

        self.set_scenario(scenario_from_dict(copy.deepcopy(DEFAULT_SCENARIO)))

    # ----- building -------------------------------------------------------------------------
    def _form(self, box: QWidget) -> QFormLayout:
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        return form

    def _add(self, form: QFormLayout, field: Field) -> Field:
        """A row: caption (the buddy of the field's first input) and the field.

        A low / most likely / high guess takes the whole width under its caption, so its
        three boxes stay readable in a narrow pane.
        """
        label = QLabel(field.caption)
        label.setObjectName(f"label:{field.key}")
        label.setBuddy(field.focus_widget())
        label.setToolTip(field.tip)
        label.setWordWrap(True)
        field.caption_label = label
        if isinstance(field, UncertainField):
            form.addRow(label)
            form.addRow(field.container)
        else:
            label.setFixedWidth(self._label_width)
            label.setContentsMargins(0, 4, 0, 0)  # line up with the text in the box
            form.addRow(label, field.container)
        self._fields[field.key] = field
        return field

    def _heading(self, form: QFormLayout, text: str) -> None:
        label = QLabel(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(0, 6, 0, 0)
        form.addRow(label)
        if hasattr(self, "_headings"):
            self._headings[text] = label

    def _field(self, row: FieldSpec) -> Field:
        """The input for a row of the field table: its caption, tooltip, unit and bounds."""
        return editor_for(row, form_key(row), self._changed, choices=CHOICES.get(row.path, ()),
                          text_changed=self._name_changed, placeholder="e.g. Resettlement mentoring")

    def _rows(self, form: QFormLayout, rows: tuple[FieldSpec, ...] | list[FieldSpec]) -> None:
        for row in rows:
            if row.heading:
                self._heading(form, row.heading)
            field = self._field(row)
            if isinstance(field, CheckField):
                form.addRow(field.container)
                self._fields[field.key] = field
            else:
                self._add(form, field)
            if row.stages_follow:  # the fee, its wait, then the stages
                self._build_stages(form)

    @staticmethod
    def _placed(rows: list[FieldSpec]) -> list[FieldSpec]:
        """The rows in the form's order: table order, but a row with ``after`` after that row."""
        moved = [r for r in rows if r.after]
        out = [r for r in rows if not r.after]
        for r in moved:
            at = next((i for i, o in enumerate(out) if o.path == r.after), len(out) - 1)
            out.insert(at + 1, r)
        return out

    def _build_stages(self, form: QFormLayout) -> None:
        """A rate card's stages: a caption over the whole-width table (seven columns)."""
        row = F.spec_of("contracts[]", "outcome_payments")
        label = QLabel(row.label)
        label.setObjectName("label:contract.outcome_payments")
        label.setToolTip(row.tip)
        label.setWordWrap(True)
        self.stages = StagesTable()
        label.setBuddy(self.stages.grid)
        self.stages.edited.connect(self._stages_edited)
        self._stages_label = label
        form.addRow(label)
        form.addRow(self.stages)
        self._stages_hint = QLabel()
        self._stages_hint.setObjectName("hint:contract.outcome_payments")
        self._stages_hint.setWordWrap(True)
        self._stages_hint.setStyleSheet("color: palette(placeholder-text);")
        self._stages_hint.setToolTip("Plain arithmetic on the stages at their most likely shares, not the "
                                     "simulation: each stage is reached by its share of those who reached "
                                     "the stage before.")
        stages_layout = self.stages.layout()
        if stages_layout is not None:  # the table's own column: the sum reads under its stages
            stages_layout.addWidget(self._stages_hint)

    @staticmethod
    def _form_rows(owner: str) -> list[FieldSpec]:
        return [row for row in F.fields_of(owner) if row.in_form]

    # ----- the scenario's name and notes (issue 13) ---------------------------------------
    def _build_identity(self) -> None:
        """The example banner, then the scenario's name and notes, at the top of the form."""
        self.example_banner = QLabel(EXAMPLE_BANNER)
        self.example_banner.setObjectName("form.example_banner")
        self.example_banner.setWordWrap(True)
        self.example_banner.setStyleSheet(
            f"background: {_CLOSE.fill}; color: {_CLOSE.ink}; border-left: 6px solid {_CLOSE.edge}; padding: 6px;")
        self.example_banner.setAccessibleName(EXAMPLE_BANNER)
        self.example_banner.hide()
        self._content.addWidget(self.example_banner)
        box = QGroupBox("This scenario")
        box.setObjectName("group.scenario")
        self._content.addWidget(box)
        form = self._form(box)
        name_row, notes_row = F.spec_of("", "name"), F.spec_of("", "notes")
        self._add(form, TextField("name", name_row.label, name_row.tip, name_row.access,
                                  # Qt counts UTF-16 units: room for MAX_TEXT emoji, so a
                                  # name from a file is never cut (validation counts characters)
                                  lambda _t: self._changed(), max_length=2 * F.MAX_TEXT,
                                  placeholder="e.g. Housing advice bid, 20% at risk"))
        self._add(form, NotesField("notes", notes_row.label, notes_row.tip, notes_row.access,
                                   self._changed, placeholder="What this scenario is for, where the figures came from"))

    def show_example_banner(self, shown: bool) -> None:
        self.example_banner.setVisible(shown)

    def field(self, key: str) -> Field:
        """The field showing a key path (``organisation.opening_reserves``, ``contract.name``)."""
        return self._fields[key]

    def show_blank(self, data: dict) -> None:
        """Show a scenario dict whose None values are amounts still to fill in: those boxes are
        left empty (and marked "Required" once checked), never set to an example's number."""
        self.show_data(data)
        self._loading += 1
        try:
            for key in self._scenario_keys():
                if _get(data, key, 0) is None:
                    self._fields[key].set_value(None)
        finally:
            self._loading -= 1

    def _build_organisation(self) -> None:
        box = QGroupBox("Your organisation")
        box.setObjectName("group.organisation")
        self._content.addWidget(box)
        form = self._form(box)
        self._rows(form, [F.spec_of("", "horizon_months"), F.spec_of("", "first_month")]
                   + self._form_rows("organisation"))
        self.reserves_hint = self._hint_of("organisation.opening_reserves")
        self.reserves_hint.setToolTip(RESERVES_TIP)

    # ----- budget lines ---------------------------------------------------------------------
    def _build_budget(self) -> None:
        """The organisation's own income and cost lines (``organisation.budget``), with the
        months of reserves they leave."""
        box = QGroupBox("Your budget lines")
        box.setObjectName("group.budget")
        self._content.addWidget(box)
        v = QVBoxLayout(box)
        v.setSpacing(4)
        intro = QLabel("Grants, appeals, rent, pay: your own income and costs month by month, on top "
                       "of the other income and core costs above.")
        intro.setWordWrap(True)
        intro.setToolTip(F.spec_of("organisation", "budget").tip)
        v.addWidget(intro)
        self.budget = BudgetTable()
        self.budget.edited.connect(self._budget_edited)
        v.addWidget(self.budget)
        self.budget_hint = QLabel()
        self.budget_hint.setObjectName("hint:organisation.budget")
        self.budget_hint.setWordWrap(True)
        self.budget_hint.setStyleSheet("color: palette(placeholder-text);")
        self.budget_hint.setToolTip(
            "Opening reserves divided by the average monthly shortfall of your budget over its first "
            "12 months (other income and income lines less core costs and cost lines, at their most "
            "likely amounts; a line counts if its chance is 50% or more). Plain arithmetic, not the "
            "simulation.")
        v.addWidget(self.budget_hint)

    def _budget_edited(self) -> None:
        if self._loading:
            return
        self._update_budget_hint()
        self.edited.emit()

    def _update_budget_hint(self, scenario: Scenario | None = None) -> None:
        """The months of reserves at the budget now typed; kept as it was while a value is
        being corrected (it is only ever shown for values that make a scenario)."""
        if scenario is None:
            try:
                scenario = scenario_from_dict(self.to_dict())
            except ScenarioError:
                return
        org = scenario.organisation
        self.budget_hint.setText(missing_hint() if budget_missing(scenario)
                                 else reserves_hint(org, scenario.horizon_months))
        side = self.reserves_hint
        if org.budget and side is not None:  # one figure on screen: beside the reserves too
            months = months_of_reserves(org, scenario.horizon_months)
            side.setText("budget in surplus" if months is None
                         else f"≈ {months_tenth(months)} at your budget")

    def _build_contracts(self) -> None:
        box = QGroupBox("Contracts")
        box.setObjectName("group.contracts")
        self._content.addWidget(box)
        v = QVBoxLayout(box)
        v.setSpacing(6)

        self.contracts_problems = QLabel()
        self.contracts_problems.setObjectName("contracts.problems")
        self.contracts_problems.setWordWrap(True)
        self.contracts_problems.setTextFormat(Qt.TextFormat.PlainText)
        self.contracts_problems.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.contracts_problems.hide()
        v.addWidget(self.contracts_problems)

        row = QHBoxLayout()
        chooser_label = QLabel("Contract")
        chooser_label.setObjectName("label:contract.chooser")
        self.chooser = GuardedCombo()
        self.chooser.setObjectName("contract.chooser")
        self.chooser.setAccessibleName("Contract to show")
        self.chooser.setToolTip("Choose which contract to see and change below.")
        self.chooser.setSizeAdjustPolicy(GuardedCombo.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chooser.setMinimumContentsLength(12)
        self.chooser.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        chooser_label.setBuddy(self.chooser)
        row.addWidget(chooser_label)
        row.addWidget(self.chooser, 1)
        v.addLayout(row)
        self.chooser.currentIndexChanged.connect(self._on_chosen)

        buttons = QGridLayout()
        self.add_button = self._button("&Add", "contract.add", "Add a new contract with example terms to change.",
                                       self.add_contract)
        # Not "Duplicate": a copy is a second contract running at the same time, which doubles
        # the work and the risk (issue 13); trying other terms is Scenario > Try different terms.
        self.duplicate_button = self._button("Add concurrent &copy", "contract.duplicate", CONCURRENT_TIP,
                                             self.duplicate_contract)
        self.duplicate_button.setAccessibleName("Add a concurrent copy of this contract")
        self.rename_button = self._button("Re&name", "contract.rename", "Change this contract's name.",
                                          self.rename_contract)
        self.remove_button = self._button("Remo&ve", "contract.remove",
                                          "Remove this contract from the scenario (Edit › Undo brings it back).",
                                          self.remove_contract)
        # Two rows: "Add concurrent copy" says what it does, and the form still fits 440 pixels.
        for i, b in enumerate((self.add_button, self.duplicate_button, self.rename_button, self.remove_button)):
            buttons.addWidget(b, i // 2, i % 2)
        v.addLayout(buttons)

        self.no_contracts = QLabel("No contracts: the results show your organisation on its own. "
                                   "Press Add to try a contract.")
        self.no_contracts.setObjectName("contracts.empty")
        self.no_contracts.setWordWrap(True)
        self.no_contracts.hide()
        v.addWidget(self.no_contracts)

        self.editor = QWidget()
        self.editor.setObjectName("contract.editor")
        v.addWidget(self.editor)
        form = self._form(self.editor)
        form.setContentsMargins(0, 0, 0, 0)
        add = lambda f, **kw: self._add(form, f, **kw)  # noqa: E731

        rows = self._form_rows("contracts[]")
        name_field = add(self._field(rows[0]))  # the name, then the standard terms
        if not isinstance(name_field, TextField):
            raise TypeError(f"{name_field.key}: a contract's first row must be its name")
        self.name_field = name_field
        self._build_preset_row(form)
        self._contract_form = form
        self._headings: dict[str, QLabel] = {}
        self._rows(form, self._placed(rows[1:]))
        f = self._fields
        self._duration = f["contract.duration_months"]
        below = {row.note: self._hint_below(f[form_key(row)]) for row in rows if row.note}
        self._duration_hint, self._share_hint, self._outcome_hint = below["when"], below["at risk"], below["results"]
        self._mode_hint = self._hint_of("contract.payment_mode")

    def _hint_of(self, key: str) -> QLabel:
        """The grey note beside the field ``key`` (built with ``hint=True``)."""
        hint = self._fields[key].hint_label
        if hint is None:
            raise TypeError(f"{key} has no hint beside it")
        return hint

    def _typed(self, owner: str, base: Any) -> Any:
        """``base`` (a Contract or Organisation) holding the values owner's number boxes show
        now, whatever is still to correct: the grey notes' arithmetic reads them by name."""
        values: dict[str, Any] = {}
        for row in F.fields_of(owner):
            field = self._fields.get(form_key(row))
            if "." not in row.name and isinstance(field, NumberField) and not row.none_text:
                shown, scale = field.spin.value(), field._unit.scale
                values[row.name] = shown / scale if scale != 1 else shown
        return replace(base, **values)

    def _typed_contract(self) -> Contract:
        return self._typed("contracts[]", _example_contract())

    def _spin_of(self, key: str) -> Any:
        """The spin box of the number field ``key``."""
        field = self._fields[key]
        if not isinstance(field, NumberField):
            raise TypeError(f"{key} is not a number field")
        return field.spin

    def _hint_below(self, field: Field) -> QLabel:
        hint = QLabel()
        hint.setObjectName(f"hint:{field.key}")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        field._box.insertWidget(1, hint)
        field.hint_label = hint
        return hint

    def _build_preset_row(self, form: QFormLayout) -> None:
        self.preset = GuardedCombo()
        self.preset.setObjectName("contract.preset")
        self.preset.setAccessibleName("Standard payment terms")
        tip = ("Fill in typical payment terms from the Clinks (2013) examples: the share at risk, "
               "how results are paid, the payment delays, target and group length. Your price and "
               "costs are kept, and so are your risk guesses unless you tick the box below.")
        self.preset.setToolTip(tip)
        self.preset.addItem("Choose…", "")  # never None: see gui/none_guard
        for text, key in PRESET_CHOICES:
            self.preset.addItem(text, key)
        self.preset.setSizeAdjustPolicy(GuardedCombo.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset.setMinimumContentsLength(10)
        self.apply_preset_button = QPushButton("Apply")
        self.apply_preset_button.setObjectName("contract.apply_preset")
        self.apply_preset_button.setToolTip(tip)
        self.apply_preset_button.setAccessibleName("Apply standard payment terms")
        self.apply_preset_button.setEnabled(False)
        self.preset.currentIndexChanged.connect(
            lambda i: self.apply_preset_button.setEnabled(bool(self.preset.itemData(i))))
        self.apply_preset_button.clicked.connect(
            lambda: self.apply_preset(self.preset.currentData()) if self.preset.currentData() else None)
        self.preset_guesses = QCheckBox("Also use the preset's risk guesses")
        self.preset_guesses.setObjectName("contract.preset_guesses")
        self.preset_guesses.setAccessibleName("Also use the preset's risk guesses")
        self.preset_guesses.setToolTip("Left unticked, Apply changes only the payment terms: your referrals, "
                                       "success rates, late payment and chance of no referrals stay as you "
                                       "entered them. Tick to replace them with the preset's own guesses too.")
        self.preset_hint = QLabel()
        self.preset_hint.setObjectName("hint:contract.preset")
        self.preset_hint.setWordWrap(True)
        self.preset_hint.setStyleSheet("color: palette(placeholder-text);")
        self.preset_hint.hide()

        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.preset, 1)
        row.addWidget(self.apply_preset_button)
        lay.addLayout(row)
        lay.addWidget(self.preset_guesses)
        lay.addWidget(self.preset_hint)
        label = QLabel("Payment terms")
        label.setObjectName("label:contract.preset")
        label.setBuddy(self.preset)
        label.setToolTip(tip)
        label.setWordWrap(True)
        label.setFixedWidth(self._label_width)
        label.setContentsMargins(0, 4, 0, 0)
        form.addRow(label, box)

    def _button(self, text: str, name: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(text.replace("&", "") + " contract")
        button.clicked.connect(slot)
        return button

    def _build_simulation(self) -> None:
        box = QGroupBox("Simulation settings")
        box.setObjectName("group.simulation")
        self._content.addWidget(box)
        form = self._form(box)
        # Whether bad surprises come together is how the futures are drawn, so it sits here.
        self._add(form, LevelsField(F.spec_of("", "correlation"), self._changed))
        self._rows(form, self._form_rows("simulation"))

    # ----- the interface the main window uses ---------------------------------------------
    def set_scenario(self, scenario: Scenario) -> None:
        """Show ``scenario`` in every field; emits no ``edited``."""
        self._loading += 1
        try:
            self._last = scenario
            data = scenario_to_dict(scenario)
            for key in self._scenario_keys():
                self._fields[key].set_value(_get(data, key, _default(key)))
            self.budget.set_lines(data["organisation"].get("budget", []))
            self._contracts = [copy.deepcopy(c) for c in data["contracts"]]
            self._restore_other_mode()
            keep = min(max(self._current, 0), len(self._contracts) - 1)
            self._contract_problems = {}
            self._current = -1  # nothing in the editor to store
            self._rebuild_chooser(keep)
            self._apply_problems([])
            self.preset_hint.hide()
        finally:
            self._loading -= 1
        self._update_hints()
        self._update_budget_hint(scenario)

    def scenario(self) -> tuple[Scenario | None, list[Problem]]:
        """Build the scenario from the fields; mark problems beside their fields.

        The problems are Problems: each is also its one-line text, for showing."""
        data = self.to_dict()
        try:
            scenario = scenario_from_dict(data)
        except ScenarioError as error:
            self._apply_problems(error.problems)
            return None, list(error.problems)
        self._apply_problems([])
        self._update_budget_hint(scenario)
        return scenario, []

    def to_dict(self) -> dict:
        """The scenario file dict the fields describe (unknown keys of the last scenario kept)."""
        self._store_current()
        data = scenario_to_dict(self._last) if self._last is not None else copy.deepcopy(DEFAULT_SCENARIO)
        for key in self._scenario_keys():
            _put(data, key, self._fields[key].value())
        self._put_budget(data)
        data["contracts"] = [self._as_filed(c) for c in self._contracts]
        self._remember_other_mode()
        return data

    def _remember_other_mode(self) -> None:
        """Keep each contract's terms of the modes it is not in (by its id), so that an undo,
        which shows the scenario as filed, still has them when the user switches back."""
        for c in self._contracts:
            if isinstance(c.get("id"), int):
                keys = RATE_CARD_KEYS if c.get("payment_mode") != RATE_CARD else SHARE_ONLY_KEYS
                self._other_mode[c["id"]] = {k: copy.deepcopy(c[k]) for k in keys if k in c}

    def _restore_other_mode(self) -> None:
        for c in self._contracts:
            kept = self._other_mode.get(c.get("id"))  # type: ignore[arg-type]
            for key, value in (kept or {}).items():
                c.setdefault(key, copy.deepcopy(value))

    @staticmethod
    def _as_filed(contract: dict) -> dict:
        """A contract as its payment mode reads it: the form keeps every term typed (switching
        mode and back loses nothing), the file holds only the terms its mode uses, as a term
        of another mode is an error there (a rate card's stages elsewhere, a pooled target
        outside all or nothing) or a warning (a price in a rate card)."""
        out = copy.deepcopy(contract)
        mode = out.get("payment_mode")
        if mode == RATE_CARD:
            for key in SHARE_ONLY_KEYS:
                out.pop(key, None)
        else:
            out.pop("fee_per_referral", None)
            out.pop("outcome_payments", None)
        if mode != "threshold" or out.get("pooled_target_success_rate") is None:
            out.pop("pooled_target_success_rate", None)
        return out

    def _put_budget(self, data: dict) -> None:
        lines = self.budget.lines()
        if lines:
            _put(data, "organisation.budget", lines)
        elif isinstance(data.get("organisation"), dict):
            data["organisation"].pop("budget", None)

    def show_data(self, data: dict) -> None:
        """Put a scenario dict that need not validate into the fields as it stands (a file to
        correct, recovered work); emits no ``edited``.  ``set_scenario`` takes only valid ones."""
        self._loading += 1
        try:
            for key, field in self._fields.items():
                if key.startswith("contract."):
                    continue
                value = _get(data, key)
                if value is None:
                    continue
                if isinstance(field, SeedField):
                    field.edit.setText(str(value) if isinstance(value, (int, str)) else "")
                else:
                    field.set_value(value)
            self.budget.set_lines(_get(data, "organisation.budget", []))
            contracts = data.get("contracts")
            contracts = [dict(c) for c in contracts if isinstance(c, dict)] if isinstance(contracts, list) else []
            self._contracts = contracts[:MAX_CONTRACTS]
            self._current = -1  # nothing in the editor to store back
            self._rebuild_chooser(0 if self._contracts else -1)
        finally:
            self._loading -= 1

    def _scenario_keys(self) -> list[str]:
        """The fields that are the scenario's own keys (not the contract shown)."""
        return [k for k in self._fields if not k.startswith("contract.")]

    # ----- contracts ------------------------------------------------------------------------
    def current_contract_index(self) -> int:
        """The contract shown in the editor (-1 when there are none)."""
        return self._current

    def select_contract(self, index: int) -> None:
        self.chooser.setCurrentIndex(index)

    def contract_names(self) -> list[str]:
        self._store_current()
        return [c.get("name", "") for c in self._contracts]

    def add_contract(self) -> None:
        if len(self._contracts) >= MAX_CONTRACTS:
            return
        self._store_current()
        new = copy.deepcopy(NEW_CONTRACT)
        new["name"] = self._unique_name("New contract")
        new["id"] = next_contract_id(self._contracts)  # its own draws, wherever it moves
        self._contracts.append(new)
        self._contracts_changed(len(self._contracts) - 1)
        self.rename_contract()

    def duplicate_contract(self) -> None:
        if not 0 <= self._current < len(self._contracts) or len(self._contracts) >= MAX_CONTRACTS:
            return
        self._store_current()
        copied = copy.deepcopy(self._contracts[self._current])
        copied["name"] = self._unique_name(f"{copied.get('name') or 'Contract'} (copy)")
        copied["id"] = next_contract_id(self._contracts)  # a copy draws its own futures
        self._contracts.insert(self._current + 1, copied)
        original = self._contracts[self._current].get("name") or "the contract"
        self._contracts_changed(self._current + 1)
        # Said where the user is looking: the risk now counts both contracts at once.
        self.preset_hint.setText(f"Added “{copied['name']}”, running at the same time as "
                                 f"“{original}”: every future now has both. To compare other terms "
                                 "instead, use Scenario › Try different terms (Edit › Undo takes the "
                                 "copy away).")
        self.preset_hint.show()

    def remove_contract(self) -> None:
        if not 0 <= self._current < len(self._contracts):
            return
        del self._contracts[self._current]
        index = min(self._current, len(self._contracts) - 1)
        self._current = -1  # the removed contract must not be stored back
        self._contracts_changed(index)

    def rename_contract(self) -> None:
        if 0 <= self._current < len(self._contracts):
            self.name_field.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.name_field.edit.selectAll()
            self.scroll_area.ensureWidgetVisible(self.name_field.edit)

    def apply_preset(self, key: str, preset_guesses: bool | None = None) -> None:
        """Set the chosen contract's payment terms from a preset file's first contract, and its
        risk guesses too when ``preset_guesses`` (None: as the check box says)."""
        if preset_guesses is None:
            preset_guesses = self.preset_guesses.isChecked()
        if not 0 <= self._current < len(self._contracts):
            return
        label = next((text for text, k in PRESET_CHOICES if k == key), key)
        try:
            source = scenario_to_dict(load_scenario(preset_path(key)))["contracts"][0]
        except (KeyError, IndexError, ScenarioError, OSError) as error:
            self.preset_hint.setText(f"Could not read the “{label}” terms: {error}")
            self.preset_hint.show()
            return
        self._store_current()
        contract = self._contracts[self._current]
        for term in PRESET_TERMS + (PRESET_GUESSES if preset_guesses else ()):
            contract[term] = copy.deepcopy(source[term])
        self._load_editor()
        self._loading += 1
        self.preset.setCurrentIndex(0)
        self._loading -= 1
        kept = ("its risk guesses replaced yours" if preset_guesses else
                "your referrals, success rates, late payment and chance of no referrals kept")
        self.preset_hint.setText(f"“{label}” payment terms applied, {kept} (Edit › Undo to go back).")
        self.preset_hint.show()
        self._changed()

    def _unique_name(self, stem: str) -> str:
        return unique_name(stem, {c.get("name") for c in self._contracts})

    def _contracts_changed(self, select: int) -> None:
        self._contract_problems = {}  # indices moved; the next check marks them again
        self._rebuild_chooser(select)
        self._apply_problems([])
        self._changed()

    def _rebuild_chooser(self, select: int) -> None:
        self._loading += 1
        try:
            self.chooser.blockSignals(True)
            self.chooser.clear()
            for i in range(len(self._contracts)):
                self.chooser.addItem("")
                self._refresh_chooser_item(i)
            self.chooser.setCurrentIndex(select)
            self.chooser.blockSignals(False)
            self._current = select if self._contracts else -1
            self._load_editor()
        finally:
            self._loading -= 1
        self._update_contract_buttons()

    def _refresh_chooser_item(self, i: int) -> None:
        name = self._contracts[i].get("name") or "(no name)"
        self.chooser.setItemText(i, f"{i + 1}. {name}")
        icon = (self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                if self._contract_problems.get(i) else QIcon())
        self.chooser.setItemIcon(i, icon)

    def _update_contract_buttons(self) -> None:
        have = bool(self._contracts)
        room = len(self._contracts) < MAX_CONTRACTS
        self.add_button.setEnabled(room)
        self.duplicate_button.setEnabled(have and room)
        self.rename_button.setEnabled(have)
        self.remove_button.setEnabled(have)
        self.chooser.setEnabled(have)
        self.editor.setVisible(have)
        self.no_contracts.setVisible(not have)

    def _on_chosen(self, index: int) -> None:
        if self._loading:
            return
        self._store_current()
        self._current = index
        self._loading += 1
        try:
            self._load_editor()
        finally:
            self._loading -= 1
        self.preset_hint.hide()
        self._show_contract_problems()
        self._update_hints()

    def _contract_fields(self) -> list[Field]:
        return [f for k, f in self._fields.items() if k.startswith("contract.")]

    def _store_current(self) -> None:
        if not 0 <= self._current < len(self._contracts):
            return
        contract = self._contracts[self._current]
        for field in self._contract_fields():
            _put(contract, field.key[len("contract."):], field.value())
        contract["outcome_payments"] = self.stages.stages()

    def _load_editor(self) -> None:
        if not 0 <= self._current < len(self._contracts):
            return
        contract = self._contracts[self._current]
        self._loading += 1
        try:
            for field in self._contract_fields():
                sub = field.key[len("contract."):]
                value = _get(contract, sub, _get(NEW_CONTRACT, sub))
                if sub.startswith("late_payment.") and not isinstance(contract.get("late_payment"), dict):
                    value = 0
                field.set_value(value)
            self.stages.set_stages(contract.get("outcome_payments") or [])
            self._mode_shown = self._mode()
        finally:
            self._loading -= 1
        self._update_hints()

    # ----- edits ----------------------------------------------------------------------------
    def _changed(self) -> None:
        if self._loading:
            return
        mode = self._mode()
        if mode == RATE_CARD and self._mode_shown != RATE_CARD and not self.stages.stages():
            self._first_stage()  # only on turning into a rate card: removing every stage stays done
        self._mode_shown = mode
        self._update_hints()
        self._update_budget_hint()
        self.edited.emit()

    def _stages_edited(self) -> None:
        if self._loading or not 0 <= self._current < len(self._contracts):
            return
        self._contracts[self._current]["outcome_payments"] = self.stages.stages()
        self._stages_hint.setText(self._rate_card_hint())
        self.edited.emit()

    def _mode(self) -> str | None:
        field = self._fields["contract.payment_mode"]
        return field.value() if isinstance(field, ChoiceField) else None

    def _first_stage(self) -> None:
        """A contract turned into a rate card gets one stage from its terms as they were (the
        part at risk, paid when the success rate is reached) and the rest of the price as
        its fee: a start that pays what the contract paid, to change."""
        c = self._typed_contract()
        price, share = c.price_per_referral, c.share_at_risk
        success = self._fields["contract.success_rate"]
        rate = success.value() if isinstance(success, UncertainField) else None
        lag = c.cohort_months + c.outcome_lag_months
        target = c.target_success_rate or 1.0
        stage = {"name": "Outcome", "price": round(price * share / target, 2),
                 "rate": rate if isinstance(rate, dict) else {"low": 0.3, "likely": 0.4, "high": 0.5},
                 "lag_months": int(lag), "payments": 1}
        self._loading += 1
        try:
            self._fields["contract.fee_per_referral"].set_value(round(price * (1 - share), 2))
            self.stages.set_stages([stage])
        finally:
            self._loading -= 1

    def _rate_card_hint(self) -> str:
        """What a referral brings at the most likely shares, and at most (plain arithmetic)."""
        fee = self._fields["contract.fee_per_referral"].value()
        first_fee = fee[0] if isinstance(fee, list) and fee else fee
        total, best, reach = 0.0, 0.0, 1.0
        for stage in self.stages.stages():
            rate, price, payments = stage.get("rate"), stage.get("price"), stage.get("payments", 1)
            likely = rate.get("likely") if isinstance(rate, dict) else rate
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (likely, price, payments)):
                return ""  # a value still to correct: no sum until it is one
            reach *= float(likely)  # type: ignore[arg-type]  # checked just above
            total += reach * float(price) * int(payments)
            best += float(price) * int(payments)
        if not isinstance(first_fee, (int, float)) or not self.stages.stages():
            return ""
        return (f"A referral in year 1 brings {money(first_fee)} as a fee, then {money(total)} on average "
                f"for its outcomes at the most likely shares ({money(best)} if it reaches every stage).")

    def _show_mode_rows(self) -> None:
        """Show only the rows the chosen payment mode uses: a rate card has no price, share,
        success rate, target or cohorts; the pooled target is only all or nothing's."""
        mode = self._mode()
        form = self._contract_form
        rate_card = mode == RATE_CARD
        for key in SHARE_ROWS + RATE_CARD_ROWS + THRESHOLD_ROWS:
            shown = (rate_card if key in RATE_CARD_ROWS else
                     mode == "threshold" if key in THRESHOLD_ROWS else not rate_card)
            field = self._fields[key]
            form.setRowVisible(field.container, shown)
            if isinstance(field, UncertainField) and field.caption_label is not None:
                form.setRowVisible(field.caption_label, shown)
        form.setRowVisible(self.stages, rate_card)
        form.setRowVisible(self._stages_label, rate_card)
        self._stages_hint.setText(self._rate_card_hint() if rate_card else "")
        results = self._headings.get("Results")
        if results is not None:
            form.setRowVisible(results, not rate_card)

    def _name_changed(self, text: str) -> None:
        if self._loading or not 0 <= self._current < len(self._contracts):
            return
        self._contracts[self._current]["name"] = text
        self._refresh_chooser_item(self._current)
        self.edited.emit()

    def _update_hints(self) -> None:
        """Plain arithmetic on the inputs, shown in grey beside them."""
        if hasattr(self, "stages"):
            self._show_mode_rows()
        first = self._fields["first_month"].value()
        self.budget.first_month = first if isinstance(first, str) else None
        o = self._typed("organisation", _example_organisation())
        reserves, costs = o.opening_reserves, o.monthly_core_costs
        if costs > 0:
            self.reserves_hint.setText(f"≈ {months_tenth(reserves / costs)} of core costs")
        else:
            self.reserves_hint.setText("")
        rate, facility = o.overdraft_interest_per_year, o.overdraft_facility
        self._hint_of("organisation.overdraft_interest_per_year").setText(
            f"≈ {money(facility * rate / 12)} a month with the whole overdraft used" if rate > 0 and facility > 0
            else "")
        if not 0 <= self._current < len(self._contracts):
            return
        f = self._fields
        horizon = self._spin_of("horizon_months").value()
        c = self._typed_contract()
        start, end = c.start_month, c.end_month
        if start > horizon:
            text = f"Starts after month {horizon}, the last month looked at: no effect on the results."
        elif end > horizon:
            text = (f"Referrals in months {start} to {end}; those after month {horizon} are "
                    "beyond the months looked at.")
        else:
            text = f"Referrals arrive in months {start} to {end}."
        self._duration_hint.setText(text)

        price, share = c.price_per_referral, c.share_at_risk
        if share <= 0:
            self._share_hint.setText("Nothing at risk: the whole price is paid as a fee.")
        else:
            self._share_hint.setText(f"{money(c.amount_at_risk)} of each {money(price)} depends on results.")
        payment_mode = f["contract.payment_mode"]
        if not isinstance(payment_mode, ChoiceField):
            raise TypeError("contract.payment_mode is not a choice field")
        mode = payment_mode.combo.currentIndex()
        self._mode_hint.setText(PAYMENT_MODES[mode][2] if mode >= 0 else "")

        if share <= 0:
            self._outcome_hint.setText("")
        else:
            paid = c.results_months()  # the engine's rule (model.scenario.Contract)
            first, last = start + paid[0], start + paid[-1]
            text = (f"Results money for the first group is due in month {first}, for the last in "
                    f"month {last}")
            if last > horizon:
                text += f" (after the {horizon} months looked at)"
            if self._spin_of("contract.late_payment.probability").value() > 0:
                text += ", later if the prime pays late"
            self._outcome_hint.setText(text + ".")

    # ----- problems -------------------------------------------------------------------------
    @staticmethod
    def _fee_year(sub: str) -> str:
        """``fee_per_referral[2]`` is the fee field's third year: marked on the fee field, its
        note naming the year."""
        return "fee_per_referral" if sub.startswith("fee_per_referral[") else sub

    def _resolve(self, key: str) -> tuple[Field | None, str | None]:
        if key in self._fields:
            return self._fields[key], None
        parent, _, part = key.rpartition(".")
        if parent in self._fields and part in PART_NAMES:
            return self._fields[parent], part
        return None, None

    @staticmethod
    def _message(field: Field, part: str | None, problem: Problem) -> str:
        text = plain_reason(problem, field.unit)
        if part:
            text = f"{PART_NAMES[part]}: {text[:1].lower()}{text[1:]}"
        year = re.search(r"fee_per_referral\[(\d+)\]$", problem.path)
        if year:  # one entry of the fee schedule: say which contract year
            text = f"Year {int(year.group(1)) + 1}: {text[:1].lower()}{text[1:]}"
        return text

    def _apply_problems(self, problems: list[Problem] | list[str]) -> None:
        """Mark each problem beside the field its key path names (read from the Problem's path
        and code, never from its wording); the rest go in the summary under the form."""
        for key, shown in self._fields.items():
            if not key.startswith("contract."):
                shown.clear_mark()
        self._contract_problems = {}
        unplaced: list[str] = []
        budget_problems: list[Problem] = []
        for item in problems:
            problem = item if isinstance(item, Problem) else Problem.from_text(item)
            if (problem.path == "organisation.budget"
                    or F.item_of(problem.path, "organisation.budget") is not None):
                budget_problems.append(problem)
                continue
            in_contract = F.item_of(problem.path, "contracts")
            if in_contract is not None:
                index, sub = in_contract
                self._contract_problems.setdefault(index, []).append((sub, problem))
                continue
            field, part = self._resolve(problem.path)
            if field is None:
                unplaced.append(str(problem))
            else:
                field.mark(self._message(field, part, problem), part)
        self._unplaced = unplaced
        self.budget.apply_problems(budget_problems)
        for i in range(len(self._contracts)):
            self._refresh_chooser_item(i)
        self._show_contract_problems()

    def _show_contract_problems(self) -> None:
        for shown in self._contract_fields():
            shown.clear_mark()
        lines: list[str] = []
        self.stages.apply_problems([(sub, p) for sub, p in self._contract_problems.get(self._current, [])
                                    if sub.startswith("outcome_payments")])
        for i, items in sorted(self._contract_problems.items()):
            name = self._contracts[i].get("name") if i < len(self._contracts) else None
            for sub, problem in items:
                if i == self._current and sub.startswith("outcome_payments"):
                    continue  # marked in the stages table
                sub = self._fee_year(sub)
                field, part = self._resolve(f"contract.{sub}")
                if i == self._current and field is not None:
                    field.mark(self._message(field, part, problem), part)
                    continue
                what = field.caption if field is not None else sub or "contract"
                text = self._message(field, part, problem) if field is not None else problem.message
                lines.append(f"• {i + 1}. “{name or '(no name)'}”, {what}: {text}")
        others = any(i != self._current for i in self._contract_problems)
        if lines:
            head = ("To fix in other contracts (choose one above):" if others
                    else "To fix in this contract:")
            self.contracts_problems.setText("\n".join([head] + lines))
        self.contracts_problems.setVisible(bool(lines))
        self._update_summary()

    def _update_summary(self) -> None:
        count = sum(1 for f in self._fields.values() if f.marked)
        count += sum(len(v) for i, v in self._contract_problems.items() if i != self._current)
        unplaced = self._unplaced
        count += len(unplaced)
        count += self.budget.problem_count()
        count += self.stages.problem_count()
        if not count:
            self.summary.hide()
            self.summary.clear()
            return
        noun = "value needs" if count == 1 else "values need"
        text = (f"{count} {noun} fixing before the results can update; see the notes in red. "
                "<a href='#first'>Show me</a>")
        if unplaced:
            text += "<br>" + "<br>".join(p.replace("&", "&amp;").replace("<", "&lt;") for p in unplaced)
        self.summary.setText(text)
        self.summary.show()

    def _scroll_to(self, widget: QWidget) -> None:
        self.scroll_area.ensureWidgetVisible(widget)

    def mark_problems(self, problems: list[Problem]) -> None:
        """Mark problems found outside the file's own rules (a run too large to start) beside
        their fields, as the form's own are; the next edit's check clears them."""
        self._apply_problems(problems)

    def problem_fields(self) -> list[str]:
        """Key paths of the fields now marked (for tests and the main window)."""
        return [k for k, f in self._fields.items() if f.marked]

    def show_first_problem(self) -> None:
        """Scroll to (and focus) the first marked field, switching contract if need be."""
        field: Field | None
        for field in self._fields.values():
            if field.marked:
                break
        else:
            if self.budget.focus_first_problem():
                self._scroll_to(self.budget)
                return
            if self.stages.focus_first_problem():
                self._scroll_to(self.stages)
                return
            others = [i for i in self._contract_problems if i != self._current]
            if not others:
                return
            self.select_contract(min(others))
            field = next((f for f in self._contract_fields() if f.marked), None)
            if field is None:
                self.scroll_area.ensureWidgetVisible(self.contracts_problems)
                return
        widget = next((w for w in field.inputs() if w.property("invalid")), field.focus_widget())
        self.scroll_area.ensureWidgetVisible(field.container)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
