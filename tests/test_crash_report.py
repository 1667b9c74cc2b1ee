"""After an abort, something to send (issue 21): a fatal error or an unexpected exception
leaves a short crash report (faulthandler's stacks, the traceback; no scenario data) in the
app's own folder, and the next start offers to show it beside the recovered work."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QApplication

from charityrisk.gui import crash
from charityrisk.gui.crash import CrashReporter, offer_reports, pending_reports

# How an abort ends a process: SIGABRT on POSIX (a shell says 134), exit status 3 on Windows.
ABORTED = (-6, 134, 3) if os.name == "nt" else (-6, 134)
SECRET = "Secret Youth Mentoring Contract 987,654"  # scenario data: never in a report

ABORTS = textwrap.dedent(f"""
    import sys
    from charityrisk.gui.crash import CrashReporter
    CrashReporter.install(sys.argv[1])
    name = {SECRET!r}
    import faulthandler
    faulthandler._sigabrt()  # what a fatal error does: Python's or Qt's abort
""")

NONE_DEALLOC = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from charityrisk.gui.crash import CrashReporter
    CrashReporter.install(sys.argv[1], capture_stderr=True)  # as the app does
    import ctypes
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    # What PySide6 6.12.0 on Python 3.11 ends in (gui/none_guard keeps it from happening, so
    # the fatal error is raised here as the interpreter raises it).
    ctypes.pythonapi.Py_FatalError(b"none_dealloc: deallocating None")
""")

RAISES_IN_A_SLOT = textwrap.dedent(f"""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from charityrisk.gui.crash import CrashReporter
    reporter = CrashReporter.install(sys.argv[1])
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])

    def slot():
        raise ValueError({SECRET!r})

    QTimer.singleShot(0, slot)
    QTimer.singleShot(50, app.quit)
    app.exec()
    reporter.close()
""")


def run_child(code: str, folder) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True,
                          timeout=120)


def only_report(folder):
    reports = sorted(folder.glob("crash-*.txt"))
    assert len(reports) == 1, reports
    return reports[0], reports[0].read_text(encoding="utf-8")


def test_a_fatal_error_leaves_a_report_the_next_start_finds(tmp_path, prompts):
    folder = tmp_path / "recovery"
    done = run_child(ABORTS, folder)
    assert done.returncode in ABORTED, done.stderr  # an abort
    report, text = only_report(folder)
    assert "crash report" in text and "python:" in text and "pyside6:" in text
    assert "Fatal Python error: Aborted" in text and "<module>" in text  # the stack, from faulthandler
    assert SECRET not in text
    assert pending_reports(folder) == [report]

    prompts.script("ask_yes_no", True)  # Show the report?
    assert offer_reports(prompts, folder)
    (question,) = prompts.questions("ask_yes_no")
    assert "stopped unexpectedly" in question and "crash report" in question
    ((_, shown, where),) = prompts.messages("show_report")
    assert "Fatal Python error" in shown and where.endswith(".seen.txt")
    assert (folder / where.rsplit("/", 1)[-1]).exists()  # kept, to send
    assert pending_reports(folder) == [] and not offer_reports(prompts, folder)  # offered once
    assert len(prompts.questions("ask_yes_no")) == 1


def test_the_none_dealloc_abort_leaves_a_report(tmp_path):
    folder = tmp_path / "recovery"
    done = run_child(NONE_DEALLOC, folder)
    assert done.returncode in ABORTED, done.stderr
    _, text = only_report(folder)
    assert "none_dealloc" in text and "<module>" in text


def test_an_unexpected_exception_leaves_its_traceback_without_its_message(tmp_path):
    folder = tmp_path / "recovery"
    done = run_child(RAISES_IN_A_SLOT, folder)
    assert done.returncode == 0, done.stderr
    assert "ValueError" in done.stderr  # still said where it was said before
    _, text = only_report(folder)
    assert "Unexpected exception: builtins.ValueError" in text and "in slot" in text
    assert SECRET not in text  # the message may quote a contract's name: left out


