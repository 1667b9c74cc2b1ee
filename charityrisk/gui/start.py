"""The first start: "Start my own scenario" (a short guided setup) or "Look at the example".

Asked once (remembered in the window's QSettings) and again from Help > Start again.  The
guided setup asks what a finance lead knows and the model needs, in the order they know it:
the organisation (its name, free reserves, overdraft, reserves policy minimum, the trustees'
appetite, the first month and how far to look ahead), its budget (typed as budget lines, its
cash-flow spreadsheet imported, or one monthly figure each for income and costs), then the
contract's main terms.  A last page lists every term with its value, the ones not asked marked
"assumed: the default", before Finish.

Every input is a row of the field table (model/fields.py): its caption, tooltip, unit and
bounds are the row's, and its editor is the form's for that row (gui/fields.py).  What the
setup makes is checked by the model's own validation, and its messages are shown beside the
field they name, as the form shows them.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFormLayout,
    QFrame,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..model import Scenario, ScenarioError, scenario_from_dict, scenario_to_dict
from ..model import fields as F
from ..model.budget_import import imported_scenario
from ..model.calendar import month_name
from ..model.fields import FieldSpec, spec_of
from ..model.forecast import ForecastImport
from ..model.problems import CALENDAR, Problem
from ..model.scenario import Uncertain
from ..report.formats import money
from ..report.terms import fee_words, plain
from ..report.text import month_words
from . import import_dialog  # the app's own reading and preview of a forecast (File › Import)
from .budget_table import BudgetTable
from .fields import (
    ERROR_COLOUR,
    PART_NAMES,
    PARTS,
    Field,
    FirstMonthField,
    MoneySpin,
    NumberField,
    UncertainField,
    editor_for,
    plain_reason,
)
from .form import DEFAULT_SCENARIO, NEW_CONTRACT, PAYMENT_MODES

SEEN_KEY = "start/seen"  # QSettings: the first-start choice has been offered
OWN, EXAMPLE = "own", "example"
QUESTION = ("Welcome to CharityRisk. It shows how likely a payment-by-results contract is to leave "
            "your charity short of cash, month by month.\n\nStart with your own organisation and "
            "contract (a few questions), or look around a made-up example first?")
CHOICES = [(OWN, "Start my own scenario"), (EXAMPLE, "Look at the example")]

ASSUMED = "assumed: the default"
FORECAST_FILTER = "Forecasts (*.xlsx *.csv);;All files (*)"

# What the setup asks, by page: the field table's rows with a ``setup`` column, in its order.
ORGANISATION_ROWS: tuple[FieldSpec, ...] = F.setup_rows("organisation")
FIGURE_ROWS: tuple[FieldSpec, ...] = F.setup_rows("figures")
CONTRACT_ROWS: tuple[FieldSpec, ...] = F.setup_rows("contract")

# The three ways to the budget.
LINES, IMPORT, FIGURES = "lines", "import", "figures"
ROUTES = (
    (LINES, "Type my budget lines",
     "Your own income and cost lines (grants, salaries, rent, an appeal), each with its amount, "
     "how often it falls and from which month."),
    (IMPORT, "Import my cash-flow forecast (Excel or CSV)",
     "Read the lines of your monthly cash-flow spreadsheet, as File › Import cash-flow forecast does."),
    (FIGURES, "One monthly figure each for income and costs",
     "Just your other income a month and your core costs a month, outside this contract."),
)


class Host(Protocol):
    """What the first start and the guided setup need of the window (MainWindow is one); it
    is also the wizard's parent widget."""

    settings: Any
    prompts: Any
    start_wizard: Any  # the guided setup while it is open
    def maybe_save(self, retry: Callable[[], Any] | None = None) -> bool:
        """False: the user kept the work on screen (or it is still being saved)."""
        ...

    def load_example(self) -> None: ...

    def show_new_work(self, scenario: Scenario) -> None:
        """Show the setup's scenario as new work, saved nowhere yet."""
        ...

    def folder(self) -> str:
        """Where a file dialog starts."""
        ...

    def show_problems(self, title: str, problems: Sequence[str]) -> None: ...


def should_offer(settings) -> bool:
    value = settings.value(SEEN_KEY, False)
    return not (value is True or str(value).lower() == "true")


