"""Charts for the decision tools (tornado, compared run-out curves), for app and report alike.

Each function starts with ax.clear() so the app can redraw on the same Axes.
"""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ..engine.decisions import Comparison, Sensitivity
from .decision_text import label, value

# Okabe-Ito: distinguishable with colour-blindness; the dash styles tell curves apart in grey.
LOW_COLOUR, HIGH_COLOUR = "#56B4E9", "#D55E00"
CURVE_STYLES = [("#0072B2", "-"), ("#D55E00", "--"), ("#009E73", "-."), ("#CC79A7", ":"),
                ("#E69F00", (0, (5, 1, 1, 1))), ("#000000", (0, (1, 1)))]


def draw_tornado(ax: Axes, sens: Sensitivity, top: int = 8) -> None:
    """Bars from the risk with each input at its low end to its high end, biggest first."""
    ax.clear()
    bars = list(sens.bars[:top])
    several = len({b.contract_name for b in sens.bars if b.contract is not None}) > 1
    y = np.arange(len(bars))[::-1]
    base = sens.p_run_out
    for yi, bar in zip(y, bars):
        for p, colour, hatch in ((bar.p_low, LOW_COLOUR, None), (bar.p_high, HIGH_COLOUR, "//")):
            ax.barh(yi, p - base, left=base, color=colour, hatch=hatch, edgecolor="0.25", linewidth=0.6)
    ax.axvline(base, color="black", linewidth=1.2)
    ax.axvline(sens.risk_appetite, color="#E69F00", linestyle="--", linewidth=1.5)
    # The values tried go in the label, where they can never overlap a bar.
    ax.set_yticks(y, [f"{label(b, several)}\n{value(b.unit, b.low_value)} (low) to "
                      f"{value(b.unit, b.high_value)} (high)" for b in bars], fontsize=9)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    lo = min([b.p_low for b in bars] + [b.p_high for b in bars] + [base, sens.risk_appetite])
    hi = max([b.p_low for b in bars] + [b.p_high for b in bars] + [base, sens.risk_appetite])
    pad = max(0.04, 0.25 * (hi - lo))
    ax.set_xlim(max(0.0, lo - pad), min(1.0, hi + pad))
    ax.set_xlabel("Chance of running out")
    ax.set_title("What drives the risk: each input at its low and high value", loc="left",
                 fontsize=11, fontweight="bold")
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D
    ax.legend(handles=[Patch(facecolor=LOW_COLOUR, edgecolor="0.25", label="Input at its low value"),
                       Patch(facecolor=HIGH_COLOUR, hatch="//", edgecolor="0.25", label="Input at its high value"),
                       Line2D([], [], color="black", label="Now"),
                       Line2D([], [], color="#E69F00", linestyle="--", label="Risk appetite")],
              loc="lower right", fontsize=8.5, framealpha=0.9)
    ax.grid(axis="x", alpha=0.3)


def draw_comparison_curves(ax: Axes, comparison: Comparison) -> None:
    """Each option's chance of having run out by each month, on the same futures."""
    ax.clear()
    for k, option in enumerate(comparison.options):
        colour, style = CURVE_STYLES[k % len(CURVE_STYLES)]
        curve = option.results.p_run_out_by_month
        months = np.arange(1, curve.size + 1)
        ax.plot(months, curve, color=colour, linestyle=style, linewidth=2,
                label=f"{option.label} ({100 * option.p_run_out:.0f}%)")
    ax.axhline(comparison.risk_appetite, color="0.4", linestyle=(0, (2, 2)), linewidth=1,
               label=f"Risk appetite ({100 * comparison.risk_appetite:g}%)")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}"))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Month")
    ax.set_ylabel("Chance of having run out")
    ax.set_title("Payment structures compared on the same futures", loc="left", fontsize=11,
                 fontweight="bold")
    ax.legend(fontsize=8.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(alpha=0.3)
