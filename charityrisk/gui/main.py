"""Start the app: ``charityrisk [FILE] [--smoke] [--screenshot PNG]``."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..textsafety import escaped
from .screen import MIN_SIZE, SCREEN_SHARE, fit_to_screen, window_size  # noqa: F401 (tests read them here)

SMOKE_PATHS = 2_000
SMOKE_TIMEOUT_MS = 60_000
EXIT_NO_DISPLAY = 2  # as any other mistake the user can correct: one line, not Qt's abort (134)
NO_START_ENV = "CHARITYRISK_NO_START"  # set (tests, scripts): skip the first-start question


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="charityrisk", description="Open the CharityRisk app.")
    parser.add_argument("file", nargs="?", help="a scenario file to open (default: the built-in example)")
    parser.add_argument("--smoke", action="store_true",
                        help="build the window offscreen, run a small simulation and exit 0 if it works")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the window once results show, then exit")
    return parser.parse_args(argv)


def _platform_names(environ: Mapping[str, str]) -> list[str]:
    """The Qt platforms this start would try, in order (QT_QPA_PLATFORM is a ;-list)."""
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return [part.split(":")[0].strip() for part in chosen.split(";") if part.strip()]
    if environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland":
        return ["wayland", "xcb"]  # Qt 6 prefers Wayland in a Wayland session, then X11
    return ["xcb"]


def xcb_connects(display: str | None) -> bool | None:
    """Whether an X11 connection to ``display`` (None: $DISPLAY) opens, as Qt's xcb platform
    plugin opens it (libxcb's xcb_connect); None when libxcb cannot be loaded (Qt then says)."""
    import ctypes

    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode() if display else None, None)
    try:  # xcb_connect never returns NULL: a failed connection is one in an error state
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def display_problem(environ: Mapping[str, str] = os.environ, platform: str = sys.platform,
                    connects: Callable[[str | None], bool | None] = xcb_connects) -> str | None:
    """Why the window cannot open on this display, in one line, checked before Qt starts
    (whose xcb plugin aborts with exit 134 when the display cannot be opened: a stale
    DISPLAY over ssh, an X server gone); None when it can, or when only Qt can tell."""
    if not platform.startswith("linux"):
        return None
    platforms = _platform_names(environ)
    if not platforms or platforms[0] != "xcb":
        return None  # offscreen, wayland...: not ours to guess
    display = environ.get("DISPLAY", "")
    if not display:
        return ("no display to open the window on (DISPLAY is not set); the commands work "
                "without one: charityrisk simulate --help")
    if connects(display) is False:
        return (f"cannot open the display {display!r} (no X server answers there: a stale DISPLAY, "
                "perhaps from an old ssh session); the commands work without one: "
                "charityrisk simulate --help")
    return None


def _new_application(reporter) -> Any:
    """QApplication, but a Qt platform that cannot start is one line and exit 2 rather than
    Qt's abort: its fatal message is caught while the application is made."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    said: list[str] = []

    def during_start(kind, _context, text: str) -> None:
        if kind == QtMsgType.QtFatalMsg:
            reason = next((m for m in said if "display" in m.lower()), said[0] if said else text)
            reason = reason.strip().splitlines()[0] if reason.strip() else "no Qt platform could start"
            print(escaped(f"charityrisk: the window cannot open: {reason}"), file=sys.stderr)
            sys.stderr.flush()
            if reporter is not None:
                reporter.close()
            os._exit(EXIT_NO_DISPLAY)
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg):
            said.append(text)  # said after the start, if it succeeds; else only the one line

    def to_terminal(_kind, _context, text: str) -> None:
        # Python's sys.stderr: the terminal, while descriptor 2 is the crash report.
        print(text, file=sys.stderr)

    qInstallMessageHandler(during_start)
    try:
        app = QApplication(sys.argv[:1])
    finally:
        qInstallMessageHandler(to_terminal)
    for text in said:
        print(text, file=sys.stderr)
    return app


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    if args.smoke:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from .. import APP_NAME

    if QApplication.instance() is None:
        problem = display_problem()
        if problem:
            print(escaped(f"charityrisk: {problem}"), file=sys.stderr)
            return EXIT_NO_DISPLAY
    # Named before the application exists, so the app's folder is known to the crash report.
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_NAME)
    from .crash import CrashReporter, offer_reports
    from .recovery import default_folder

    own_folder = default_folder()
    # Python's fatal errors go to descriptor 2: into the report when this is the app's own
    # process (not when a test or a host already made the application).
    reporter = CrashReporter.install(own_folder, capture_stderr=QApplication.instance() is None)
    try:
        return _run(args, reporter, own_folder, offer_reports)
    finally:
        if reporter is not None:
            reporter.close()


def _run(args: argparse.Namespace, reporter, own_folder: Path, offer_reports) -> int:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from .. import APP_NAME
    from ..model import load_scenario
    from ..resources import example_scenario_path
    from .window import MainWindow

    app = QApplication.instance() or _new_application(reporter)
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
        # Beside the recovered work: what an abort or an unexpected error left to send.
        offer_reports(window.prompts, own_folder, own=reporter.path if reporter else None)
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
