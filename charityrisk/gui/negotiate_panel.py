"""'Two terms at once': the negotiation grid of two levers, run off the GUI thread.

The user picks two terms (share at risk and overdraft, price and guarantee, ...) and asks
for the grid; the engine evaluates it on common futures on a worker (progress and cancel),
and the panel shows the chart, the cheapest safe combinations in a sentence, and what it
is sure of.  A grid for an earlier version of the scenario is labelled as such.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..engine.decisions.common import applies
from ..engine.decisions.negotiate import (
    CONTRACT_LEVERS,
    LEVERS,
    Negotiation,
    item_lever,
    item_levers,
    negotiate_steps,
)
from ..model.fields import default_levers
from ..model.scenario import Contract, Scenario
from ..report import decision_figures
from ..report.negotiate_text import describe_grid, lever_label, negotiation_sentence, precision_sentence
from .charts import ChartCanvas, scrolling
from .parts import ProgressRow, job_runner, wrapped_label
from .state import WindowState

# The pair the grid starts with (the field table's Lever.pair), and for a scenario with no
# contract, the organisation's pair (Lever.pair_alone).
DEFAULT_LEVERS = default_levers(with_contract=True)
ORGANISATION_DEFAULTS = default_levers(with_contract=False)

# The narrowest a decision chart is drawn before it scrolls sideways, in logical pixels: its
# labels wrap and its legend refits to the width, and the report's 4.2 inches would make the
# tab scroll sideways on a 1366 x 768 screen at 150% (about 390 pixels beside the form).
DECISION_CHART_MIN_PX = 340

# An item's lever (a rate-card stage's price, a budget line's pattern scale) is named by the
# item's own name, as the finance lead typed it: "Price of “Job outcome”".
_ITEM_WORDS = {"price": ("Price of", "stage"), "scale": ("Scale of", "budget line")}


def chooser_label(name: str, scenario: Scenario | None, contract: int) -> str:
    """A lever's name in the chooser: the field table's, or for an item's lever the item's
    own name (its place where it has none)."""
    item = item_lever(name) if scenario is not None else None
    if item is None or scenario is None:
        return lever_label(name)
    lst, k, key = item
    if lst == "outcome_payments" and not 0 <= contract < len(scenario.contracts):
        return lever_label(name)
    items = (scenario.contracts[contract].outcome_payments if lst == "outcome_payments"
             else scenario.organisation.budget)
    if k >= len(items):
        return lever_label(name)
    words, place = _ITEM_WORDS[key]
    own = items[k].name.strip()
    return f"{words} “{own}”" if own else f"{words} {place} {k + 1}"


class NegotiatePanel(QWidget):
    shown = Signal(object)  # the Negotiation shown

    def __init__(self, parent: QWidget | None = None, state: WindowState | None = None,
                 contract: Callable[[], int] | None = None):
        """Follows ``state``'s scenario (the window's, whose owner calls ``render_state``; a
        panel on its own keeps and watches its own).  ``contract``: where the panel sits
        beside another contract chooser (the Decisions tab's), which contract it names; the
        panel's own chooser is then never shown, so there is one choice, not two."""
        super().__init__(parent)
        self._contract_of = contract
        self.state = state if state is not None else WindowState()
        if state is None:
            self.state.subscribe(self.render_state)
        self.paths: int | None = None  # None: the engine's choice (at most 5,000 futures)
        self.negotiation: Negotiation | None = None
        self._shown_for: Scenario | None = None
        self._job_scenario: Scenario | None = None
        self._job_contract = 0
        self._followed: Scenario | None = None
        self.busy_row = ProgressRow("negotiate", "Working...")
        self.progress, self.cancel_button = self.busy_row.bar, self.busy_row.cancel
        self.runner = job_runner(self, self.busy_row, finished=self._on_finished, say=self._say)

        layout = QVBoxLayout(self)
        intro = QLabel("Pick two terms to negotiate. The grid shows the chance of running out for each "
                       "combination, on the same simulated futures, and names the cheapest ones within "
                       "the trustees' risk appetite.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        choices = QGridLayout()
        self.first = self._lever_box("negotiate.first", "First term (down the side)")
        self.second = self._lever_box("negotiate.second", "Second term (across)")
        self.contract_choice = QComboBox()
        self.contract_choice.setObjectName("negotiate.contract")
        self.contract_choice.setAccessibleName("Contract whose terms to vary")
        for row, (text, box) in enumerate((("&First term:", self.first), ("&Second term:", self.second),
                                           ("C&ontract:", self.contract_choice))):
            label = QLabel(text)
            label.setBuddy(box)
            choices.addWidget(label, row, 0)
            choices.addWidget(box, row, 1)
        self.contract_label = label  # the last: shown only when there is a contract to choose
        self.contract_choice.currentIndexChanged.connect(lambda _i: self.follow_contract())
        choices.setColumnStretch(1, 1)
        layout.addLayout(choices)

        self.run_button = QPushButton("Show the &grid")
        self.run_button.setObjectName("negotiate.run")
        self.run_button.setToolTip("Works out the chance of running out for each combination of the two terms "
                                   "on the same simulated futures. Takes a second or two.")
        self.run_button.clicked.connect(self.run)
        buttons = self.busy_row
        buttons.insertWidget(0, self.run_button)
        layout.addLayout(buttons)

        self.status = wrapped_label("negotiate.status")
        layout.addWidget(self.status)
        self.sentence = wrapped_label("negotiate.sentence", selectable=True, spoken="Cheapest safe combinations",
                                      scale=1.2)
        layout.addWidget(self.sentence)
        self.precision = wrapped_label("negotiate.precision")
        layout.addWidget(self.precision)
        self.chart = ChartCanvas("Chance of running out with two terms at once",
                                 minimum=(DECISION_CHART_MIN_PX,
                                          round(100 * decision_figures.NEGOTIATION_MIN_HEIGHT_IN)))
        self.chart.setObjectName("negotiate.chart")
        layout.addWidget(scrolling(self.chart), 1)
        self.first.currentIndexChanged.connect(self._check_choice)
        self.second.currentIndexChanged.connect(self._check_choice)
        self._fill_levers(True)

    def _lever_box(self, name: str, spoken: str) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.setAccessibleName(spoken)
        box.setToolTip("A term to negotiate: the grid tries a range of values of it, from the field's "
                       "own rule (for example the share at risk from none to today's).")
        return box

    def _fill_levers(self, with_contract: bool, contract: Contract | None = None,
                     scenario: Scenario | None = None, index: int = -1) -> None:
        # Only the terms the contract's payment mode reads (a rate card has a fee, not a
        # share at risk): a term it ignores would show a grid of one colour.  Then one per
        # item the scenario has: each stage's price of the chosen contract, each budget
        # line's scale where the line has a monthly pattern.
        names = [n for n in LEVERS if n not in CONTRACT_LEVERS
                 or (with_contract and (contract is None or applies(contract, n)))]
        if scenario is not None:
            names += item_levers(scenario, index if with_contract else -1)
        labels = [chooser_label(n, scenario, index) for n in names]
        offered = [(self.first.itemData(i), self.first.itemText(i)) for i in range(self.first.count())]
        if list(zip(names, labels)) == offered:
            return
        defaults = DEFAULT_LEVERS if with_contract else ORGANISATION_DEFAULTS
        chosen: list[str] = []
        for box, default in zip((self.first, self.second), defaults):
            keep = box.currentData()
            # Keep the user's choice where it is still offered, never the same term twice.
            pick = next(n for n in (keep, default, *names) if n in names and n not in chosen)
            chosen.append(pick)
            box.blockSignals(True)
            box.clear()
            for n, label in zip(names, labels):
                box.addItem(label, n)
            box.setCurrentIndex(names.index(pick))
            box.blockSignals(False)
        self._check_choice()

    def levers(self) -> tuple[str, str]:
        return self.first.currentData(), self.second.currentData()

    # ---------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario | None:
        return self.state.scenario

    def set_scenario(self, scenario: Scenario) -> None:
        self.state.update(scenario=scenario)

    def render_state(self, state: WindowState) -> None:
        scenario = state.scenario
        if scenario is None or scenario is self._followed:
            return
        self._followed = scenario
        names = [f"{i + 1}. {c.name}" for i, c in enumerate(scenario.contracts)]
        if names != [self.contract_choice.itemText(i) for i in range(self.contract_choice.count())]:
            keep = self.contract_choice.currentIndex()
            self.contract_choice.clear()
            self.contract_choice.addItems(names)
            self.contract_choice.setCurrentIndex(min(max(keep, 0), len(names) - 1))
        several = len(names) > 1 and self._contract_of is None
        self.contract_choice.setVisible(several)
        self.contract_label.setVisible(several)
        self.follow_contract()
        if self.negotiation is not None and scenario != self._shown_for:
            self.status.setText("The scenario has changed since this grid: press Show the grid to update it.")

    def follow_contract(self) -> None:
        """Offer the terms of the contract now chosen (its stages' prices, if a rate card)."""
        scenario = self._followed
        if scenario is None:
            return
        index = self._contract_of() if self._contract_of is not None else self.contract_choice.currentIndex()
        chosen = scenario.contracts[index] if 0 <= index < len(scenario.contracts) else None
        self._fill_levers(bool(scenario.contracts), chosen, scenario, index if chosen is not None else -1)

    def _check_choice(self) -> None:
        first, second = self.levers()
        same = first is not None and first == second
        self.run_button.setEnabled(not same and first is not None)
        if same:
            self.status.setText("Choose two different terms.")
        elif self.status.text() == "Choose two different terms.":
            self.status.setText("")

    def run(self) -> None:
        scenario = self.scenario
        first, second = self.levers()
        if scenario is None or first is None or first == second:
            return
        contract = self._contract_of() if self._contract_of is not None else self.contract_choice.currentIndex()
        contract = max(contract, 0)
        paths = self.paths
        self._job_scenario = scenario
        self._job_contract = contract
        self.status.setText("Working on the same simulated futures as the results...")
        self.runner.start(lambda: negotiate_steps(scenario, (first, second), contract, paths))

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def _on_finished(self, negotiation: Negotiation) -> None:
        scenario = self._job_scenario
        current = scenario == self.scenario
        self.status.setText("" if current else "This grid is for an earlier version of the scenario.")
        self.show_negotiation(negotiation, scenario, self._job_contract)

    def show_negotiation(self, n: Negotiation, scenario: Scenario | None = None, contract: int = 0) -> None:
        self.negotiation = n
        self._shown_for = scenario
        several = scenario is not None and len(scenario.contracts) > 1
        self.sentence.setText(negotiation_sentence(n, several))
        self.precision.setText(precision_sentence(n))
        # an item's term named on its axis as in the chooser: which stage's price, which line
        names = {axis.input: chooser_label(axis.input, scenario, contract) for axis in (n.rows, n.columns)}
        self.chart.show_chart(lambda ax: decision_figures.draw_negotiation(ax, n, names=names))
        self.chart.setAccessibleDescription(describe_grid(n))
        self.shown.emit(n)

    def shutdown(self) -> None:
        self.runner.shutdown()
