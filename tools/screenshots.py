"""Save docs/screenshot.png (the Risk tab), docs/monthly.png (the Month by month tab),
docs/decisions.png, docs/compare.png and docs/negotiate.png (the decisions tab) and
docs/variants.png (Try different terms) of the app on the built-in example, in a real
window: run under Xvfb,
    xvfb-run -a -s '-screen 0 1440x900x24' .venv/bin/python tools/screenshots.py
"""
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from charityrisk.gui.window import MainWindow
from charityrisk.model import load_scenario
from charityrisk.resources import example_scenario_path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = MainWindow(QSettings(str(DOCS / ".screenshot-settings.ini"), QSettings.Format.IniFormat))
    window.resize(1440, 900)
    window.show()
    panel = window.decisions_panel

    def risk_tab(_results) -> None:
        window.results_shown.disconnect(risk_tab)
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "screenshot.png")), monthly_tab()))

    def monthly_tab() -> None:
        # Each results tab is its panel in a scroll area: show the page that holds it.
        window.tabs.setCurrentIndex(next(i for i in range(window.tabs.count())
                                         if window.tabs.widget(i).isAncestorOf(window.monthly_panel)
                                         or window.tabs.widget(i) is window.monthly_panel))
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "monthly.png")), panel.run_analysis()))

    def after_analysis(_analysis) -> None:
        window.tabs.setCurrentIndex(1)
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "decisions.png")), panel.run_comparison()))

    def after_comparison(_comparison) -> None:
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "compare.png")), negotiate()))

    def negotiate() -> None:
        panel.views.setCurrentWidget(panel.negotiate)
        panel.negotiate.run()

    def after_negotiation(_negotiation) -> None:
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "negotiate.png")), variants()))

    def variants() -> None:
        # Two variants of the example's terms, kept as "Try different terms..." would keep them.
        s = window.scenario
        c = s.contracts[0]
        kept = (replace(s, name="As offered: 25% at risk"),
                replace(s.with_contract(0, share_at_risk=0.1), name="10% at risk, outcomes paid in 6 months")
                .with_contract(0, outcome_lag_months=6) if c.outcome_lag_months > 6 else
                replace(s.with_contract(0, share_at_risk=0.1), name="10% at risk"))
        window.change_scenario(replace(s, variants=kept), "kept two variants")
        window.compare_variants()

    def after_variants(_comparison) -> None:
        window.undo_stack.setClean()  # nothing to save: closing must not ask
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "variants.png")), app.quit()))

    window.results_shown.connect(risk_tab)
    panel.analysis_shown.connect(after_analysis)
    panel.comparison_shown.connect(after_comparison)
    panel.negotiate.shown.connect(after_negotiation)
    window.variants_panel.comparison_shown.connect(after_variants)
    window.load(load_scenario(example_scenario_path()), None)
    app.exec()
    window.runner.shutdown()
    panel.shutdown()
    window.variants_panel.shutdown()
    (DOCS / ".screenshot-settings.ini").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
