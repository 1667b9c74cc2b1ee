"""Start the app: ``charityrisk [FILE] [--smoke] [--screenshot PNG]``."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SMOKE_PATHS = 2_000
SMOKE_TIMEOUT_MS = 60_000
SCREEN_SHARE = 0.9  # of the screen's free area the window opens at
MIN_SIZE = (1100, 700)  # on a screen with less room than this, the window takes all there is
NO_START_ENV = "CHARITYRISK_NO_START"  # set (tests, scripts): skip the first-start question


def window_size(available_width: int, available_height: int) -> tuple[int, int]:
    """The window's opening size on a screen with that much free room: 90% of it, at least
    MIN_SIZE, but never more than the screen (a 1024 x 768 projector gets all of its width)."""
    def one(room: int, least: int) -> int:
        return min(room, max(least, int(room * SCREEN_SHARE)))
    return one(available_width, MIN_SIZE[0]), one(available_height, MIN_SIZE[1])


def fit_to_screen(window, screen=None) -> None:
    """Size and centre ``window`` on the screen it is on (or ``screen``)."""
    from PySide6.QtGui import QGuiApplication

    screen = screen or window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    free = screen.availableGeometry()
    width, height = window_size(free.width(), free.height())
    window.resize(width, height)
    window.move(free.x() + (free.width() - width) // 2, free.y() + (free.height() - height) // 2)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="charityrisk", description="Open the CharityRisk app.")
    parser.add_argument("file", nargs="?", help="a scenario file to open (default: the built-in example)")
    parser.add_argument("--smoke", action="store_true",
                        help="build the window offscreen, run a small simulation and exit 0 if it works")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the window once results show, then exit")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    if args.smoke:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from .. import APP_NAME
    from ..model import load_scenario
    from ..resources import example_scenario_path
    from .window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from .fileopen import install as install_file_open

    opened_by_system = install_file_open(app)  # macOS: double-click or "Open With" a scenario
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    from PySide6.QtGui import QIcon

    from ..resources import resource_path

    # Static, and app may be typed as the QCoreApplication instance() returns.
    QApplication.setWindowIcon(QIcon(str(resource_path("icon.png"))))
    settings = QSettings(APP_NAME, APP_NAME)
    window = MainWindow(settings)
    example = load_scenario(example_scenario_path())
    if args.smoke:
        from dataclasses import replace

        example = replace(example, settings=replace(example.settings, paths=SMOKE_PATHS))
    window.load(example, None)
    fit_to_screen(window)
    window.show()
    if args.file:
        # After show(), so a file that fails to load gets its messages in a box over the
        # window (the example stays open behind it) instead of blocking start-up.
        window.open_path(Path(args.file))
    opened_by_system.attach(window.open_path_checked, owner=window)
    if not (args.smoke or args.screenshot):  # keep unsaved work; offer back what a crash left
        from .recovery import RecoveryManager

        restored = RecoveryManager(window).offer_restore()
        from .start import offer_start, should_offer

        if not (restored or args.file or os.environ.get(NO_START_ENV)) and should_offer(settings):
            offer_start(window)

    outcome = {"code": 0}
    if args.smoke or args.screenshot:
        def done(results) -> None:
            if args.screenshot:
                window.grab().save(args.screenshot)
                print(f"Screenshot saved to {args.screenshot}")
            if args.smoke:
                print(f"smoke: window built, {results.paths:,} futures simulated, "
                      f"p_run_out={results.p_run_out:.4f}")
            window.setWindowModified(False)
            window.undo_stack.setClean()
            app.quit()

        def timeout() -> None:
            print("smoke: no results within the time limit", file=sys.stderr)
            outcome["code"] = 1
            app.quit()

        window.results_shown.connect(lambda r: QTimer.singleShot(300, lambda: done(r)))
        QTimer.singleShot(SMOKE_TIMEOUT_MS, timeout)
    code = app.exec()
    window.runner.shutdown()
    if window.recovery is not None:  # work still unsaved is offered next start
        window.recovery.release()
    return outcome["code"] or code
