"""The window on small and scaled screens (issue 13): at 1024 x 768, 1366 x 768 and at 150%
scaling every part is usable: the window fits, the headline and key figures are on screen,
no chart collapses (the charts scroll instead) and Qt raises no layout warning.

Each case grabs a screenshot (offscreen); set CHARITYRISK_SCREENSHOTS to a folder to keep
them and look at them.  Scaling is a process-wide setting, so the 150% cases run in a child
process with QT_SCALE_FACTOR=1.5.
"""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from charityrisk.gui.main import MIN_SIZE, window_size

TASKBAR = 40  # what a desktop keeps for itself: the available height is less than the screen's
MIN_AXES_PX = 60  # a chart narrower or shorter than this has collapsed

CHECK = textwrap.dedent('''
    import json, os, sys
    from pathlib import Path
    from dataclasses import replace
    from PySide6.QtCore import QSettings, QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea

    messages = []
    OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"  # the plugin, not the app
    qInstallMessageHandler(lambda kind, context, text: messages.append(text)
                           if kind != QtMsgType.QtDebugMsg and text != OFFSCREEN_NOISE else None)
    import warnings
    warnings.simplefilter("always")
    # A warning inside a Qt callback (a chart drawn when idle) is printed, not raised: record it.
    warnings.showwarning = lambda message, *rest, **kw: messages.append(str(message))
    app = QApplication.instance() or QApplication([])
    from charityrisk.gui.main import fit_to_screen
    from charityrisk.gui.window import MainWindow
    from charityrisk.model import load_scenario
    from charityrisk.resources import example_scenario_path
    from fake_prompts import FakePrompts

    width, height, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    settings = QSettings(str(Path(out).with_suffix(".ini")), QSettings.Format.IniFormat)
    w = MainWindow(settings, prompts=FakePrompts())
    screen = app.primaryScreen()
    # The window as fit_to_screen sizes it on a screen with this much free room (logical px).
    from charityrisk.gui.main import window_size
    w.resize(*window_size(width, height))
    s = load_scenario(example_scenario_path())
    s = replace(s, settings=replace(s.settings, paths=1000))
    done = []
    w.results_shown.connect(lambda r: done.append(r))
    w.load(s, None)
    w.show()
    import time
    deadline = time.monotonic() + 60
    while not done and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    end = time.monotonic() + 0.5  # the charts refit to their size after a short pause
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)

    def axes_sizes(canvas):
        dpr = canvas.devicePixelRatioF() or 1.0
        sizes = []
        for ax in canvas.figure.axes:
            if ax.get_visible() and ax.axison:
                box = ax.get_window_extent()
                sizes.append((box.width / dpr, box.height / dpr))
        return sizes

    panel = w.results_panel
    def inside(widget):
        top_left = widget.mapTo(w, widget.rect().topLeft())
        bottom_right = widget.mapTo(w, widget.rect().bottomRight())
        return (widget.isVisible() and top_left.x() >= 0 and top_left.y() >= 0
                and bottom_right.x() < w.width() and bottom_right.y() < w.height())
    def reachable(widget):
        """On screen, or brought on screen by the scroll area it is in (never cut off)."""
        if inside(widget):
            return True
        area = w.tabs.currentWidget()
        area.ensureWidgetVisible(widget)
        app.processEvents()
        return inside(widget)

    head = panel.headline
    table = panel.table
    charts = panel.findChild(QScrollArea, "charts_scroll")
    rows = range(table.rowCount())
    report = {
        "results": bool(done),
        "window": [w.width(), w.height()],
        "minimum": [w.minimumSizeHint().width(), w.minimumSizeHint().height()],
        "axes": axes_sizes(panel.canvas),
        "headline_inside": inside(head),
        "headline_fits": head.height() >= head.heightForWidth(head.width()) - 2,
        "table_inside": reachable(panel.table),
        # every key figure whole: the table as tall as its rows, each row as tall as its
        # wrapped text, nothing to scroll inside it, and the charts below it, not over it
        "table_whole": (table.height() >= sum(table.rowHeight(r) for r in rows)
                        and all(table.rowHeight(r) >= table.sizeHintForRow(r) for r in rows)
                        and table.verticalScrollBar().maximum() == 0
                        and table.horizontalScrollBar().maximum() == 0
                        and table.geometry().bottom() < charts.geometry().top()),
        "figure_pairs": table.columnCount() // 2,
        "form_inside": inside(w.form),
        "messages": messages,
    }
    w.grab().save(out)
    w.tabs.setCurrentIndex(1)
    for _ in range(30):
        app.processEvents()
        time.sleep(0.01)
    w.grab().save(out.replace(".png", "-decisions.png"))
    report["decisions_inside"] = inside(w.tabs.currentWidget())
    report["decisions_buttons"] = all(reachable(b) for b in w.decisions_panel.findChildren(QPushButton)
                                      if b.isVisible())
    w.undo_stack.setClean()
    w.runner.shutdown()
    w.decisions_panel.shutdown()
    print("REPORT" + json.dumps(report))
''')


