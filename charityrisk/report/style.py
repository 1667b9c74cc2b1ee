"""The one chart style: palette, font sizes and scale, titles, axes and the legend rule.

Every chart (``report.figures``, ``report.decision_figures``) and every canvas that shows
one (``gui.charts``) takes its look from here, so the app, the PDF and the decision tools
read as one document.  No pyplot: figures are ``matplotlib.figure.Figure`` objects.

Rules:
- Palette: Okabe-Ito based, colour-blind safe, and readable in black-and-white print: bands
  differ in lightness, lines in dash style (``SERIES``), "ran out" bars are hatched.
- Font sizes are readable on a projector (nothing under 10 pt at scale 1).  ``font_scale``
  multiplies every size: 1 for the app and the report's charts; ``DENSE_SCALE`` for charts
  with many labels (eight tornado bars, six compared options) in a decision canvas.
- Titles are bold, left-aligned, wrapped to the chart's width.
- The legend rule: a legend goes below its chart, a fixed distance under the tick and axis
  labels (``legend_below``; below the whole figure for a chart alone on one,
  ``legend_under_figure``), in as many columns as fit the width, its labels wrapped when
  even one column is too wide.  Never beside the chart (that takes the width a narrow chart in the
  app needs: a side legend collapsed the comparison chart at 1024 x 768) and never over the
  data.
- Layout: constrained, so nothing is clipped; every chart must lay out (no "constrained
  layout not applied" warning) at the app's smallest window, 1024 x 768.
"""
from __future__ import annotations

import functools
import math
from typing import Literal, NamedTuple

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.textpath import TextToPath
from matplotlib.transforms import ScaledTranslation

__all__ = [
    "BLUE", "SKY", "VERMILLION", "REDDISH_PURPLE", "WINE", "ORANGE", "GREEN", "BLACK", "BAND_OUTER",
    "BAND_INNER", "MEDIAN", "ZERO_GREY", "GRID_GREY", "SERIES", "TITLE_SIZE", "LABEL_SIZE",
    "TICK_SIZE", "LEGEND_SIZE", "NOTE_SIZE", "DENSE_SCALE", "LEGEND_DROP_IN", "new_figure",
    "style_figure", "set_title", "style_axes", "legend_below", "width_in", "text_width_in",
    "wrap_to", "legend_columns", "fitted_legend", "legend_texts", "short_label", "legend_under_figure", "figure_of",
    "SteadyLayout", "layout_words", "Level", "LEVELS",
]

# ------------------------------------------------------------------------ palette
# Okabe-Ito colours, plus blues of clearly different lightness for the fan chart's bands.
BLUE = "#0072B2"
SKY = "#56B4E9"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
WINE = "#882255"  # dark in grey print
ORANGE = "#E69F00"
GREEN = "#009E73"
BLACK = "#000000"
BAND_OUTER = "#CFE3F3"  # 5-95%: very light
BAND_INNER = "#7FB2DC"  # 25-75%: mid
MEDIAN = "#08306B"  # typical future: near black in grey
ZERO_GREY = "#444444"
GRID_GREY = "#DDDDDD"
# Several series on one chart: colour and dash style both differ, so they part in grey too.
SERIES = [(BLUE, "-"), (VERMILLION, "--"), (GREEN, "-."), (REDDISH_PURPLE, ":"),
          (ORANGE, (0, (5, 1, 1, 1))), (BLACK, (0, (1, 1)))]



class Level(NamedTuple):
    """How a verdict level is coloured, on screen (the results panel's headline) and on paper
    (the board pack's verdict box): an Okabe-Ito ``edge``, a light ``fill`` behind the words,
    the words' ``ink`` (dark enough on the fill to read at 7:1), and the edge's ``weight`` in
    points on paper, heavier for worse, so grey print and projectors lose nothing."""

    edge: str
    fill: str
    ink: str
    weight: float


# The verdict's levels (engine.verdict), and "stale": results that no longer match the inputs,
# none yet, or a budget still missing (report.missing), which is no verdict.
LEVELS: dict[str, Level] = {
    "safe": Level(GREEN, "#E3F1E8", "#0B4D2C", 2.0),
    "close": Level(ORANGE, "#FDF3DC", "#5C4200", 3.0),
    "unsafe": Level(VERMILLION, "#FBE4DC", "#6B1D00", 4.0),
    "stale": Level("#999999", "#EEEEEE", ZERO_GREY, 1.0),
}