def offer_start(window: Host) -> str | None:
    """Ask how to start (through the window's prompts) and do it; the answer is remembered.

    Returns OWN (the guided setup is open, as ``window.start_wizard``), EXAMPLE, or None
    (dismissed: the window stays as it is)."""
    window.settings.setValue(SEEN_KEY, True)
    answer = window.prompts.ask_choice(QUESTION, CHOICES, default=OWN)
    if answer == EXAMPLE:
        if window.maybe_save():
            window.load_example()
    elif answer == OWN:
        if not window.maybe_save():
            return None
        wizard = StartWizard(window)
        window.start_wizard = wizard
        wizard.open()  # window-modal, not a nested event loop: tests drive it like a user
    return answer


# ----- the inputs: the field table's rows, with the form's editors -----------------------------

def field_key(row: FieldSpec) -> str:
    """The setup's name for a row's input: ``start.<path>``, ``start.contract.<key>``."""
    return "start." + (f"contract.{row.name}" if row.owner == "contracts[]" else row.path)


def _editor(row: FieldSpec, changed: Callable[[], None]) -> Field:
    """The form's editor for a row: the row's caption, tooltip, unit and bounds."""
    return editor_for(row, field_key(row), changed, placeholder=row.setup.placeholder if row.setup else "",
                      notes=False)  # the form's grey notes of plain arithmetic are not repeated here


def _start_value(row: FieldSpec) -> Any:
    """What an input shows before it is typed in.  Amounts only the charity knows start blank,
    to be typed (a made-up figure would be kept unread): those the table gives no default, and
    the budget's figures (£0 there is no budget, not a choice, as an overdraft of £0 is); the
    rest start at the table's default or, without one, the app's new contract's."""
    if row.kind == "money" and (row.required or row in FIGURE_ROWS):
        return None
    if not row.required:
        return row.default
    if row.owner == "contracts[]":
        return NEW_CONTRACT[row.name]
    return _get(DEFAULT_SCENARIO, row.path)


