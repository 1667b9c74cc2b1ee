"""'Try different terms' in the window (issue 13): keep the terms as a named variant, change
them, compare side by side on the same futures; a concurrent copy is a separate action."""
from __future__ import annotations

from dataclasses import replace

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPushButton

from charityrisk.engine.decisions import MAX_DECISION_PATHS, compare_variants
from charityrisk.engine.decisions.compare import CURRENT_TERMS
from charityrisk.gui.variants_panel import VariantsPanel
from charityrisk.model import load_scenario
from charityrisk.report.variants import HEADER, variant_rows


def type_into(qtbot, widget, text):
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)


def set_share(qtbot, window, percent):
    """Type a share at risk and wait until the window has taken it and shown its results."""
    type_into(qtbot, share_field(window), str(percent))
    qtbot.waitUntil(lambda: window.scenario.contracts[0].share_at_risk == pytest.approx(percent / 100),
                    timeout=10_000)
    qtbot.waitUntil(lambda: window.state.results is not None
                    and window.state.results.scenario == window.scenario, timeout=30_000)


def share_field(window):
    return window.form.findChild(QAbstractSpinBox, "contract.share_at_risk")


def table_rows(panel):
    t = panel.table
    return [tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())]


def keep_terms(qtbot, window, prompts, name):
    window.show_variants()
    prompts.script("ask_text", name)
    qtbot.mouseClick(window.variants_panel.try_button, Qt.MouseButton.LeftButton)


def test_keep_terms_change_one_and_compare_on_the_same_futures(qtbot, window, example, prompts):
    panel = window.variants_panel
    keep_terms(qtbot, window, prompts, "As offered")
    assert "Name these terms" in prompts.questions("ask_text")[0]
    assert [v.name for v in window.scenario.variants] == ["As offered"]
    assert window.isWindowModified()
    assert [row[0] for row in table_rows(panel)] == [CURRENT_TERMS, "As offered"]

    set_share(qtbot, window, 10)
    assert window.scenario.contracts[0].share_at_risk == pytest.approx(0.10)
    assert window.scenario.variants[0].contracts[0].share_at_risk == example.contracts[0].share_at_risk

    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000):
        qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
    expected = compare_variants(window.scenario, min(example.settings.paths, MAX_DECISION_PATHS),
                                example.settings.seed)
    assert table_rows(panel) == [tuple(row) for row in variant_rows(expected)[1:]]
    assert [panel.table.horizontalHeaderItem(c).text() for c in range(len(HEADER))] == list(HEADER)
    # Less at risk is safer on the same futures.
    assert expected.options[0].p_run_out < expected.options[1].p_run_out
    assert panel.table.horizontalHeaderItem(3).toolTip().startswith("The month in which most")

    # Renaming a variant changes no figure: they stay, under the new name.
    panel.table.selectRow(1)
    qtbot.mouseClick(panel.rename_button, Qt.MouseButton.LeftButton)
    editor = panel.table.findChild(QLineEdit)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "The prime's offer")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table_rows(panel)[1][0] == "The prime's offer", timeout=5_000)
    assert table_rows(panel)[1][1:] == tuple(variant_rows(expected)[2][1:])

    # A change of terms makes the figures out of date: they are not shown as current.
    set_share(qtbot, window, 20)
    assert all(cell == "" for row in table_rows(panel) for cell in row[1:])
    assert "changed since" in panel.status.text()


def test_rename_by_typing_and_remove_with_undo(qtbot, window, prompts):
    panel = window.variants_panel
    keep_terms(qtbot, window, prompts, "First try")
    panel.table.selectRow(1)
    qtbot.mouseClick(panel.rename_button, Qt.MouseButton.LeftButton)
    editor = panel.table.findChild(QLineEdit)  # the name cell's editor, open for typing
    assert editor is not None and editor.isVisible()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Prime's offer")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [v.name for v in window.scenario.variants] == ["Prime's offer"], timeout=5_000)
    assert panel.table.item(1, 0).text() == "Prime's offer"

    panel.table.selectRow(1)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert window.scenario.variants == ()
    window.undo_stack.undo()
    assert [v.name for v in window.scenario.variants] == ["Prime's offer"]
    window.undo_stack.undo()
    assert [v.name for v in window.scenario.variants] == ["First try"]