def test_an_exception_in_a_worker_thread_is_reported_too(tmp_path):
    import threading

    reporter = CrashReporter.install(tmp_path)
    assert reporter is not None
    previous = threading.excepthook
    try:
        threading.excepthook = lambda args: None  # the default would print; the report is the point
        reporter._previous_thread_hook = threading.excepthook
        threading.excepthook = reporter._thread_excepthook

        def work():
            raise KeyError(SECRET)

        thread = threading.Thread(target=work, name="engine-run")
        thread.start()
        thread.join()
    finally:
        reporter.close()
        threading.excepthook = previous
    _, text = only_report(tmp_path)
    assert "in thread engine-run: builtins.KeyError" in text and "in work" in text and SECRET not in text


def test_a_clean_exit_leaves_no_report(tmp_path):
    hooks = sys.excepthook
    reporter = CrashReporter.install(tmp_path)
    assert reporter is not None and reporter.path.exists()
    reporter._write("something a library printed\n")
    assert pending_reports(tmp_path) == []  # a running session's report is not a crash
    reporter.close()
    assert not list(tmp_path.glob("crash-*")) and sys.excepthook is hooks


def test_no_report_where_the_folder_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert CrashReporter.install(blocker / "recovery") is None


def test_only_the_newest_few_seen_reports_are_kept(tmp_path, prompts):
    for n in range(crash.KEEP_SEEN + 3):
        (tmp_path / f"crash-2026010{n}-1-{n}.txt").write_text(crash.HEADER_END + f"crash {n}\n")
    prompts.script("ask_yes_no", False)  # not shown now: still kept to send
    assert not offer_reports(prompts, tmp_path)
    assert f"({crash.KEEP_SEEN + 3} reports)" in prompts.questions("ask_yes_no")[0]
    assert len(list(tmp_path.glob("crash-*.seen.txt"))) == crash.KEEP_SEEN
    assert pending_reports(tmp_path) == []


def test_the_app_start_offers_the_report_beside_the_recovered_work(qtbot, tmp_path, monkeypatch, request,
                                                                  created_windows, prompts, example):
    """main() keeps its report in the recovery folder, offers an earlier one after the
    recovered work, and leaves none of its own after a clean exit."""
    from charityrisk.gui import main as gui_main
    from charityrisk.gui import recovery
    from charityrisk.model import save_scenario, scenario_to_dict

    folder = tmp_path / "data" / "recovery"
    monkeypatch.setattr(recovery, "default_folder", lambda: folder)  # the app's own folder
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = QApplication.instance()
    names = app.applicationName(), app.organizationName()
    request.addfinalizer(lambda: (app.setApplicationName(names[0]), app.setOrganizationName(names[1])))
    folder.mkdir(parents=True)
    saved = tmp_path / "bid.json"
    save_scenario(example, saved)
    scenario = scenario_to_dict(example)
    (folder / "session-4242-dead.json").write_text(json.dumps({
        "format": "charityrisk-recovery", "version": 1, "saved_at": "2024-01-01T10:00:00+00:00",
        "original_path": str(saved), "scenario": scenario, "last_valid": scenario}))
    left = folder / "crash-20240101-100000-4242.txt"
    left.write_text("CharityRisk crash report\n" + crash.HEADER_END + "Fatal Python error: none_dealloc\n")
    prompts.script("ask_yes_no", True, True)  # restore the work; show the report
    seen = {}

    def session(*_):
        seen["own"] = sorted(p.name for p in folder.glob("crash-*.txt") if "4242" not in p.name)
        return 0

    monkeypatch.setattr(QApplication, "exec", session)
    assert gui_main.main([]) == 0
    w = created_windows[0]
    qtbot.addWidget(w)
    restore, offer = prompts.questions("ask_yes_no")
    assert "bid.json" in restore and "crash report" in offer  # the work first, then the report
    ((_, text, _),) = prompts.messages("show_report")
    assert "none_dealloc" in text
    assert len(seen["own"]) == 1  # this session's report was open while it ran...
    assert not (folder / seen["own"][0]).exists()  # ...and gone after the clean exit
    assert (folder / "crash-20240101-100000-4242.seen.txt").exists()
    w.recovery.finish()
    w.recovery = None
    w.runner.shutdown()
