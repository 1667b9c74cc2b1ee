"""The charts embedded in Qt, drawn by report.figures and report.decision_figures (shared
with the PDF) in report.style's look.

Titles, ticks and legend columns are fitted to a chart's width when it is drawn, so every
canvas redraws (after a short pause) when resized: a legend fitted to a wider canvas would
otherwise squeeze the chart to nothing.
"""
from __future__ import annotations

from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.font_manager import fontManager, get_font
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

from ..engine.results import Results
from ..model.scenario import Scenario
from ..report import figures, style
from ..report.describe import describe_results_canvas

# What the charts' place says before there is anything to draw.
PLACEHOLDER = "Results appear here once the scenario is complete."

REFIT_MS = 150
REFIT_SLACK_IN = 0.05  # a laid-out chart this much narrower or wider than fitted: fit again
TEXTS_KEPT = 2000  # glyph images of this many placed texts, a few megabytes


class _Recorder:
    """Stands in for the Agg renderer's core while one text is drawn: passes every call on,
    and keeps the glyph images it is given, to draw them again without FreeType."""

    def __init__(self, core):
        self._core = core
        self.images: list[tuple] = []
        self.other_calls = False  # the text drew something else too: do not keep it

    def draw_text_image(self, image, x, y, angle, gc) -> None:
        self.images.append((image, x, y, angle))
        self._core.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name):
        self.other_calls = True
        return getattr(self._core, name)


def _font_key(prop) -> tuple:
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size_in_points(), prop.get_file())


def _font_height_metrics(prop, dpi: float) -> tuple:
    """(least ascent, least descent, line gap) in pixels, from the font's own tables."""
    unknown = (None, None, None)  # matplotlib measures it itself
    try:
        font = get_font(fontManager._find_fonts_by_props(prop))
        head = font.get_sfnt_table("head")
        if head is None:
            return unknown
        scale = 1 / head["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        os2 = font.get_sfnt_table("OS/2")
        if os2 is not None:
            return (os2["sTypoAscender"] * scale, -os2["sTypoDescender"] * scale,
                    os2["sTypoLineGap"] * scale)
        hhea = font.get_sfnt_table("hhea")
        if hhea is not None:
            return hhea["ascent"] * scale, -hhea["descent"] * scale, hhea["lineGap"] * scale
    except Exception:
        pass
    return unknown


class TextKeepingRenderer(RendererAgg):
    """Agg, drawing a text again from the glyph images it made last time when the same text
    is drawn at the same place in the same font.

    Between two answers most of a chart's words (titles, axis labels, ticks, legends) stay
    put, and FreeType laying out and rendering them took half of every draw.  The images
    kept are Agg's own, drawn with the current colour, so the pixels are the same; a new
    size makes a new renderer, which starts empty."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._texts: dict[tuple, list[tuple]] = {}
        self._heights: dict[tuple, tuple] = {}

    def _get_font_height_metrics(self, prop):
        """A font's line height at this size, asked by every text at every draw (matplotlib
        then finds the font and reads its tables each time): worked out once per font, the
        way matplotlib does (its Text._get_layout), or left to it when that fails."""
        key = _font_key(prop)
        if key not in self._heights:
            self._heights[key] = _font_height_metrics(prop, self.dpi)
        return self._heights[key]

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        shaping = (None if mtext is None else
                   (str(getattr(mtext, "get_fontfeatures", lambda: None)()),
                    str(getattr(mtext, "get_language", lambda: None)())))
        key = (s, x, y, angle, gc.get_antialiased(), _font_key(prop), shaping)
        images = self._texts.get(key)
        if images is not None:
            for image, ix, iy, iangle in images:
                self._renderer.draw_text_image(image, ix, iy, iangle, gc)
            return None
        core = self._renderer
        recorder = _Recorder(core)
        self._renderer = recorder
        try:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        finally:
            self._renderer = core
        if not recorder.other_calls:
            if len(self._texts) >= TEXTS_KEPT:
                self._texts.clear()
            self._texts[key] = recorder.images
        return None


class KeptTextCanvas(FigureCanvasQTAgg):
    """A Qt canvas drawing with TextKeepingRenderer (see there)."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = TextKeepingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