def test_an_empty_name_keeps_nothing_and_says_why(qtbot, window, prompts):
    keep_terms(qtbot, window, prompts, "   ")
    assert window.scenario.variants == ()
    assert "needs a name" in prompts.messages("show_warning")[0]
    prompts.script("ask_text", None)  # Cancel
    qtbot.mouseClick(window.variants_panel.try_button, Qt.MouseButton.LeftButton)
    assert window.scenario.variants == ()


def test_open_a_variant_puts_its_terms_on_screen_and_undo_goes_back(qtbot, window, example, prompts):
    panel = window.variants_panel
    keep_terms(qtbot, window, prompts, "As offered")
    set_share(qtbot, window, 10)
    panel.table.selectRow(1)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    s = window.scenario
    assert s.contracts[0].share_at_risk == example.contracts[0].share_at_risk
    assert s.name == example.name  # the scenario keeps its own name, not the variant's
    assert [v.name for v in s.variants] == ["As offered"]
    assert share_field(window).value() == pytest.approx(100 * example.contracts[0].share_at_risk)
    window.undo_stack.undo()
    assert window.scenario.contracts[0].share_at_risk == pytest.approx(0.10)


def test_a_value_to_fix_keeps_no_variant(qtbot, window, prompts):
    low = window.form.findChild(QAbstractSpinBox, "contract.success_rate.low")
    type_into(qtbot, low, "99")
    qtbot.mouseClick(window.variants_panel.try_button, Qt.MouseButton.LeftButton)
    assert "need correcting" in prompts.messages("show_info")[0]
    assert prompts.questions("ask_text") == []


def test_menu_saves_and_the_file_keeps_the_variants(qtbot, window, prompts, tmp_path):
    prompts.script("ask_text", "Kept from the menu")
    window.findChild(QAction, "try_terms").trigger()
    assert window.tabs.currentWidget().widget() is window.variants_panel
    path = tmp_path / "bid.json"
    assert window.save_to(path)
    assert [v.name for v in load_scenario(path).variants] == ["Kept from the menu"]


def test_the_exported_report_and_csv_hold_the_table(qtbot, window, prompts, tmp_path):
    panel = window.variants_panel
    keep_terms(qtbot, window, prompts, "As offered")
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000):
        window.findChild(QAction, "compare_variants").trigger()
    prompts.script("ask_save_path", tmp_path / "pack.pdf", tmp_path / "figures.csv")
    with qtbot.waitSignal(window.exported, timeout=60_000):
        window.export_report()
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(tmp_path / "pack.pdf").pages)
    assert "Your variants, on the same futures" in text and "As offered" in text
    with qtbot.waitSignal(window.exported, timeout=60_000):
        window.export_csv()
    assert "Variants side by side" in (tmp_path / "figures.csv").read_text(encoding="utf-8-sig")


def test_cancel_stops_the_comparison(qtbot, example, prompts):
    panel = VariantsPanel(prompts=prompts)
    qtbot.addWidget(panel)
    big = replace(example, settings=replace(example.settings, paths=100_000))
    panel.state.update(scenario=replace(big, variants=(replace(big, name="same"),)))
    panel.show()
    with qtbot.waitSignal(panel.runner.cancelled, timeout=60_000):
        qtbot.mouseClick(panel.compare_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(panel.cancel_button.isVisible, timeout=10_000)
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.comparison is None
    assert "cancelled" in panel.status.text()
    panel.shutdown()


def test_a_concurrent_copy_is_named_and_explained_as_such(qtbot, window):
    button = window.form.findChild(QPushButton, "contract.duplicate")
    assert "Duplicate" not in button.text() and "concurrent" in button.text().lower()
    assert "same time" in button.toolTip() and "Try different terms" in button.toolTip()
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(window.scenario.contracts) == 2
    hint = window.form.preset_hint
    assert hint.isVisible() and "running at the same time" in hint.text()
