"""Save docs/screenshot.png (the Risk tab), docs/monthly.png (the Month by month tab) and
docs/decisions.png and docs/compare.png (the decisions tab) of the app on the built-in
example, in a real window: run under Xvfb,
    xvfb-run -a -s '-screen 0 1440x900x24' .venv/bin/python tools/screenshots.py
"""
import sys
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
        window.tabs.setCurrentWidget(window.monthly_panel)
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "monthly.png")), panel.run_analysis()))

    def after_analysis(_analysis) -> None:
        window.tabs.setCurrentIndex(1)
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "decisions.png")), panel.run_comparison()))

    def after_comparison(_comparison) -> None:
        QTimer.singleShot(400, lambda: (window.grab().save(str(DOCS / "compare.png")), app.quit()))

    window.results_shown.connect(risk_tab)
    panel.analysis_shown.connect(after_analysis)
    panel.comparison_shown.connect(after_comparison)
    window.load(load_scenario(example_scenario_path()), None)
    app.exec()
    window.runner.shutdown()
    panel.shutdown()
    (DOCS / ".screenshot-settings.ini").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
