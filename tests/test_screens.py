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
    # Every tab (and each view of "What would make it safe", with its figures worked out):
    # nothing wider than its view, no text cut short, nothing off the window, no chart label
    # over a legend.  Each page is saved beside the window's screenshot.
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QTableWidget, QTabBar, QWidget

    def wait_for(signal, seconds=120):
        got = []
        signal.connect(lambda *a: got.append(a))
        return got

    def pump(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def until(got, seconds=180):
        end = time.monotonic() + seconds
        while not got and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        pump(0.6)  # the charts refit to their size after a short pause
        return bool(got)

    def name(widget):
        text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
        return f"{type(widget).__name__} {widget.objectName() or ''} {text[:40]!r}".strip()

    def shown(widget):
        return widget.isVisible() and w.isAncestorOf(widget)

    def page_problems():
        found = []
        for area in w.findChildren(QScrollArea):
            content = area.widget()
            if not shown(area) or content is None:
                continue
            view = area.viewport().width()
            if content.width() > view + 1 or area.horizontalScrollBar().maximum() > 0:
                wide = sorted((c for c in content.findChildren(QWidget) if c.isVisible()),
                              key=lambda c: -c.minimumSizeHint().width())[:3]
                found.append(f"wider than its view: {name(area)} needs {content.width()} px of {view}; "
                             f"widest: {[(name(c), c.minimumSizeHint().width()) for c in wide]}")
        for view in w.findChildren(QAbstractItemView):  # a results table: every column and row in view
            if not shown(view) or not w.tabs.isAncestorOf(view):
                continue
            rows = view.model().rowCount() if view.model() is not None else 0
            if view.horizontalScrollBar().maximum() > 0:
                found.append(f"table wider than its view: {name(view)}")
            if rows <= 8 and view.verticalScrollBar().maximum() > 0:
                found.append(f"table rows out of view: {name(view)} ({rows} rows)")
        for view in w.findChildren(QTableWidget):  # no cell cut short ("ever…nths", "Overdraft: ...")
            if not shown(view) or not (w.tabs.isAncestorOf(view) or w.form.isAncestorOf(view)):
                continue
            metrics = view.fontMetrics()
            for r in range(view.rowCount()):
                for c in range(view.columnCount()):
                    item = view.item(r, c)
                    if item is None or not item.text().strip():
                        continue
                    text = item.text()
                    need = (max(metrics.horizontalAdvance(word) for word in text.split()) if view.wordWrap()
                            else metrics.horizontalAdvance(text)) + 8
                    if view.columnWidth(c) < need:
                        found.append(f"cell cut: {name(view)} row {r + 1}, column {c + 1}: {text[:30]!r}")
        for table in (w.form.budget, w.form.stages):  # the budget lines and stages, every column whole
            if not shown(table.grid):
                continue
            header = table.grid.horizontalHeader()
            for c in range(table.grid.columnCount()):
                need = max([header.sectionSizeHint(c)]
                           + [table.text_room(r, c) for r in range(table.grid.rowCount())])
                if table.grid.columnWidth(c) < need:
                    found.append(f"column cut: {name(table.grid)} column {c + 1}")
        for label in w.findChildren(QLabel):
            if not shown(label) or label.wordWrap() or not label.text().strip():
                continue
            if label.width() + 1 < label.sizeHint().width():
                found.append(f"text cut: {name(label)} is {label.width()} px, needs {label.sizeHint().width()}")
        for button in w.findChildren(QAbstractButton):
            if shown(button) and button.text() and button.width() + 1 < button.minimumSizeHint().width():
                found.append(f"button cut: {name(button)} is {button.width()} px, needs "
                             f"{button.minimumSizeHint().width()}")
        for bar in w.findChildren(QTabBar):
            if not shown(bar):
                continue
            for i in range(bar.count()):
                rect = bar.tabRect(i)
                where = "window's tab" if bar is w.tabs.tabBar() else "tab"
                if rect.right() > bar.width() or rect.left() < 0:
                    found.append(f"{where} off its bar: {bar.tabText(i)!r}")
                elif rect.width() + 1 < bar.tabSizeHint(i).width():
                    found.append(f"{where} title cut: {bar.tabText(i)!r}")
        for widget in w.findChildren(QWidget):  # outside a scroll area: within the window
            if not shown(widget) or widget.isWindow():
                continue
            parent, scrolled = widget.parentWidget(), False
            while parent is not None and parent is not w:
                if isinstance(parent, QScrollArea):
                    scrolled = True
                    break
                parent = parent.parentWidget()
            if scrolled:
                continue
            corner = widget.mapTo(w, widget.rect().bottomRight())
            if corner.x() > w.width() or corner.y() > w.height():
                found.append(f"off the window: {name(widget)} reaches {corner.x()},{corner.y()}")
        found += chart_overlaps()
        return found

    def chart_overlaps():
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        found = []
        for canvas in w.findChildren(FigureCanvasQTAgg):
            if not shown(canvas):
                continue
            figure = canvas.figure
            renderer = canvas.get_renderer()
            legends = [a.get_legend() for a in figure.axes if a.get_legend() is not None] + list(figure.legends)
            boxes = [lg.get_window_extent(renderer) for lg in legends if lg.get_visible()]
            whole = figure.bbox
            titles = []
            for legend, lbox in zip(legends, boxes):
                if lbox.x0 < whole.x0 - 1 or lbox.x1 > whole.x1 + 1 or lbox.y0 < whole.y0 - 1:
                    words = [t.get_text() for t in legend.get_texts()]
                    found.append(f"chart legend cut at the edge: {canvas.accessibleName()!r}: {words}")
            for ax in figure.axes:
                if not ax.get_visible():
                    continue
                for text in [ax.title, ax.xaxis.label, ax.yaxis.label]:
                    if text.get_visible() and text.get_text().strip():
                        box = text.get_window_extent(renderer)
                        if box.x0 < whole.x0 - 1 or box.x1 > whole.x1 + 1 or box.y1 > whole.y1 + 1:
                            found.append(f"chart text cut at the edge: {canvas.accessibleName()!r}: "
                                         f"{text.get_text()!r}")
                        titles.append((ax, text, box))
                texts = [ax.xaxis.label, ax.yaxis.label, ax.title]
                for axis, (low, high) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
                    texts += [label for label, at in zip(axis.get_majorticklabels(), axis.get_majorticklocs())
                              if label.get_visible() and low <= at <= high]  # the ticks drawn
                for text in texts:
                    if not text.get_text().strip():
                        continue
                    box = text.get_window_extent(renderer)
                    own = ax.get_legend()
                    for legend, lbox in zip(legends, boxes):
                        if legend is own and text in ax.get_xticklabels() + ax.get_yticklabels():
                            continue  # a legend inside its own axes sits among its ticks by design
                        if box.overlaps(lbox):
                            found.append(f"chart label over a legend: {canvas.accessibleName()!r}: "
                                         f"{text.get_text()!r}")
            for i, (ax, text, box) in enumerate(titles):  # one chart's words over another's
                for other_ax, other, other_box in titles[i + 1:]:
                    if other_ax is not ax and box.overlaps(other_box):
                        found.append(f"chart words overlap: {canvas.accessibleName()!r}: "
                                     f"{text.get_text()!r} and {other.get_text()!r}")
        return found

    pages = {}
    panel = w.decisions_panel
    got = wait_for(panel.analysis_shown)
    w.tabs.setCurrentIndex(1)
    panel.run_analysis()
    pages["analysis"] = until(got)
    got = wait_for(panel.comparison_shown)
    panel.run_comparison()
    pages["comparison"] = until(got)
    got = wait_for(panel.negotiate.shown)
    panel.views.setCurrentWidget(panel.negotiate)
    panel.negotiate.run()
    pages["negotiation"] = until(got)
    page_report = {}
    views = [(i, None) for i in range(w.tabs.count()) if i != 1]
    views += [(1, v) for v in range(panel.views.count())]
    for tab, view in views:
        w.tabs.setCurrentIndex(tab)
        if view is not None:
            panel.views.setCurrentIndex(view)
        pump(0.6)
        key = w.tabs.tabText(tab) + ("" if view is None else " > " + panel.views.tabText(view))
        slug = "".join(ch if ch.isalnum() else "-" for ch in key.lower()).strip("-")
        w.grab().save(out.replace(".png", f"-{slug}.png"))
        w.tabs.currentWidget().widget().grab().save(out.replace(".png", f"-{slug}-whole.png"))
        page_report[key] = page_problems()
    report["pages_worked_out"] = pages
    report["pages"] = page_report
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
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("CHARITYRISK_SCREEN_PLATFORM", "offscreen"),
           "QT_SCALE_FACTOR": scale,
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
# The screens every page is checked on for clipping (issue 26); 1366 x 768 at 150% (910 x 432
# pixels of room) is checked for the window's parts above, not yet page by page.
EVERY_PAGE = {"1024x768", "1366x768", "1920x1080-150pct"}
_REPORTS: dict[str, dict] = {}  # one child process a screen, read by the tests below


def _report(name: str, width: int, height: int, scale: float, tmp_path: Path) -> dict:
    if name not in _REPORTS:
        folder = Path(os.environ.get("CHARITYRISK_SCREENSHOTS") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"window-{name}.png"
        room_w, room_h = int(width / scale), int(height / scale) - TASKBAR
        _REPORTS[name] = _run(room_w, room_h, str(scale), out)
        _REPORTS[name]["out"] = str(out)
    return _REPORTS[name]


@pytest.mark.parametrize("name, width, height, scale", SCREENS,
                         ids=["1024x768", "1366x768", "1366x768-150pct", "1920x1080-150pct"])
def test_every_part_is_usable(tmp_path, name, width, height, scale):
    room_w, room_h = int(width / scale), int(height / scale) - TASKBAR
    report = _report(name, width, height, scale, tmp_path)
    out = Path(report["out"])
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


# Month by month lays the months across, as the finance lead's spreadsheet does: those tables
# scroll sideways by design (36 columns never fit), and say so in their hint.
BY_DESIGN = ("monthly_table", "period_table")
# Found by these checks and not fixed (each a strict xfail below, so the fix is noticed): on
# every screen a results chart's legend row runs past the canvas's right edge ("£0 (no
# overdraf"): report/figures fits the legend's columns to its axes.
WINDOW_TABS = "window's tab"
LEGENDS = "chart legend cut"


def _page_problems(report: dict, kind: str) -> dict[str, list[str]]:
    """Each page's problems of one kind: "window tabs", "legends", or the "rest"."""
    def kind_of(problem: str) -> str:
        if problem.startswith(WINDOW_TABS):
            return "window tabs"
        if problem.startswith(LEGENDS):
            return "legends"
        return "rest"
    pages = {page: [p for p in found if kind_of(p) == kind and not any(f" {n} " in p for n in BY_DESIGN)]
             for page, found in report["pages"].items()}
    return {page: found for page, found in pages.items() if found}


PAGE_SCREENS = [s for s in SCREENS if s[0] in EVERY_PAGE]


@pytest.mark.parametrize("name, width, height, scale", PAGE_SCREENS, ids=[s[0] for s in PAGE_SCREENS])
def test_every_page_fits_its_view_with_nothing_cut(tmp_path, name, width, height, scale):
    """Every tab, and each view of "What would make it safe" with its figures worked out: no
    scroll area or results table needs to scroll sideways (a button row, chart or column
    forcing the width), no label or button cut short where it should wrap, nothing off the
    window, no chart label under a legend.  The screenshots are kept as
    ``window-<screen>-<page>.png`` (and ``-whole.png``: the whole page, scrolled parts too)."""
    report = _report(name, width, height, scale, tmp_path)
    assert all(report["pages_worked_out"].values()), report["pages_worked_out"]
    assert len(report["pages"]) == 6  # four tabs, the decisions tab's three views
    problems = _page_problems(report, "rest")
    assert not problems, json.dumps(problems, indent=1)


LEGENDS_REASON = "report/figures fits a legend's columns to its axes; the widest row runs past the canvas's edge"
KNOWN = [  # (kind, screen, why it fails today): each a strict xfail
    *[("window tabs", s, "") for s in PAGE_SCREENS],
    *[("legends", s, "") for s in PAGE_SCREENS],
]


@pytest.mark.parametrize("kind, name, width, height, scale", [
    pytest.param(kind, *s, marks=pytest.mark.xfail(strict=True, reason=why) if why else ())
    for kind, s, why in KNOWN], ids=[f"{kind}-{s[0]}" for kind, s, _ in KNOWN])
def test_the_window_tabs_and_chart_legends(tmp_path, kind, name, width, height, scale):
    """The window's tab titles all on their bar, and each chart's legend inside its canvas."""
    report = _report(name, width, height, scale, tmp_path)
    problems = _page_problems(report, kind)
    assert not problems, json.dumps(problems, indent=1)