def _get(data: dict, path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def _put(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _blank(spin: Any) -> bool:
    return isinstance(spin, MoneySpin) and not spin.lineEdit().text().strip()


def _amount(spin: Any, scale: float) -> Any:
    """A guess's box's model value: for money, None when blank and the text when unreadable
    (the validator names the field)."""
    if isinstance(spin, MoneySpin):
        text = spin.lineEdit().text().strip()
        if not text:
            return None
        if spin.refusal() is not None:
            return text
    value = spin.value()
    return int(value) if isinstance(value, int) else value / scale


def _read(field: Field) -> Any:
    """The model's value of a field; a guess typed only as most likely (low and high left
    blank) is that one figure."""
    if isinstance(field, UncertainField):
        scale = field.unit.scale if field.unit is not None else 1.0
        likely = _amount(field.spins["likely"], scale)
        parts = {p: likely if p != "likely" and _blank(spin) else _amount(spin, scale)
                 for p, spin in field.spins.items()}
        return parts["low"] if parts["low"] == parts["likely"] == parts["high"] else parts
    return field.value()  # a blank amount typed as 0 is 0 (gui.fields.NumberField)


def _caption(text: str, buddy: QWidget | None = None, tip: str = "", name: str = "") -> QLabel:
    """Wrapped words; ``name`` for a note the page writes into later (tests find it by it)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setToolTip(tip)
    label.setObjectName(name)
    if buddy is not None:
        label.setBuddy(buddy)
    return label


class _Page(QWizardPage):
    """A page of inputs: the field table's rows in a form that scrolls on a small screen, and a
    note of what to fix before Next."""

    def __init__(self, wizard: StartWizard, title: str, intro: str):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(title)
        self.setSubTitle(intro)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.layout_ = QVBoxLayout(self.body)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.layout_.addLayout(self.form)
        self.layout_.addStretch(1)
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)
        self.error = QLabel()
        self.error.setObjectName("start.error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.hide()
        outer.addWidget(self.error)
        self.fields: dict[str, Field] = {}  # by the row's path

    def add_row(self, row: FieldSpec, form: QFormLayout | None = None) -> Field:
        field = _editor(row, lambda: None)
        field.set_value(_start_value(row))
        label = _caption(row.label, field.focus_widget(), row.tip)
        label.setWordWrap(False)  # short captions, one line each: the column is as wide as the longest
        label.setObjectName(f"label:{field.key}")
        if isinstance(field, NumberField):
            field.spin.setMinimumWidth(field.spin.maximumWidth())  # blank or not, the boxes line up
        if isinstance(field, FirstMonthField):
            field.edit.setPlaceholderText("e.g. Apr 2027")  # the form's "(optional)" is cut in this box
        field.caption_label = label
        target = form or self.form
        if isinstance(field, UncertainField):
            target.addRow(label)
            target.addRow(field.container)
            for part in ("low", "high"):  # one figure is enough: the others are taken as the same
                field.spins[part].lineEdit().setPlaceholderText("same")
        else:
            target.addRow(label, field.container)
        self.fields[row.path] = field
        return field

    def values(self) -> dict[str, Any]:
        return {path: _read(field) for path, field in self.fields.items() if field.container.isEnabled()}

    def show_problems(self, problems: Sequence[Problem], extra: Sequence[str] = ()) -> bool:
        """Mark the problems with this page's inputs beside them; True when there are none."""
        for shown in self.fields.values():
            shown.clear_mark()
        named: list[str] = []
        first: QWidget | None = None
        for problem in problems:
            row = F.spec(problem.path)
            field = self.fields.get(row.path) if row is not None else None
            if field is None or not field.container.isEnabled():
                continue
            last = problem.path.rpartition(".")[2]
            part = last if isinstance(field, UncertainField) and last in PARTS else None
            if isinstance(field, UncertainField):
                marked = _mark_guess(field, _message(field, part, problem), part)
            else:
                field.mark(_message(field, part, problem), part)
                marked = field.focus_widget()
            if field.caption not in named:
                named.append(field.caption)
            first = first or marked
        wrong = [f"{len(named)} value{'s' if len(named) > 1 else ''} to fix, marked in red: "
                 + ", ".join(named) + "."] if named else []
        wrong += list(extra)
        self.error.setText("\n".join(wrong))
        self.error.setVisible(bool(wrong))
        if first is not None:
            first.setFocus()
        return not wrong

    def validatePage(self) -> bool:
        return self.show_problems(self.wizard_.problems())


def _mark_guess(field: UncertainField, message: str, part: str | None) -> QWidget:
    """Mark a low / most likely / high guess where it is wrong, and return the first box marked.
    Low and high left blank are the most likely figure, not missing: only text that cannot be
    read, or a blank most likely, is marked in its own words."""
    refused = [(p, reason) for p, spin in field.spins.items()
               if (reason := field.refusal(p)) and not (p != "likely" and _blank(spin))]
    for p, reason in refused:
        Field.mark(field, f"{PART_NAMES[p]}: {reason[:1].lower()}{reason[1:]}", p)
    if not refused:
        Field.mark(field, message, part)
    at = refused[0][0] if refused else part
    return field.spins[at] if at in field.spins else field.focus_widget()


def _message(field: Field, part: str | None, problem: Problem) -> str:
    if problem.code == CALENDAR:
        return f"“{problem.limits.get('got')}” is not a month: type it as Apr 2027, or leave it empty."
    text = plain_reason(problem, field.unit)
    return f"{PART_NAMES[part]}: {text[:1].lower()}{text[1:]}" if part else text


class _BudgetPage(_Page):
    """Three ways to the budget: lines, the spreadsheet, or one monthly figure each."""

    def __init__(self, wizard: StartWizard):
        super().__init__(wizard, "Your budget",
                         "Your own income and costs outside this contract: choose how to give them.")
        self.routes = QButtonGroup(self)
        self.stack = QStackedWidget()
        self.route_pages: dict[str, QWidget] = {}
        for route, text, tip in ROUTES:
            button = QRadioButton(text)
            button.setObjectName(f"start.route.{route}")
            button.setToolTip(tip)
            self.routes.addButton(button)
            self.form.addRow(button)
            page = QWidget()
            self.route_pages[route] = page
            self.stack.addWidget(page)
            button.toggled.connect(lambda on, r=route: self.choose(r) if on else None)
        self.layout_.insertWidget(1, self.stack, 10)

        lines = QVBoxLayout(self.route_pages[LINES])
        lines.setContentsMargins(0, 0, 0, 0)
        lines.addWidget(_caption("Each line: its name, income or cost, the amount each time, the months it "
                                 "falls in and how often. Add line adds one; Enter edits a cell.",
                                 tip=spec_of("organisation", "budget").tip))
        self.table = BudgetTable()
        lines.addWidget(self.table)
        self.table.edited.connect(self._lines_edited)
        self.lines_note = _caption("", name="start.lines_note")
        lines.addWidget(self.lines_note)
        lines.addStretch(1)

        imported = QVBoxLayout(self.route_pages[IMPORT])
        imported.setContentsMargins(0, 0, 0, 0)
        self.import_button = QPushButton("&Import a cash-flow forecast...")
        self.import_button.setObjectName("start.import")
        self.import_button.setToolTip("Read your monthly forecast from Excel or CSV: its income and cost "
                                      "lines become your budget.")
        imported.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.imported = _caption("Nothing imported yet.", name="start.imported")
        imported.addWidget(self.imported)
        imported.addStretch(1)

        figures = QFormLayout(self.route_pages[FIGURES])
        figures.setContentsMargins(0, 0, 0, 0)
        figures.addRow(_caption("Type the most likely figure; a low and a high too if you are unsure "
                                "(left blank, they are the same)."))
        for row in FIGURE_ROWS:
            self.add_row(row, figures)
        self.route = ""
        self.routes.buttons()[2].setChecked(True)  # one figure each: the shortest way
        self._lines_edited()

    def choose(self, route: str) -> None:
        self.route = route
        self.stack.setCurrentWidget(self.route_pages[route])
        for row in FIGURE_ROWS:
            self.fields[row.path].container.setEnabled(route == FIGURES)
        self.error.hide()

    def _lines_edited(self) -> None:
        n = len(self.table.lines())
        self.lines_note.setText(
            f"{n} budget line{'' if n == 1 else 's'}." if n else
            "No lines yet: Add line, then type its name, amount and months. Without a budget the "
            "results cannot say whether your charity runs out.")

    def initializePage(self) -> None:  # noqa: N802 (a Qt override)
        # The pattern dialog names months by the calendar once the first month is known.
        self.table.first_month = self.wizard_.organisation_values().get("first_month")

    def validatePage(self) -> bool:
        extra = []
        if self.route == IMPORT and self.wizard_.forecast is None:
            extra.append("Import your forecast first, or choose another way to give your budget.")
        problems = self.wizard_.problems()
        self.table.apply_problems([p for p in problems if p.path == "organisation.budget"
                                   or F.item_of(p.path, "organisation.budget") is not None])
        if self.route == LINES and self.table.problem_count():
            extra.append("Some budget lines need fixing: the cells are marked in red.")
        return self.show_problems(problems, extra)


@dataclass(frozen=True)
class ReviewRow:
    """A row of the last page: a section's heading (``value`` empty), or a term and its value."""

    label: str
    value: str = ""
    assumed: bool = False
    heading: bool = False


def _words(row: FieldSpec, value: Any, s: Scenario) -> str:
    """A value as the review page says it, in the form's words for choices."""
    if value is None and row.none_text:
        return row.none_text
    if row.editor == "month":
        return month_name(value, 1) if value else "Not set: months are numbered"
    if row.editor == "fee_schedule":
        return fee_words(tuple(value))
    if row.path == "contracts[].payment_mode":
        return {data: text for text, data, _ in PAYMENT_MODES}.get(value, str(value))
    if row.editor == "tick":  # on / off, as the form's tick box
        return "Yes" if value == row.choices[0] else "No"
    if row.levels:
        return next((words for words, level, _ in row.levels if level == value), f"{value:g}")
    if row.kind == "months" and row.shown_as == "whole":  # a month number
        return month_words(s, int(value))
    if isinstance(value, (int, float, Uncertain)) and not isinstance(value, bool):
        return plain(row, value)
    return str(value)


def _attr(owner: Any, name: str) -> Any:
    for part in name.split("."):
        owner = getattr(owner, part)
    return owner


def review_rows(s: Scenario, asked: set[str], budget: str) -> list[ReviewRow]:
    """Every term of the scenario the form shows, with its value; the ones the setup did not
    ask (``asked``: row paths) marked assumed.  ``budget``: how the budget was given."""
    rows = [ReviewRow("Your organisation", heading=True)]
    replaced = {r.path for r in FIGURE_ROWS} if s.organisation.budget else set()
    for owner, holder in (("organisation", s.organisation), ("", s), ("simulation", s.settings)):
        for row in F.fields_of(owner):
            if not row.in_form or not (row.pack or row.path == "first_month") or row.path in replaced:
                continue
            value = _attr(holder, row.name)
            rows.append(ReviewRow(row.label, _words(row, value, s), row.path not in asked))
    rows.append(ReviewRow("Budget", budget))
    for c in s.contracts:
        rows.append(ReviewRow(f"The contract: {c.name}", heading=True))
        for row in F.fields_of("contracts[]"):
            if not row.in_form or row.name == "name" or not c.reads(row.name):
                continue
            rows.append(ReviewRow(row.label, _words(row, _attr(c, row.name), s), row.path not in asked))
    return rows


class _ReviewPage(QWizardPage):
    """Every term with its value before Finish; what the setup did not ask, marked."""

    def __init__(self, wizard: StartWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Check every term before Finish")
        self.setSubTitle(f"Terms marked “{ASSUMED}” were not asked: they are the app's starting values, "
                         "not yours. Go Back to change what you typed; change the rest in the form after Finish.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("start.review")
        self.table.setAccessibleName("Every term and its value")
        self.table.setHorizontalHeaderLabels(["Term", "Value"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        self.rows: list[ReviewRow] = []

    def initializePage(self) -> None:  # noqa: N802 (a Qt override)
        try:
            scenario = self.wizard_.build()
        except (ScenarioError, ValueError):
            scenario = None  # cannot happen after the pages' checks; shown empty rather than crash
        self.rows = [] if scenario is None else review_rows(scenario, self.wizard_.asked(), self.wizard_.budget_words())
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            label = QTableWidgetItem(row.label)
            value = QTableWidgetItem(f"{row.value} ({ASSUMED})" if row.assumed else row.value)
            if row.heading:
                font = label.font()
                font.setBold(True)
                label.setFont(font)
            if row.assumed:
                value.setForeground(Qt.GlobalColor.darkGray)
                font = value.font()
                font.setItalic(True)
                value.setFont(font)
            value.setToolTip(value.text())
            self.table.setItem(i, 0, label)
            self.table.setItem(i, 1, value)
        self.table.resizeRowsToContents()
        self.table.setCurrentCell(-1, -1)  # nothing to edit: no cell drawn as chosen

    def text(self) -> list[tuple[str, str]]:
        """(term, value) as shown: for tests and screen readers."""
        return [(self.table.item(i, 0).text(), self.table.item(i, 1).text())  # type: ignore[union-attr]
                for i in range(self.table.rowCount())]


class StartWizard(QWizard):
    """Four pages; Finish shows the new scenario in the window, unsaved."""

    def __init__(self, window: Host):
        super().__init__(window if isinstance(window, QWidget) else None)
        self.setObjectName("start_wizard")
        self.setWindowTitle("Start my own scenario")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.window_ = window
        self.forecast: ForecastImport | None = None
        self.take_balance = False  # the forecast's opening balance becomes the free reserves
        self.forecast_name = ""
        self.scenario: Scenario | None = None  # what Finish built
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)

        self.org = _Page(self, "Your organisation",
                         "Its free cash today, the bank's overdraft, the trustees' reserves policy and "
                         "appetite for risk, and the months to look at.")
        for row in ORGANISATION_ROWS:
            self.org.add_row(row)
        self.budget = _BudgetPage(self)
        self.budget.import_button.clicked.connect(self.import_forecast)
        self.contract = _Page(self, "The contract", "Its main terms; the next page lists the rest.")
        for row in CONTRACT_ROWS:
            self.contract.add_row(row)
        self.review = _ReviewPage(self)
        for page in (self.org, self.budget, self.contract, self.review):
            self.addPage(page)
        # Wide enough for the budget table's columns, within a 1024 x 768 screen.
        room = self.screen().availableGeometry()
        self.resize(min(980, room.width() - 40), min(680, room.height() - 60))
        self.accepted.connect(self.finish)

    # ----- the answers ---------------------------------------------------------------------
    def input_of(self, path: str) -> Field:
        """The input of a row path, on whichever page asks it."""
        for page in (self.org, self.budget, self.contract):
            if path in page.fields:
                return page.fields[path]
        raise KeyError(path)

    def organisation_values(self) -> dict[str, Any]:
        return self.org.values()

    def asked(self) -> set[str]:
        """The row paths the setup asked (the budget's figures only when given that way)."""
        paths = {r.path for r in ORGANISATION_ROWS + CONTRACT_ROWS}
        if self.budget.route == FIGURES:
            paths |= {r.path for r in FIGURE_ROWS}
        return paths

    def data(self) -> dict[str, Any]:
        """The answers as a scenario file's dict (before an imported forecast is put in)."""
        data: dict[str, Any] = copy.deepcopy(DEFAULT_SCENARIO)
        contract = copy.deepcopy(NEW_CONTRACT)
        for path, value in {**self.org.values(), **self.budget.values()}.items():
            _put(data, path, value)
        for path, value in self.contract.values().items():
            _put(contract, path.removeprefix("contracts[]."), value)
        if data.get("first_month") is None:
            data.pop("first_month", None)
        if self.budget.route != FIGURES:  # the lines or the forecast are the budget
            data["organisation"].update(monthly_other_income=0.0, monthly_core_costs=0.0)
        if self.budget.route == LINES:
            data["organisation"]["budget"] = self.budget.table.lines()
        data["contracts"] = [contract]
        return data

    def problems(self) -> list[Problem]:
        """What the model's validation says of the answers so far."""
        try:
            scenario_from_dict(self.data())
        except ScenarioError as error:
            return [p if isinstance(p, Problem) else Problem.from_text(p) for p in error.problems]
        return []

    def build(self) -> Scenario:
        """The scenario of the answers, as the app would hold it; raises ScenarioError."""
        scenario = scenario_from_dict(self.data())
        if self.budget.route == IMPORT and self.forecast is not None:
            # As File › Import does it: the forecast replaces the budget.
            scenario = scenario_from_dict(scenario_to_dict(imported_scenario(
                scenario, self.forecast, add=False, take_opening_balance=self.take_balance)))
        return scenario

    def scenario_data(self) -> dict[str, Any]:
        """The scenario file dict of the answers: what File › Save would write for them."""
        return scenario_to_dict(self.build())

    def budget_words(self) -> str:
        if self.budget.route == FIGURES:
            return "One monthly figure each for other income and core costs"
        lines = [line.name for line in self.build().organisation.budget]
        if not lines:
            return "None: no budget lines"
        where = f" imported from {self.forecast_name}" if self.budget.route == IMPORT else ""
        return f"{len(lines)} line{'' if len(lines) == 1 else 's'}{where}: {', '.join(lines)}"

    # ----- the forecast --------------------------------------------------------------------
    def import_forecast(self) -> None:
        path = self.window_.prompts.ask_open_path("Import a cash-flow forecast", self.window_.folder(),
                                                  FORECAST_FILTER)
        if path is None:
            return
        forecast = import_dialog.preview_forecast(self, path)
        if forecast is not None:
            self.use_forecast(forecast, path.name)

    def use_forecast(self, forecast: ForecastImport, name: str) -> None:
        """Take the budget from a forecast, as File › Import does (its opening balance becomes
        the free reserves if the user agrees)."""
        self.forecast, self.forecast_name = forecast, name
        self.take_balance = False
        if forecast.opening_balance is not None:
            self.take_balance = bool(self.window_.prompts.ask_yes_no(
                f"The forecast opens with a balance of {money(forecast.opening_balance)}. Use it as your "
                "free reserves today?", yes="Yes", no="No", default=True))
        incomes = sum(1 for line in forecast.lines if line["kind"] == "income")
        text = (f"Imported from {name}, sheet '{forecast.sheet}': {forecast.months} months starting "
                f"{forecast.month_label(1)}, which becomes month 1. {incomes} income and "
                f"{len(forecast.lines) - incomes} cost lines become your budget.")
        if self.take_balance and forecast.opening_balance is not None:
            text += f" Its opening balance, {money(forecast.opening_balance)}, becomes your free reserves."
        self.budget.imported.setText(text)

    # ----- Finish --------------------------------------------------------------------------
    def finish(self) -> None:
        try:
            scenario = self.build()
        except (ScenarioError, ValueError) as error:
            problems = error.problems if isinstance(error, ScenarioError) else [str(error)]
            self.window_.show_problems("The scenario could not be made", [str(p) for p in problems])
            return
        self.scenario = scenario
        self.window_.show_new_work(scenario)


__all__ = ["ASSUMED", "EXAMPLE", "OWN", "SEEN_KEY", "ReviewRow", "StartWizard", "field_key", "offer_start",
           "review_rows", "should_offer"]