# ---------------------------------------------------------------------- font sizes
TITLE_SIZE = 13
LABEL_SIZE = 12
TICK_SIZE = 11
LEGEND_SIZE = 10.5
NOTE_SIZE = 11
DENSE_SCALE = 0.8  # many labels in a decision canvas: 8.8 pt ticks, still legible
LEGEND_DROP_IN = 0.52  # inches from the bottom of the Axes to the top of the legend


# -------------------------------------------------------------------------- figures

def new_figure(width_in: float = 8.0, height_in: float = 4.5, dpi: float = 100) -> Figure:
    """A Figure (no pyplot) in the chart style; give it a canvas to draw or save it."""
    return style_figure(Figure(figsize=(width_in, height_in), dpi=dpi))


def style_figure(fig: Figure) -> Figure:
    """White background, constrained layout so labels are never clipped."""
    fig.set_facecolor("white")
    fig.set_layout_engine(SteadyLayout())
    return fig


_DIGITS = str.maketrans("123456789", "000000000")


def same_room(text: str) -> str:
    """Text that takes the same room as ``text``: the style's fonts have digits of one width
    (tabular figures), so "12%" and "13%" lay out alike."""
    return text.translate(_DIGITS)


def _tick_words(axis) -> tuple:
    """What the next draw's tick labels need room for, from the locator and formatter (no
    Text objects are made: making them is what makes a tick update expensive): the distinct
    labels, whose widest sets the margin, and for the x axis the label at its right end,
    which sticks out past the chart (at its left end the y axis's labels are wider; the title
    is above the top one).  How many ticks there are does not change the room they need."""
    if not axis.get_visible():
        return ()
    lo, hi = sorted(axis.get_view_interval())
    near = 0.02 * (hi - lo)
    locs = [loc for loc in axis.get_major_locator()() if lo - near <= loc <= hi + near]
    words = [same_room(w) for w in axis.get_major_formatter().format_ticks(locs)]
    right = [w for loc, w in zip(locs, words) if axis.axis_name == "x" and hi - loc <= near]
    return frozenset(words), tuple(right)


def _legend_words(legend) -> tuple:
    """A legend's room, not its words: its columns' widths (each its widest label's) and its
    rows' heights in lines.  A label that changes within that room ("Without the contract
    (under 0.1%)" on a first estimate, "(0.1%)" on the full run, under a wider label) leaves
    the layout as it was: laying out again was half of a live answer's drawing."""
    if legend is None:
        return ()
    ncols = max(getattr(legend, "_ncols", 1), 1)
    texts = legend.get_texts()
    rows = math.ceil(len(texts) / ncols) if texts else 0
    columns = [texts[i * rows:(i + 1) * rows] for i in range(ncols)] if rows else []  # column-first
    widths = tuple(round(max(text_width_in(t.get_text(), t.get_fontsize()) for t in column), 2)
                   for column in columns if column)
    heights = tuple(max(column[r].get_text().count("\n") + 1 for column in columns if r < len(column))
                    for r in range(rows))
    return ncols, widths, heights


def layout_words(fig: Figure) -> tuple:
    """Everything constrained layout's answer depends on: the figure's size and every text
    around its charts, to the size of its characters."""
    charts = []
    for ax in fig.axes:
        titles = (ax.title, getattr(ax, "_left_title", ax.title), getattr(ax, "_right_title", ax.title))
        texts = (*titles, ax.xaxis.label, ax.yaxis.label, *ax.texts)
        charts.append((ax.axison, ax.get_visible(),
                       tuple((t.get_visible(), same_room(t.get_text()), t.get_fontsize()) for t in texts),
                       ax.axison and _tick_words(ax.xaxis), ax.axison and _tick_words(ax.yaxis),
                       _legend_words(ax.get_legend())))
    return (tuple(fig.get_size_inches()), fig.dpi, tuple(charts),
            tuple(_legend_words(legend) for legend in fig.legends))