def test_window_size_fits_the_screen():
    assert window_size(1920, 1040) == (1728, 936)  # 90% of a big screen
    assert window_size(1024, 728) == (1024, 700)  # a projector: all its width, never more
    assert window_size(1366, 728) == (1229, 700)
    assert window_size(910, 472) == (910, 472)  # 1366 x 768 at 150%: the whole free area
    w, h = window_size(3000, 2000)
    assert w <= 3000 and h <= 2000 and w >= MIN_SIZE[0] and h >= MIN_SIZE[1]


def _run(width: int, height: int, scale: str, out: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale,
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", CHECK, str(width), str(height), str(out)],
                          env=env, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("REPORT"))
    return json.loads(line[len("REPORT"):])


SCREENS = [  # (name, screen width, height, scale): logical room = screen / scale, less the taskbar
    ("1024x768", 1024, 768, 1.0),
    ("1366x768", 1366, 768, 1.0),
    ("1366x768-150pct", 1366, 768, 1.5),
    ("1920x1080-150pct", 1920, 1080, 1.5),
]


@pytest.mark.parametrize("name, width, height, scale", SCREENS,
                         ids=["1024x768", "1366x768", "1366x768-150pct", "1920x1080-150pct"])
def test_every_part_is_usable(tmp_path, name, width, height, scale):
    folder = Path(os.environ.get("CHARITYRISK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"window-{name}.png"
    room_w, room_h = int(width / scale), int(height / scale) - TASKBAR
    report = _run(room_w, room_h, str(scale), out)
    assert report["results"]
    assert report["messages"] == []  # no layout (or any other) warning from Qt
    win_w, win_h = report["window"]
    assert win_w <= room_w and win_h <= room_h, report  # never larger than the screen
    assert report["minimum"][0] <= room_w and report["minimum"][1] <= room_h, report
    assert len(report["axes"]) == 3
    for ax_w, ax_h in report["axes"]:
        assert ax_w >= MIN_AXES_PX and ax_h >= MIN_AXES_PX, report["axes"]
    assert report["headline_inside"] and report["headline_fits"], report
    assert report["table_inside"] and report["table_whole"], report
    assert report["form_inside"], report
    assert report["decisions_inside"] and report["decisions_buttons"], report
    assert out.exists() and out.stat().st_size > 10_000


def test_key_figures_reflow_to_the_width(qtbot, example):
    """Two label/value pairs a row when wide, one when narrow; every figure once, whole, and
    the table exactly as tall as its rows (nothing to scroll inside it)."""
    from charityrisk.engine import simulate
    from charityrisk.gui.results_panel import TWO_PAIRS_PX, ResultsPanel
    from charityrisk.report.text import key_figures

    panel = ResultsPanel()
    qtbot.addWidget(panel)
    results = simulate(example, 1000, 1)
    panel.resize(TWO_PAIRS_PX + 200, 900)
    panel.show()
    panel.show_results(example, results)
    table = panel.table
    expected = key_figures(example, results)

    def shown():
        cells = [(table.item(r, c), table.item(r, c + 1)) for c in range(0, table.columnCount(), 2)
                 for r in range(table.rowCount())]
        return [(label.text(), value.text()) for label, value in cells if label is not None]

    def whole():
        return (table.height() == sum(table.rowHeight(r) for r in range(table.rowCount())) + 2 * table.frameWidth()
                and all(table.rowHeight(r) >= table.sizeHintForRow(r) for r in range(table.rowCount()))
                and sum(table.columnWidth(c) for c in range(table.columnCount())) <= table.viewport().width())

    qtbot.waitUntil(lambda: table.columnCount() == 4)
    assert shown() == expected and whole()
    two_high = table.height()
    panel.resize(480, 900)
    qtbot.waitUntil(lambda: table.columnCount() == 2)
    assert shown() == expected and whole()
    assert table.height() > two_high  # one pair a row: taller, never cut short
    for r in range(table.rowCount()):  # a value is never squeezed below its text when it can fit
        value = table.item(r, 1).text()
        if table.fontMetrics().horizontalAdvance(value) < table.viewport().width() // 3:
            assert table.columnWidth(1) >= table.fontMetrics().horizontalAdvance(value)
    table.setRowCount(0)  # what the window does for a blank scenario
    assert table.height() == 2 * table.frameWidth()
    panel.resize(TWO_PAIRS_PX + 200, 900)
    qtbot.waitUntil(lambda: table.columnCount() == 2 and table.width() > TWO_PAIRS_PX)
    assert table.rowCount() == 0  # the blanked figures do not come back on a resize
