"""'What to negotiate': goal seeks, the tornado and the comparison of payment structures.

Runs on its own worker (they take a second or two) when asked, never on every keystroke;
results for an earlier version of the scenario are labelled as such, never shown as current.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..engine.decisions import analyse_steps, compare_steps, preset_options, programme_options
from ..engine.decisions.compare import risk_guesses_of
from ..model import ScenarioError, load_scenario
from ..model.scenario import Scenario
from ..report import decision_figures
from ..report.decision_text import advice, comparison_rows, goal_sentence, risk_guesses_sentence
from ..report.text import MONEY_NEEDS_HEADER, money_need_sentence, money_needs_rows
from .charts import ChartCanvas, scrolling
from .focus_ring import add_focus_ring
from .negotiate_panel import DECISION_CHART_MIN_PX, NegotiatePanel
from .parts import ProgressRow, job_runner, wrapped_label
from .prompts import Prompts
from .state import Answer, WindowState
from .whole_table import WholeTable

RATE_CARD_TIP = ("This contract is a rate card: the structures compared here are shares of one price "
                "paid on results, which a rate card does not have. Use Scenario › Try different terms to "
                "compare rate cards, or choose a contract paid by a share of a price.")


class DecisionsPanel(QWidget):
    analysis_shown = Signal(object)
    comparison_shown = Signal(object)

    def __init__(self, parent: QWidget | None = None, state: WindowState | None = None,
                 prompts: Prompts | None = None):
        """Renders from ``state`` (the window's, which calls ``render_state``; a panel on its own
        keeps and watches its own) and writes the answers it computes into it."""
        super().__init__(parent)
        self.state = state if state is not None else WindowState()
        if state is None:
            self.state.subscribe(self.render_state)
        self.prompts = prompts if prompts is not None else Prompts(self)
        self._rendered_scenario: Scenario | None = None
        self._rendered: dict[str, Answer | None] = {"analysis": None, "comparison": None}
        self._job_scenario: Scenario | None = None
        self._job_kind = ""
        self.busy_row = ProgressRow("decisions", "Searching...")
        self.progress, self.cancel_button = self.busy_row.bar, self.busy_row.cancel
        self.runner = job_runner(self, self.busy_row, finished=self._on_finished, say=self._set_status)

        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        self.contract_choice = QComboBox()
        self.contract_choice.setObjectName("decisions.contract")
        self.contract_choice.setAccessibleName("Contract to negotiate")
        self.contract_choice.setToolTip("The contract whose terms the goal seeks and comparison change.")
        self.contract_choice.currentIndexChanged.connect(  # a rate card has no structures to compare
            lambda _i: self._follow(self._rendered_scenario, False) if self._rendered_scenario is not None else None)
        self.safe_button = QPushButton("Find what would make it safe")
        self.safe_button.setObjectName("decisions.analyse")
        self.safe_button.setToolTip("Searches, on the same simulated futures, for the terms at which the chance "
                                    "of running out stays within the trustees' risk appetite, and ranks what "
                                    "drives the risk. Takes a few seconds.")
        self.compare_button = QPushButton("Compare payment terms")
        self.compare_button.setObjectName("decisions.compare")
        self.compare_button.setToolTip("Runs your contract under each payment structure in the Clinks response "
                                       "(fee for service, Doncaster clawback, 20% ceiling, heavy PbR) "
                                       "on the same futures.")
        self.programmes_button = QPushButton("Compare with real programmes")
        self.programmes_button.setObjectName("decisions.programmes")
        self.programmes_button.setToolTip("Runs your contract under the terms of real programmes (HMP Peterborough, "
                                          "HMP Doncaster, the Work Programme, the Fair Chance Fund, Transforming "
                                          "Rehabilitation) on the "
                                          "same futures. Each preset file's notes say where its figures come from "
                                          "and what the model leaves out.")
        # The presets carry guesses of their own (heavy PbR: a 33% chance of no referrals);
        # comparing payment terms keeps the user's unless this is ticked (issue 13).
        self.preset_guesses = QCheckBox("Use the presets' own risk guesses, not mine")
        self.preset_guesses.setObjectName("decisions.preset_guesses")
        self.preset_guesses.setAccessibleName("Use the presets' own risk guesses instead of mine")
        self.preset_guesses.setToolTip("Left unticked, comparing payment terms or real programmes changes only "
                                       "the payment terms: your referrals, success rates, late payment and "
                                       "chance of no referrals stay as you entered them. Tick to use each "
                                       "preset's or programme's own guesses of those instead.")
        controls.addWidget(QLabel("Contract:"))
        controls.addWidget(self.contract_choice, 1)
        self.compare_files_button = QPushButton("Compare with my files...")
        self.compare_files_button.setObjectName("decisions.compare_files")
        self.compare_files_button.setToolTip("Pick your own variants (scenario files you saved) to compare with "
                                             "this one on the same futures.")
        self.compare_files_button.clicked.connect(self.choose_comparison_files)
        # Two buttons a row: four in one row made the tab wider than its pane on a 1024-pixel
        # projector (and in the default 1366 x 768 window), clipping its right side.
        buttons = QGridLayout()
        for i, button in enumerate((self.safe_button, self.compare_button, self.programmes_button,
                                    self.compare_files_button)):
            buttons.addWidget(button, i // 2, i % 2)
        buttons.setColumnStretch(2, 1)
        layout.addLayout(controls)
        layout.addLayout(buttons)
        # On its own row, so the window still fits 1024 pixels; left-aligned, so a click beside
        # its words does not tick it.
        layout.addWidget(self.preset_guesses, 0, Qt.AlignmentFlag.AlignLeft)
        self.safe_button.clicked.connect(self.run_analysis)
        self.compare_button.clicked.connect(self.run_comparison)
        self.programmes_button.clicked.connect(self.run_programme_comparison)

        layout.addLayout(self.busy_row)

        self.status = QLabel("Press a button above to see what would make this contract safe.")
        self.status.setObjectName("decisions.status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.advice = wrapped_label("decisions.advice", selectable=True, spoken="What would make it safe",
                                    scale=1.2)
        layout.addWidget(self.advice)
        # What the organisation needs anyway and what the contract adds or takes off (the
        # board pack's page 1 has the same table).
        self.needs = WholeTable("decisions.needs", "Overdraft and reserves needed anyway, and with the contract")
        self.needs.hide()
        layout.addWidget(self.needs)

        self.views = QTabWidget()
        self.views.setObjectName("decisions.views")
        add_focus_ring(self.views.tabBar())  # the style draws none on a tab bar
        # Below a decision chart's readable minimum scroll, never squash.
        width = DECISION_CHART_MIN_PX
        self.tornado = ChartCanvas("Tornado chart: what drives the risk",
                                   minimum=(width, round(100 * decision_figures.TORNADO_MIN_HEIGHT_IN)))
        self.curves = ChartCanvas("Chance of running out under each payment structure",
                                  minimum=(width, round(100 * decision_figures.COMPARISON_MIN_HEIGHT_IN)))
        self.table = WholeTable("decisions.table", "Payment structures compared")
        compare_box = QWidget()
        compare_layout = QVBoxLayout(compare_box)
        compare_layout.setContentsMargins(0, 0, 0, 0)
        self.compare_note = QLabel("")
        self.compare_note.setObjectName("decisions.compare_note")
        self.compare_note.setWordWrap(True)
        self.compare_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.compare_note.hide()
        compare_layout.addWidget(self.compare_note)
        compare_layout.addWidget(self.table)
        compare_layout.addWidget(self.curves, 1)
        compare_layout.setStretch(1, 1)
        compare_layout.setStretch(2, 2)
        self.views.addTab(scrolling(self.tornado), "What drives the risk")
        self.views.addTab(compare_box, "Payment structures compared")
        self.negotiate = NegotiatePanel(state=self.state, contract=self.contract_choice.currentIndex)
        self.views.addTab(self.negotiate, "Two terms at once")
        # another contract has other stages to price
        self.contract_choice.currentIndexChanged.connect(lambda _i: self.negotiate.follow_contract())
        layout.addWidget(self.views, 1)

    # --------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario | None:
        return self.state.scenario

    @property
    def analysis(self):
        return self.state.analysis.value if self.state.analysis is not None else None

    @property
    def analysis_scenario(self) -> Scenario | None:
        """What ``analysis`` was computed for."""
        return self.state.analysis.scenario if self.state.analysis is not None else None

    @property
    def comparison(self):
        return self.state.comparison.value if self.state.comparison is not None else None

    def set_scenario(self, scenario: Scenario) -> None:
        """The current valid scenario (through the state, which asks for a render)."""
        self.state.update(scenario=scenario)

    def render_state(self, state: WindowState) -> None:
        """Follow the state's scenario (earlier answers are then marked out of date) and show
        answers not shown yet."""
        if state.scenario is not None and state.scenario is not self._rendered_scenario:
            changed = state.scenario != self._rendered_scenario
            self._rendered_scenario = state.scenario
            self._follow(state.scenario, changed)
        for kind, show in (("analysis", self._show_analysis), ("comparison", self._show_comparison)):
            answer = getattr(state, kind)
            if answer is not self._rendered[kind]:
                self._rendered[kind] = answer
                if answer is not None:
                    show(answer.value)
        self.negotiate.render_state(state)

    def _follow(self, scenario: Scenario, changed: bool) -> None:
        names = [f"{i + 1}. {c.name}" for i, c in enumerate(scenario.contracts)]
        if names != [self.contract_choice.itemText(i) for i in range(self.contract_choice.count())]:
            keep = self.contract_choice.currentIndex()
            self.contract_choice.blockSignals(True)  # refilled here: not a choice to follow
            self.contract_choice.clear()
            self.contract_choice.addItems(names)
            self.contract_choice.setCurrentIndex(min(max(keep, 0), len(names) - 1))
            self.contract_choice.blockSignals(False)
        has_contract = bool(scenario.contracts)
        index = max(self.contract_choice.currentIndex(), 0)
        # The payment structures compared are shares of a price; a rate card has no price to
        # share, so putting them on it would compare nothing the prime could offer.
        card = has_contract and scenario.contracts[min(index, len(scenario.contracts) - 1)].payment_mode == "rate_card"
        self.safe_button.setEnabled(has_contract)
        self.compare_button.setEnabled(has_contract and not card)
        self.programmes_button.setEnabled(has_contract and not card)
        for button in (self.compare_button, self.programmes_button):
            tip = button.property("usual_tip") or button.toolTip()
            button.setProperty("usual_tip", tip)
            button.setToolTip(RATE_CARD_TIP if card else tip)
        self.compare_files_button.setEnabled(has_contract)
        if changed and (self.analysis is not None or self.comparison is not None):
            self._set_status("The scenario has changed since these answers: press a button to update them.")

    def run_analysis(self) -> None:
        self._start("analysis", lambda s, k: analyse_steps(s, contract=k))

    def run_comparison(self) -> None:
        theirs = self.preset_guesses.isChecked()  # as it was when clicked
        self._start("comparison", lambda s, k: compare_steps(preset_options(s, k, theirs),
                                                             risk_guesses=risk_guesses_of(theirs)))

    def run_programme_comparison(self) -> None:
        theirs = self.preset_guesses.isChecked()
        self._start("comparison", lambda s, k: compare_steps(programme_options(s, k, theirs),
                                                             risk_guesses=risk_guesses_of(theirs)))

    def choose_comparison_files(self) -> None:
        paths = self.prompts.ask_open_paths("Scenarios to compare with this one", "")
        if paths:
            self.run_file_comparison(paths)

    def run_file_comparison(self, paths: list[Path]) -> None:
        """Compare the current scenario with the user's own saved variants."""
        options, problems = [], []
        for path in paths:
            try:
                options.append((path.stem, load_scenario(path)))
            except ScenarioError as error:
                problems.append(f"{path.name}: {error.problems[0]}")
        if problems:
            self.prompts.show_warning("Some files could not be compared:\n" + "\n".join(problems))
        if options:
            self._start("comparison", lambda s, k: compare_steps([("This scenario", s)] + options))

    def _start(self, kind: str, make) -> None:
        scenario, contract = self.scenario, max(self.contract_choice.currentIndex(), 0)
        if scenario is None or not scenario.contracts:
            return
        self._job_scenario, self._job_kind = scenario, kind
        self._set_status("Working on the same simulated futures as the results...")
        self.runner.start(lambda: make(scenario, contract))

    def _set_status(self, text: str) -> None:
        self.status.setText(text)

    def _on_finished(self, value) -> None:
        current = self._job_scenario == self.scenario
        self._set_status("" if current else "These answers are for an earlier version of the scenario.")
        if self._job_scenario is not None:
            self.state.set_answer(self._job_kind, self._job_scenario, value)

    def _show_analysis(self, analysis) -> None:
        lines = [advice(analysis.solutions)] + [f"• {goal_sentence(g)}" for g in analysis.solutions.goals]
        needs = tuple(getattr(analysis, "needs", ()) or ())
        shown_for = self.analysis_scenario or self.scenario
        contracts = len(shown_for.contracts) if shown_for is not None else 1
        lines += [f"• {money_need_sentence(n, contracts)}" for n in needs]
        self.advice.setText("\n".join(lines))
        rows = money_needs_rows(needs, contracts)
        self.needs.set_rows(list(MONEY_NEEDS_HEADER), [list(row) for row in rows])
        self.needs.setVisible(bool(rows))
        self.tornado.show_chart(lambda ax: decision_figures.draw_tornado(ax, analysis.sensitivity))
        self.views.setCurrentIndex(0)
        self.analysis_shown.emit(analysis)

    def _show_comparison(self, comparison) -> None:
        rows = comparison_rows(comparison)
        self.table.set_rows(list(rows[0]), [list(row) for row in rows[1:]])
        note = risk_guesses_sentence(comparison)
        self.compare_note.setText(note)
        self.compare_note.setVisible(bool(note))
        # tall enough for every name whole in the legend: the tab scrolls rather than squash it
        self.curves.setMinimumHeight(round(100 * decision_figures.comparison_height_in(comparison)))
        self.curves.show_chart(lambda ax: decision_figures.draw_comparison_curves(ax, comparison))
        self.views.setCurrentIndex(1)
        self.comparison_shown.emit(comparison)

    def shutdown(self) -> None:
        self.runner.shutdown()
        self.negotiate.shutdown()
