"""File > New leaves no results in the state, and every panel renders that from the state: the
last scenario's figures never stand beside the new one's blank amounts."""
from __future__ import annotations

from charityrisk.gui.charts import PLACEHOLDER
from charityrisk.gui.results_panel import NO_RESULTS_HEADLINE


def test_new_renders_no_results_in_every_panel(window):
    window.monthly_panel.fill()  # the example's months, filled as if the tab had been opened
    assert window.monthly_panel.table.columnCount() > 0
    window.new_scenario()
    assert window.state.results is None
    panel = window.results_panel
    assert panel.results is None and panel.headline.text() == NO_RESULTS_HEADLINE
    assert panel.table.rowCount() == 0 and panel.status.text() == ""
    assert panel.canvas.accessibleDescription() == PLACEHOLDER  # what the charts' place says
    monthly = window.monthly_panel
    assert monthly.results is None and monthly.intro.text() == PLACEHOLDER
    assert monthly.table.columnCount() == 0 and not monthly.status.isVisible()