class SteadyLayout(ConstrainedLayoutEngine):
    """Constrained layout, worked out again only when something it depends on changed.

    The app updates its charts in place several times a second; their texts and size rarely
    change between two answers, and laying out costs about as much as drawing.  Anything
    the words miss (a new kind of artist) falls back to laying out: ``forget`` after a
    change the words cannot see."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._laid_out_for: tuple | None = None
        self.runs = 0  # layouts worked out (tests check updates reuse them)

    def forget(self) -> None:
        self._laid_out_for = None

    def execute(self, fig):
        words = self._words(fig)
        if words is not None and words == self._laid_out_for:
            return None
        self.runs += 1
        answer = super().execute(fig)
        # Read again once laid out: the automatic tick locators choose by the Axes' length.
        self._laid_out_for = self._words(fig)
        return answer

    @staticmethod
    def _words(fig) -> tuple | None:
        try:
            return layout_words(fig)
        except Exception:  # an unusual axis: never guess, lay it out
            return None


# ----------------------------------------------------------------- measuring text

def figure_of(ax: Axes) -> Figure:
    """The Figure ax is drawn on: every chart here has a Figure of its own, never a SubFigure."""
    fig = ax.get_figure()
    if not isinstance(fig, Figure):
        raise ValueError("the chart is not on a Figure of its own")
    return fig


def width_in(ax: Axes) -> float:
    """The Axes' width in inches (before layout), to fit ticks and legend columns to it.

    The last layout's width (constrained layout widens an Axes beyond its place in the grid),
    but never less than that place: a layout squeezed once (a canvas drawn before it was
    sized) would otherwise wrap the titles narrower, squeeze the next layout more, and never
    recover."""
    try:
        fig = figure_of(ax)
        spec = ax.get_subplotspec()
        grid = spec.get_position(fig).width if spec is not None else 0.0
        return max(1.0, max(grid, ax.get_position().width) * fig.get_figwidth())
    except (AttributeError, TypeError, ValueError):
        return 6.0


_TEXT_TO_PATH = TextToPath()


def text_width_in(text: str, size: float, bold: bool = False) -> float:
    """The width of a label in inches, from the font itself (no renderer needed); of its
    widest line when it has several."""
    # Measuring takes milliseconds and the live charts fit the same labels on every answer,
    # differing in their figures at most: digits are all one width (see same_room).
    return max(_measured_width_in(same_room(line), size, bold) for line in text.split("\n"))


@functools.lru_cache(maxsize=4096)
def _measured_width_in(text: str, size: float, bold: bool) -> float:
    try:
        props = FontProperties(size=size, weight="bold" if bold else "normal")
        width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, props, ismath=False)
        return width / 72
    except Exception:  # an unusual font setup must never stop a chart being drawn
        return len(text) * 0.56 * size / 72


def wrap_to(text: str, width: float, size: float, bold: bool = False) -> str:
    """Break text into lines no wider than ``width`` inches (a single long word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and text_width_in(trial, size, bold) > width:
            lines.append(word)
        elif lines:
            lines[-1] = trial
        else:
            lines.append(word)
    return "\n".join(lines)


def short_label(text: str, most: int = 30) -> str:
    """A long name cut for a legend: a bracketed tail dropped, then at most ``most``
    characters ("Fee for service (Social Impact Bond style)" -> "Fee for service"); the
    full name is in the table beside the chart."""
    head = text.split(" (", 1)[0].strip() or text
    return head if len(head) <= most else head[:most - 1].rstrip() + "…"


# ------------------------------------------------------------------ titles and axes

def set_title(ax: Axes, title: str, k: float = 1.0) -> None:
    """A bold, left-aligned title wrapped to the chart's width (a narrow chart in the app)."""
    size = TITLE_SIZE * k
    # y given: no top axis here, so matplotlib need not measure the ticks to place the
    # title on every draw (a tenth of the live charts' drawing time).
    ax.set_title(wrap_to(title, width_in(ax) + 0.4, size, bold=True), fontsize=size,
                 fontweight="bold", loc="left", y=1.0)


def style_axes(ax: Axes, title: str, xlabel: str, ylabel: str, k: float = 1.0,
               grid_axis: Literal["both", "x", "y"] = "y") -> None:
    """Title, axis labels and ticks at the style's sizes, a light grid, no top/right frame."""
    ax.set_facecolor("white")
    set_title(ax, title, k)
    ax.set_xlabel(wrap_to(xlabel, width_in(ax) + 0.3, LABEL_SIZE * k), fontsize=LABEL_SIZE * k)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE * k)
    ax.tick_params(labelsize=TICK_SIZE * k)
    ax.grid(True, axis=grid_axis, color=GRID_GREY, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# ----------------------------------------------------------------------- the legend

# A legend's room besides its labels, in font sizes (matplotlib's own legend geometry, as
# legend_below draws it): each entry's handle and the pad after it, the space between two
# columns, and the frame's padding on each side (drawn even without a frame).
HANDLE_EM = 2.4 + 0.8  # handlelength + handletextpad
COLUMN_GAP_EM = 1.2  # columnspacing
BORDER_EM = 2 * 0.4  # borderpad, both sides
# The screen's renderer (Agg, with hinting) draws a label up to 5% wider than the font's
# outlines measure: a legend measured by outlines alone ran 2 pixels off a 759-pixel canvas.
HINTED = 1.06


def legend_width_in(columns: list[list[str]], size: float) -> float:
    """How wide a legend of these columns of labels is drawn, in inches."""
    em = size / 72
    shown = [column for column in columns if column]
    return (HINTED * sum(max(text_width_in(label, size) for label in column) for column in shown)
            + (len(shown) * HANDLE_EM + (len(shown) - 1) * COLUMN_GAP_EM + BORDER_EM) * em)


def legend_columns(labels: list[str], width: float, size: float, most: int) -> int:
    """As many legend columns as fit ``width`` inches (from the labels' lengths)."""
    for ncol in range(min(most, len(labels)), 1, -1):
        rows = math.ceil(len(labels) / ncol)
        columns = [labels[i * rows:(i + 1) * rows] for i in range(ncol)]  # filled column-first
        if legend_width_in(columns, size) <= width:
            return ncol
    return 1


def fitted_legend(labels: list[str], width: float, size: float, most: int) -> tuple[int, list[str]]:
    """The legend rule's columns and words in ``width`` inches: as many columns as fit, and
    the labels wrapped onto two lines when even one column is too wide."""
    ncol = legend_columns(labels, width, size, most)
    if ncol == 1:
        labels = [wrap_to(label, (width - (HANDLE_EM + BORDER_EM) * size / 72) / HINTED, size)
                  for label in labels]
    return ncol, labels


def legend_texts(ax: Axes, labels: list[str], ncol: int = 3, k: float = 1.0) -> tuple[int, list[str]]:
    """The columns and words of ``labels`` in a legend below ``ax`` (see fitted_legend)."""
    return fitted_legend(labels, width_in(ax), LEGEND_SIZE * k, ncol)


def legend_below(ax: Axes, handles=None, ncol: int = 3, k: float = 1.0) -> None:
    """The legend rule (see the module's docstring): below the chart, columns to fit."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [h.get_label() for h in handles]
    # Plain-English labels are long: fewer columns when the chart is narrow, and labels
    # wrapped onto two lines when even one column is too wide, so the legend never
    # squeezes the chart or runs off the canvas.
    ncol, labels = legend_texts(ax, labels, ncol, k)
    # A fixed distance below the Axes (under the tick labels and the axis label), whatever
    # the chart's height, so the app's layout engine and the PDF's fixed layout both work.
    below = ax.transAxes + ScaledTranslation(0, -LEGEND_DROP_IN * k, figure_of(ax).dpi_scale_trans)
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below,
              ncol=ncol, fontsize=LEGEND_SIZE * k, frameon=False, handlelength=2.4, columnspacing=1.2,
              borderaxespad=0)


def legend_under_figure(ax: Axes, handles=None, ncol: int = 3, k: float = 1.0) -> None:
    """The legend rule for a chart alone on its figure (the decision charts): below
    everything, placed by the layout engine, its columns fitted to the figure's width
    rather than the chart's, which long tick labels (the tornado's) can make narrow."""
    fig = figure_of(ax)
    for old in list(fig.legends):  # a redraw on the same figure replaces its legend
        old.remove()
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [h.get_label() for h in handles]
    size = LEGEND_SIZE * k
    ncol, labels = fitted_legend(labels, fig.get_figwidth() - 0.4, size, ncol)
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol, fontsize=size, frameon=False,
               handlelength=2.4, columnspacing=1.2)
