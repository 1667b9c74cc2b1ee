"""'Try different terms': named variants of the scenario, side by side on the same futures.

A variant is a snapshot of the whole scenario under a name (Scenario.variants, saved in the
file).  The user saves the terms on screen as a variant, changes them, and compares: the
terms on screen and every variant run on the same futures (engine compare_variants) on this
panel's own worker, with progress and cancel; an answer for terms or variants that have
changed since is never shown as current.

The panel never changes the scenario itself: it emits ``change_requested`` with the new
scenario and a description, and the window makes that one undoable step.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..engine.decisions import MAX_DECISION_PATHS, Comparison, compare_variants_steps, variant_options
from ..engine.decisions.compare import CURRENT_TERMS
from ..model.fields import MAX_TEXT
from ..model.scenario import MAX_VARIANTS, Scenario
from ..report.variants import EXPLAINED, HEADER, footnote, variant_rows
from .parts import ProgressRow, job_runner, unique_name, wrapped_label
from .prompts import Prompts
from .state import WindowState
from .whole_table import WholeTable

TRY_TIP = ("Keep the terms on screen as a named variant, then change them on the left and press Compare "
           "variants to see both side by side on the same futures. Variants are saved in the scenario file.")
COMPARE_TIP = ("Simulate the terms on screen and every variant on the same futures: the chance of running "
               "out, the worst month, the working capital needed and the margin, side by side.")
INTRO = ("Try different terms without losing the ones you have: press \u201cTry different terms...\u201d to keep "
         "the terms on screen as a named variant, change them on the left, then compare. Opening a variant "
         "puts its terms on screen (Edit \u203a Undo goes back).")


def _unnamed(s: Scenario) -> tuple[Scenario, ...]:
    return tuple(replace(v, name="") for v in s.variants)


class VariantsPanel(QWidget):
    change_requested = Signal(object, str)  # the new scenario, what the change was (a status line)
    comparison_shown = Signal(object)  # the Comparison now in the table (tests wait on it)

    def __init__(self, parent: QWidget | None = None, state: WindowState | None = None,
                 prompts: Prompts | None = None):
        super().__init__(parent)
        self.setObjectName("variants")
        self.state = state if state is not None else WindowState()
        self.state.subscribe(self.render_state)
        self.prompts = prompts if prompts is not None else Prompts(self)
        # The window takes the form's pending typing first, so a snapshot holds what is on screen.
        self.settle: Callable[[], None] = lambda: None
        self.comparison: Comparison | None = None
        self.comparison_scenario: Scenario | None = None  # what ``comparison`` was computed for
        self._job_scenario: Scenario | None = None
        self._shown: tuple[Scenario | None, Comparison | None] | None = None
        self._filling = False
        self.busy_row = ProgressRow("variants", "Comparing...", "Cancel the comparison")
        self.progress, self.cancel_button = self.busy_row.bar, self.busy_row.cancel
        self.runner = job_runner(self, self.busy_row, finished=self._on_finished, say=self._set_status,
                                 failed="The comparison did not work", cancelled="Comparison cancelled.")

        layout = QVBoxLayout(self)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setObjectName("variants.intro")
        layout.addWidget(intro)

        # Alt keys unlike the form's (Add, Rename, Remove, concurrent Copy) and the menu bar's:
        # a shared one only moves the focus between them.
        buttons = QHBoxLayout()
        self.try_button = self._button("&Try different terms...", "variants.try", TRY_TIP, self.try_different_terms)
        self.compare_button = self._button("Compa&re variants", "variants.compare", COMPARE_TIP, self.run_comparison)
        self.open_button = self._button("&Open this variant", "variants.open",
                                        "Put the chosen variant's terms on screen (Edit \u203a Undo goes back).",
                                        self.open_selected)
        self.rename_button = self._button("Rena&me", "variants.rename", "Change the chosen variant's name.",
                                          self.rename_selected)
        self.remove_button = self._button("Remove", "variants.remove",
                                          "Remove the chosen variant (Edit \u203a Undo brings it back).",
                                          self.remove_selected)
        # Two rows (what to do, then what to do with the chosen variant): one row of five was
        # wider than the tab at 1024 x 768 and made the whole page scroll sideways.
        chosen = QHBoxLayout()
        for b in (self.try_button, self.compare_button):
            buttons.addWidget(b)
        for b in (self.open_button, self.rename_button, self.remove_button):
            chosen.addWidget(b)
        buttons.addStretch(1)
        chosen.addStretch(1)
        layout.addLayout(buttons)
        layout.addLayout(chosen)

        layout.addLayout(self.busy_row)

        self.status = wrapped_label("variants.status")
        layout.addWidget(self.status)

        # Shown whole (its columns share the tab's width, names and figures wrap): seven
        # columns cut at the right on a 1024 or 1366-pixel screen.
        self.table = WholeTable("variants.table", "Variants side by side", columns=len(HEADER))
        self.table.setHorizontalHeaderLabels(list(HEADER))
        for column, title in enumerate(HEADER):
            item = self.table.horizontalHeaderItem(column)
            if item is not None:
                item.setToolTip(EXPLAINED.get(title, "The terms on screen now, or a variant you kept. "
                                                     "Double-click a variant's name to rename it."))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(self._on_double_clicked)
        layout.addWidget(self.table)

        self.note = QLabel("")
        self.note.setObjectName("variants.note")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        layout.addStretch(1)  # the table is as tall as its rows: the room left stays below
        self.render_state(self.state)

    def _button(self, text: str, name: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(text.replace("&", "").rstrip("."))
        button.clicked.connect(slot)
        return button

    # ----- state ------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario | None:
        return self.state.scenario

    @property
    def variants(self) -> tuple[Scenario, ...]:
        return self.scenario.variants if self.scenario is not None else ()

    def comparison_for(self, scenario: Scenario | None) -> Comparison | None:
        """The comparison if it was computed for these terms and the variants kept now
        (labelled with their names now: renaming a variant changes no figure)."""
        current, done, computed = self.scenario, self.comparison, self.comparison_scenario
        if done is None or computed is None or scenario is None or current is None:
            return None
        if computed != scenario or _unnamed(computed) != _unnamed(current):
            return None
        labels = [label for label, _ in variant_options(current)]
        if labels == [o.label for o in done.options]:
            return done
        return replace(done, options=tuple(replace(o, label=label) for o, label in zip(done.options, labels)))

    def render_state(self, state: WindowState) -> None:
        shown = (state.scenario, self.comparison)
        if self._shown is not None and shown[0] is self._shown[0] and shown[1] is self._shown[1]:
            return
        self._shown = shown
        self._fill()

    def _fill(self) -> None:
        """The table: the terms on screen, then each variant; figures when the comparison
        is for exactly these terms and variants."""
        current = self.comparison_for(self.scenario)
        rows = variant_rows(current)[1:] if current is not None else (
            [(CURRENT_TERMS,) + ("",) * (len(HEADER) - 1)]
            + [(v.name,) + ("",) * (len(HEADER) - 1) for v in self.variants])
        keep = self.selected_variant()
        self._filling = True
        try:
            self.table.setRowCount(len(rows))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    item = QTableWidgetItem(cell)
                    flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                    if c == 0 and r > 0:
                        flags |= Qt.ItemFlag.ItemIsEditable  # a variant's name: double-click to rename
                    item.setFlags(flags)
                    if c == 0 and r > 0:
                        item.setToolTip("Double-click to rename this variant.")
                    elif c > 0 and cell:
                        item.setToolTip(EXPLAINED.get(HEADER[c], ""))
                    self.table.setItem(r, c, item)
            if keep is not None and keep < len(self.variants):
                self.table.selectRow(keep + 1)
        finally:
            self._filling = False
        self.table.fit()
        if current is not None:
            self.note.setText(footnote(current))
        elif self.variants:
            self.note.setText("")
            if not self.runner.is_busy():
                self._set_status("Press \u201cCompare variants\u201d to see them side by side on the same futures."
                                 if self.comparison is None else
                                 "The terms or the variants have changed since the last comparison: press "
                                 "\u201cCompare variants\u201d to update it.")
        else:
            self.note.setText("")
            if not self.runner.is_busy():
                self._set_status("No variants yet.")
        self._update_buttons()

    def selected_variant(self) -> int | None:
        """The index of the chosen variant (row 0 is the terms on screen), or None."""
        rows = {i.row() for i in self.table.selectedIndexes()}
        row = min(rows) if rows else 0
        return row - 1 if row >= 1 and row - 1 < len(self.variants) else None

    def _update_buttons(self) -> None:
        chosen = self.selected_variant() is not None
        self.try_button.setEnabled(self.scenario is not None)
        self.compare_button.setEnabled(bool(self.variants))
        for b in (self.open_button, self.rename_button, self.remove_button):
            b.setEnabled(chosen)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)

    # ----- changes (each one undoable step, made by the window) --------------------------
    def _current(self) -> Scenario | None:
        """The terms on screen, valid, after the form's pending typing; else say why not."""
        self.settle()
        if self.scenario is None or self.state.invalid:
            self.prompts.show_info("Some values on the left need correcting first: a variant keeps complete "
                                   "terms only.")
            return None
        return self.scenario

    def _unique(self, name: str, skip: int | None = None) -> str:
        names = {v.name for i, v in enumerate(self.variants) if i != skip} | {CURRENT_TERMS}
        return unique_name(name, names, "{stem} ({n})")

    @staticmethod
    def _name_problem(name: str) -> str:
        if not name:
            return "A variant needs a name."
        if len(name) > MAX_TEXT:
            return f"A variant's name can be at most {MAX_TEXT} characters (this one is {len(name)})."
        return ""

    def try_different_terms(self) -> None:
        """Keep the terms on screen as a named variant."""
        s = self._current()
        if s is None:
            return
        if len(s.variants) >= MAX_VARIANTS:
            self.prompts.show_info(f"A scenario keeps at most {MAX_VARIANTS} variants: remove one first.")
            return
        answer = self.prompts.ask_text("Name these terms, to compare them with the ones you try next:",
                                       f"Variant {len(s.variants) + 1}")
        if answer is None:
            return
        name = answer.strip()
        problem = self._name_problem(name)
        if problem:
            self.prompts.show_warning(problem + " Nothing was kept.")
            return
        name = self._unique(name)
        snapshot = replace(s, name=name, variants=())
        self.change_requested.emit(replace(s, variants=s.variants + (snapshot,)),
                                   f"Kept these terms as \u201c{name}\u201d")
        self._set_status(f"Kept the terms as \u201c{name}\u201d. Now change the terms on the left and press "
                         "\u201cCompare variants\u201d.")

    def open_selected(self) -> None:
        index = self.selected_variant()
        s = self._current()
        if index is None or s is None or index >= len(s.variants):
            return
        variant = s.variants[index]
        # The variant's terms; the scenario keeps its own name, notes, settings and variants.
        opened = replace(variant, name=s.name, notes=s.notes, settings=s.settings, variants=s.variants)
        self.change_requested.emit(opened, f"Opened the variant \u201c{variant.name}\u201d")
        self._set_status(f"The terms of \u201c{variant.name}\u201d are on screen (Edit \u203a Undo goes back).")

    def rename_selected(self) -> None:
        index = self.selected_variant()
        if index is None:
            return
        item = self.table.item(index + 1, 0)
        if item is not None:
            self.table.setCurrentItem(item)
            self.table.editItem(item)

    def _on_double_clicked(self, item: QTableWidgetItem) -> None:
        if item.column() > 0 and item.row() > 0:
            self.table.selectRow(item.row())

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0 or item.row() == 0:
            return
        index, s = item.row() - 1, self.scenario
        if s is None or index >= len(s.variants):
            return
        name = item.text().strip()
        old = s.variants[index].name
        if name == old:
            return
        problem = self._name_problem(name)
        if problem:
            self.prompts.show_warning(problem + f" It is still called \u201c{old}\u201d.")
            self._fill()
            return
        name = self._unique(name, skip=index)
        variants = list(s.variants)
        variants[index] = replace(variants[index], name=name)
        self.change_requested.emit(replace(s, variants=tuple(variants)),
                                   f"Renamed \u201c{old}\u201d to \u201c{name}\u201d")

    def remove_selected(self) -> None:
        index, s = self.selected_variant(), self.scenario
        if index is None or s is None:
            return
        name = s.variants[index].name
        self.change_requested.emit(replace(s, variants=s.variants[:index] + s.variants[index + 1:]),
                                   f"Removed the variant \u201c{name}\u201d (Edit \u203a Undo brings it back)")

    # ----- comparing, off the GUI thread --------------------------------------------------
    def run_comparison(self) -> None:
        s = self._current()
        if s is None or not s.variants:
            return
        paths = min(s.settings.paths, MAX_DECISION_PATHS)
        self._job_scenario = s
        self._set_status(f"Comparing {len(s.variants) + 1} sets of terms on the same {paths:,} futures...")
        self.runner.start(lambda: compare_variants_steps(s, paths=paths))

    def _on_finished(self, comparison: Comparison) -> None:
        job = self._job_scenario
        if job is None:
            return
        self.comparison, self.comparison_scenario = comparison, job
        current = self.comparison_for(self.scenario) is not None
        self._set_status("" if current else "The terms or the variants changed while comparing: press "
                                            "\u201cCompare variants\u201d again.")
        self._shown = None
        self.render_state(self.state)
        if current:
            self.comparison_shown.emit(comparison)

    def shutdown(self) -> None:
        self.runner.shutdown()
