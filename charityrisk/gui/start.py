"""The first start: "Start my own scenario" (a short guided setup) or "Look at the example".

Asked once (remembered in the window's QSettings) and again from Help > Start again.  The
guided setup asks only what decides the answer, in the order a finance lead knows it: the
organisation's name and free reserves, its monthly income and costs (or a cash-flow forecast
to import), then the contract's main terms.  Everything else starts neutral (nothing paid
late, no chance of no referrals) and can be changed in the form afterwards.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..model import Scenario, ScenarioError, scenario_from_dict
from ..model.calendar import parse_first_month
from ..model.fields import spec_of
from ..model.fileformat import FORMAT_NAME, FORMAT_VERSION
from ..model.forecast import ForecastImport, apply_forecast
from .fields import (
    ERROR_COLOUR,
    MoneySpin,
    count_spin,
    money_spin,
    months_spin,
    percent_spin,
    read_first_month,
)

SEEN_KEY = "start/seen"  # QSettings: the first-start choice has been offered
OWN, EXAMPLE = "own", "example"
QUESTION = ("Welcome to CharityRisk. It shows how likely a payment-by-results contract is to leave "
            "your charity short of cash, month by month.\n\nStart with your own organisation and "
            "contract (a few questions), or look around a made-up example first?")
CHOICES = [(OWN, "Start my own scenario"), (EXAMPLE, "Look at the example")]


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


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class _Page(QWizardPage):
    """A page whose money boxes must hold a readable amount before Next."""

    def __init__(self, title: str, intro: str):
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(intro)
        outer = QVBoxLayout(self)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        self.error = QLabel()
        self.error.setObjectName("start.error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.hide()
        outer.addWidget(self.error)
        outer.addStretch(1)
        self.money: dict[str, MoneySpin] = {}
        self.checks: list[Callable[[], str | None]] = []  # other answers' problems, or None

    def add(self, name: str, caption: str, widget: QWidget, tip: str = "") -> QWidget:
        widget.setObjectName(name)
        widget.setAccessibleName(caption)
        widget.setToolTip(tip)
        label = _caption(caption)
        label.setBuddy(widget)
        self.form.addRow(label, widget)
        if isinstance(widget, MoneySpin):
            self.money[name] = widget
            widget.set_blank()
        return widget

    def validatePage(self) -> bool:
        problems = []
        for spin in self.money.values():
            if not spin.isEnabled():
                continue
            reason = spin.refusal()
            if reason is not None:
                problems.append(f"{spin.accessibleName()}: {reason}")
        problems += [p for p in (check() for check in self.checks) if p]
        self.error.setText("\n".join(problems))
        self.error.setVisible(bool(problems))
        refused = [s for s in self.money.values() if s.isEnabled() and s.refusal()]
        if refused:
            refused[0].setFocus()
        return not problems

    def amount(self, name: str) -> float:
        return self.money[name].value()


class StartWizard(QWizard):
    """Three pages; Finish shows the new scenario in the window, unsaved."""

    def __init__(self, window: Host):
        super().__init__(window if isinstance(window, QWidget) else None)
        self.setObjectName("start_wizard")
        self.setWindowTitle("Start my own scenario")
        self.window_ = window
        self.forecast: ForecastImport | None = None
        self.scenario: Scenario | None = None  # what Finish built
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)

        self.org = _Page("Your organisation", "Its name, and the free cash it has today.")
        self.org_name = QLineEdit()
        self.org.add("start.organisation", "Organisation's name", self.org_name,
                     "It names the scenario, the window and the report.")
        self.org_name.setPlaceholderText("e.g. Riverside Mentoring")
        self.org.add("start.opening_reserves", "Free reserves today", money_spin(-1e10, 1e10),
                     "Unrestricted cash you could spend at the start of next month. "
                     "Type it as 65000, 65,000 or 65k.")
        self.first_month = QLineEdit()
        self.first_month.setPlaceholderText("e.g. Apr 2027 (optional)")
        self.org.add("start.first_month", "First month to look at", self.first_month,
                     spec_of("", "first_month").tip)
        self.org.checks.append(self._first_month_problem)

        self.budget = _Page("Your budget", "Your monthly income and costs outside this contract, "
                                           "or import your cash-flow forecast instead.")
        self.budget.add("start.monthly_other_income", "Other income a month", money_spin(),
                        "Grants, donations and other work, in a typical month.")
        self.budget.add("start.monthly_core_costs", "Core costs a month", money_spin(),
                        "Staff, rent and running costs that are not paid by this contract.")
        self.import_button = QPushButton("&Import a cash-flow forecast...")
        self.import_button.setObjectName("start.import")
        self.import_button.setToolTip("Read your monthly forecast from Excel or CSV instead of typing the figures.")
        self.import_button.clicked.connect(self.import_forecast)
        self.imported = QLabel()
        self.imported.setObjectName("start.imported")
        self.imported.setWordWrap(True)
        self.budget.form.addRow(self.import_button)
        self.budget.form.addRow(self.imported)

        self.contract = _Page("The contract", "Its main terms; the rest can be changed in the form.")
        self.contract_name = QLineEdit("The contract")
        self.contract.add("start.contract_name", "Contract's name", self.contract_name)
        self.contract.add("start.price_per_referral", "Price per referral", money_spin(),
                          "What the contract pays for each person referred, in full.")
        self.referrals = count_spin()
        self.referrals.setValue(5)
        self.contract.add("start.referrals", "Referrals a month (most likely)", self.referrals)
        self.share = percent_spin()
        self.share.setValue(20)
        self.contract.add("start.share_at_risk", "Share of the price paid on results", self.share)
        self.lag = months_spin()
        self.lag.setValue(12)
        self.contract.add("start.outcome_lag_months", "Wait for results payments", self.lag,
                          "Months from a referral until its results are paid for.")
        self.contract.add("start.cost_per_referral", "Your cost per referral", money_spin(),
                          "What working with one referral costs you.")
        self.duration = months_spin(1, 120)
        self.duration.setValue(24)
        self.contract.add("start.duration_months", "Runs for", self.duration)

        for page in (self.org, self.budget, self.contract):
            self.addPage(page)
        self.accepted.connect(self.finish)

    def _first_month(self) -> str | None:
        text = self.first_month.text().strip()
        return read_first_month(text) if text else None

    def _first_month_problem(self) -> str | None:
        text = self.first_month.text().strip()
        read = self._first_month()
        if text and (read is None or parse_first_month(read) is None):
            return f"First month to look at: “{text}” is not a month; type it as Apr 2027, or leave it empty."
        return None

    def import_forecast(self) -> None:
        from .import_dialog import preview_forecast

        path = self.window_.prompts.ask_open_path("Import a cash-flow forecast", self.window_.folder(),
                                                  "Forecasts (*.xlsx *.csv);;All files (*)")
        if path is None:
            return
        forecast = preview_forecast(self, path)
        if forecast is not None:
            self.use_forecast(forecast, path.name)

    def use_forecast(self, forecast: ForecastImport, name: str) -> None:
        """Take the budget from a forecast: the typed income and costs are not needed."""
        self.forecast = forecast
        for spin in self.budget.money.values():
            spin.setEnabled(False)
        self.imported.setText(f"Imported {len(forecast.lines)} budget lines from {name}; "
                              "they replace the income and costs above.")

    def scenario_data(self) -> dict[str, Any]:
        """The scenario file dict of the answers."""
        from .form import NEW_CONTRACT

        org_name = self.org_name.text().strip()
        income = 0.0 if self.forecast else self.budget.amount("start.monthly_other_income")
        costs = 0.0 if self.forecast else self.budget.amount("start.monthly_core_costs")
        likely = self.referrals.value()
        contract = copy.deepcopy(NEW_CONTRACT)
        contract.update({
            "name": self.contract_name.text().strip() or "The contract",
            "duration_months": self.duration.value(),
            "referrals_per_month": likely,
            "price_per_referral": self.contract.amount("start.price_per_referral"),
            "share_at_risk": self.share.value() / 100,
            "outcome_lag_months": self.lag.value(),
            "cost_per_referral": self.contract.amount("start.cost_per_referral"),
            "fixed_monthly_cost": 0,
        })
        first = self._first_month()
        # Written as the current version, as every other path writes (read without a version,
        # the file would be taken for version 1 and its newer keys warned about).
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION,
                **({"first_month": first} if first else {}),
                "name": org_name, "horizon_months": 36,
                "organisation": {"opening_reserves": self.org.amount("start.opening_reserves"),
                                 "monthly_other_income": income, "monthly_core_costs": costs},
                "contracts": [contract]}

    def finish(self) -> None:
        try:
            scenario = scenario_from_dict(self.scenario_data())
        except ScenarioError as error:
            self.window_.show_problems("The scenario could not be made", [str(p) for p in error.problems])
            return
        if self.forecast is not None:
            scenario = apply_forecast(scenario, self.forecast)
        self.scenario = scenario
        self.window_.show_new_work(scenario)


__all__ = ["EXAMPLE", "OWN", "SEEN_KEY", "StartWizard", "offer_start", "should_offer"]
