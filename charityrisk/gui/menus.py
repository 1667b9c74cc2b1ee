"""The window's menu bar: which action each menu holds, its shortcut and its name (tests and
the keyboard find actions by name).  The actions are the window's; this only lists them."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from .. import APP_NAME
from .help_dialog import show_help
from .start import offer_start

Keys = QKeySequence.StandardKey


def add_action(window: QMainWindow, menu: QMenu, text: str, slot: Callable[..., Any],
               shortcut: Keys | QKeySequence | None = None, name: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.setObjectName(name)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def build_menus(w: Any) -> QMenu:
    """File, Edit, Simulation, Scenario and Help on ``w`` (the MainWindow); returns the
    Open Recent menu, which ``fill_recent`` refills."""
    bar, act = w.menuBar(), partial(add_action, w)
    file_menu = bar.addMenu("&File")
    act(file_menu, "&New", w.new_scenario, Keys.New, "new")
    act(file_menu, "&Open...", w.open_dialog, Keys.Open, "open")
    recent = file_menu.addMenu("Open &Recent")
    file_menu.addSeparator()
    act(file_menu, "&Save", w.save, Keys.Save, "save")
    act(file_menu, "Save &As...", w.save_as, Keys.SaveAs, "save_as")
    file_menu.addSeparator()
    act(file_menu, "&Import cash-flow forecast...", w.import_forecast, None, "import_forecast")
    act(file_menu, "&Export report (PDF)...", w.export_report, QKeySequence("Ctrl+E"), "export_report")
    act(file_menu, "Export &figures (CSV for Excel)...", w.export_csv, None, "export_csv")
    file_menu.addSeparator()
    act(file_menu, "&Quit", w.close, Keys.Quit, "quit")

    edit_menu = bar.addMenu("&Edit")
    undo = w.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcut(Keys.Undo)
    redo = w.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcut(Keys.Redo)
    edit_menu.addAction(undo)
    edit_menu.addAction(redo)

    sim_menu = bar.addMenu("&Simulation")
    act(sim_menu, "&Run again", w.run_simulation, QKeySequence("F5"), "run")
    act(sim_menu, "&Cancel", w.runner.cancel, QKeySequence("Esc"), "cancel_run")

    scenario_menu = bar.addMenu("Scenar&io")
    act(scenario_menu, "&Try different terms...", w.try_different_terms, None, "try_terms")
    act(scenario_menu, "&Compare variants", w.compare_variants, None, "compare_variants")

    help_menu = bar.addMenu("&Help")
    act(help_menu, "&How to read the results", partial(show_reading_help, w), Keys.HelpContents, "help_reading")
    act(help_menu, "&Start again...", partial(start_again, w), None, "start_again")
    help_menu.addSeparator()
    act(help_menu, f"&About {APP_NAME}", w.show_about, None, "about")
    return recent


def fill_recent(menu: QMenu, files: list[str], open_file: Callable[[str], Any]) -> None:
    menu.clear()
    for name in files:
        menu.addAction(name, partial(open_file, name))
    menu.setEnabled(bool(files))


def show_reading_help(w: Any) -> None:
    """Help > How to read the results (kept as ``w.help_dialog``)."""
    w.help_dialog = show_help(w)


def start_again(w: Any) -> None:
    """Help > Start again: the first-start choice, asked again."""
    offer_start(w)