STACK_PX = 820  # a results canvas narrower than this stacks its three charts
SIDE_BY_SIDE_MIN = (620, 560)  # three charts with legends stay legible down to this
STACKED_MIN = (480, 940)  # one chart a row: a 1024-pixel screen leaves about 500 beside the form


class ResultsCanvas(KeptTextCanvas):
    """Fan chart on top; chance of running out and lowest balances below.

    A new answer moves the charts' artists (report.figures' Chart objects) rather than
    drawing them again, and the figure's SteadyLayout keeps the layout while the words
    around the charts take the same room: a first estimate and its refinement reach the
    screen in a fraction of the time a full redraw took (benchmarks/live.py)."""

    arranged = Signal()  # the charts were laid out afresh (side by side or stacked): a new minimum size

    def __init__(self, parent=None):
        self.figure = style.new_figure(9, 6)
        super().__init__(self.figure)
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        grid = self.figure.add_gridspec(2, 2, height_ratios=(1.25, 1))
        self.fan_ax = self.figure.add_subplot(grid[0, :])
        self.run_out_ax = self.figure.add_subplot(grid[1, 0])
        self.lowest_ax = self.figure.add_subplot(grid[1, 1])
        self.stacked: bool | None = None
        self._arrange(False)
        self.fan = figures.FanChart(self.fan_ax)
        self.run_out = figures.RunOutCurve(self.run_out_ax)
        self.lowest = figures.LowestBalances(self.lowest_ax)
        self.setAccessibleName("Charts of the simulated balance, chance of running out and lowest balances")
        self._shown: tuple[Scenario, Results, float] | None = None
        self._after_draw: list[Callable[[], None]] = []
        self._refitted_for: tuple | None = None
        # Titles and legends are fitted to the charts' width when drawn: refit after resizing.
        self._refit = QTimer(self, singleShot=True, interval=REFIT_MS)
        self._refit.timeout.connect(self._redraw)
        self._placeholder()

    def _arrange(self, stacked: bool) -> bool:
        """Two charts side by side under the fan chart, or below STACK_PX (a 1024-pixel screen,
        the default 1366 x 768 window) the three one under another: side by side there, the
        lower charts' titles ran into each other and an axis label off the canvas.  Says
        whether the arrangement changed."""
        if stacked == self.stacked:
            return False
        self.stacked = stacked
        if stacked:
            grid = self.figure.add_gridspec(3, 1, height_ratios=(1.25, 1, 1))
            specs = (grid[0, 0], grid[1, 0], grid[2, 0])
        else:
            grid = self.figure.add_gridspec(2, 2, height_ratios=(1.25, 1))
            specs = (grid[0, :], grid[1, 0], grid[1, 1])
        for ax, spec in zip((self.fan_ax, self.run_out_ax, self.lowest_ax), specs):
            ax.set_subplotspec(spec)
        engine = self.figure.get_layout_engine()
        if isinstance(engine, style.SteadyLayout):
            engine.forget()  # the words are the same; the layout is not
        self.setMinimumSize(*(STACKED_MIN if stacked else SIDE_BY_SIDE_MIN))
        self.arranged.emit()
        return True

    def clear(self, message: str = PLACEHOLDER) -> None:
        """No charts to show (a new, blank scenario; a missing budget): ``message`` in their
        place, nothing to describe or redraw."""
        self._shown = None
        self._placeholder(message)
        self.setAccessibleDescription(message)

    def _placeholder(self, message: str = PLACEHOLDER) -> None:
        for ax in (self.fan_ax, self.run_out_ax, self.lowest_ax):
            ax.clear()
            ax.set_axis_off()
        for chart in (self.fan, self.run_out, self.lowest):
            chart.forget()
        self.fan_ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="0.4",
                         transform=self.fan_ax.transAxes)
        self.draw_idle()

    def when_drawn(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the charts are next drawn, or now if they are not on screen
        (then no draw is coming)."""
        if self.isVisible():
            self._after_draw.append(callback)
        else:
            callback()

    def draw(self) -> None:
        super().draw()
        self._refit_to_layout()
        callbacks, self._after_draw = self._after_draw, []
        for callback in callbacks:
            callback()

    def _refit_to_layout(self) -> None:
        """After a resize a chart's legend is fitted to its width before the layout has run,
        and the laid-out chart can be narrower (its axis labels keep their size): a legend
        fitted to the old width ran past the canvas.  Fit once more to the laid-out width,
        once per size and answer (so a layout that moves again cannot loop)."""
        if self._shown is None:
            return
        charts = (self.fan, self.run_out, self.lowest)
        moved = any(abs(chart.fitted_width - style.width_in(chart.ax)) > REFIT_SLACK_IN
                    for chart in charts if chart.fitted_width is not None)
        key = (self.width(), id(self._shown))
        if moved and key != self._refitted_for:
            self._refitted_for = key
            self._refit.start()

    def resizeEvent(self, event) -> None:
        rearranged = self._arrange(event.size().width() < STACK_PX)
        super().resizeEvent(event)
        # Only a new width changes how titles and legends are fitted: fitted again once the
        # size settles (REFIT_MS), or at once when the charts were rearranged.  A legend of
        # three columns fitted side by side (the fan chart's, 9 inches wide) then drawn
        # stacked on 5.5 inches left constrained layout no room for the chart: it gave up
        # with a warning, and the first draw of a window opened at 1024 pixels was unlaid.
        if self._shown is not None and event.size().width() != event.oldSize().width():
            if rearranged:
                self._redraw()
            else:
                self._refit.start()

    def _redraw(self) -> None:
        if self._shown is not None:
            self.show_results(*self._shown)

    def show_results(self, scenario: Scenario, results: Results, appetite: float) -> None:
        self._shown = (scenario, results, appetite)
        if not self.fan_ax.axison:
            for ax in (self.fan_ax, self.run_out_ax, self.lowest_ax):
                ax.clear()
                ax.set_axis_on()
        self.fan.show(scenario, results)
        self.run_out.show(scenario, results, appetite=appetite)
        self.lowest.show(scenario, results)
        # The charts' text alternative: their key figures, for screen readers.
        self.setAccessibleDescription(describe_results_canvas(results, scenario, appetite))
        self.draw_idle()


class ChartCanvas(KeptTextCanvas):
    """One chart in a canvas of its own (the decision tools' tornado and comparison).

    ``show(draw)`` draws with ``draw(ax)`` and keeps it, to draw again after a resize."""

    def __init__(self, name: str, parent: QWidget | None = None, width_in: float = 7.0,
                 height_in: float = 3.6, minimum: tuple[int, int] = (360, 240)):
        self.figure = style.new_figure(width_in, height_in)
        super().__init__(self.figure)
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(*minimum)
        self.ax = self.figure.add_subplot()
        self.ax.set_axis_off()
        self.setAccessibleName(name)
        self._draw: Callable[[Axes], None] | None = None
        self._refit = QTimer(self, singleShot=True, interval=REFIT_MS)
        self._refit.timeout.connect(self._redraw)

    def show_chart(self, draw: Callable[[Axes], None]) -> None:
        self._draw = draw
        self._redraw()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._draw is not None:
            self._refit.start()

    def _redraw(self) -> None:
        if self._draw is not None:
            self.ax.set_axis_on()
            self._draw(self.ax)
            self.draw_idle()


def scrolling(canvas: QWidget) -> QScrollArea:
    """The canvas in a scroll area: below its readable minimum size it scrolls, never
    squashes (a squashed chart overlaps its labels, or its layout gives up)."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(canvas)
    return area
