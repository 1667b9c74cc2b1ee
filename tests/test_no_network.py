"""The app makes no network connection at all, proved over a whole session.

With every way Python opens a socket or looks up a name blocked (socket.socket and friends
patched to raise, and an audit hook that refuses and records any socket, DNS, HTTP or
browser event however the module was imported), a full session runs: start the app on a
file, edit, simulate, find what would make it safe, compare payment structures, save, export
the report and the CSV, close; and the command line simulates, compares and writes a report.
Then: no attempt was recorded, Qt's network module was never loaded, and the process holds
no internet socket (checked in /proc, which also sees sockets opened by C++ code).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request  # before the patches: it subclasses socket.socket
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractSpinBox, QApplication

from charityrisk.model import load_scenario, save_scenario
from charityrisk.resources import example_scenario_path

ROOT = Path(__file__).resolve().parents[1]
NETWORK_EVENTS = ("socket.", "urllib.", "http.", "ftplib.", "smtplib.", "poplib.", "imaplib.",
                  "nntplib.", "telnetlib.", "webbrowser.")
_blocking = {"on": False, "attempts": []}


def _audit(event: str, args) -> None:
    if _blocking["on"] and event.startswith(NETWORK_EVENTS):
        _blocking["attempts"].append((event, repr(args)[:200]))
        raise PermissionError(f"network blocked by test: {event}")


sys.addaudithook(_audit)  # hooks cannot be removed: it acts only while _blocking is on


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        _blocking["attempts"].append(("patched socket call", repr(args)[:200]))
        raise OSError("network blocked by test")

    for name in ("socket", "create_connection", "create_server", "socketpair", "getaddrinfo",
                 "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "fromfd"):
        monkeypatch.setattr(socket, name, refuse)
    _blocking["attempts"].clear()
    _blocking["on"] = True
    try:
        yield _blocking["attempts"]
    finally:
        _blocking["on"] = False


def inet_sockets() -> set[str]:
    """Internet sockets this process holds (Linux /proc), whoever opened them."""
    fd_dir = Path("/proc/self/fd")
    mine = set()
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[len("socket:["):-1])
    inet = set()
    for table in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
        try:
            lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        inet |= {line.split()[9] for line in lines if len(line.split()) > 9}
    return mine & inet


def test_the_block_works(no_network):
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80))
    with pytest.raises(OSError):
        urllib.request.urlopen("http://example.org", timeout=1)
    assert no_network  # both attempts were seen
    no_network.clear()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_full_app_session_makes_no_connection(qtbot, tmp_path, monkeypatch, no_network, request,
                                                created_windows, prompts):
    windows = created_windows
    from charityrisk.gui import main as gui_main

    before_sockets = inet_sockets()
    app = QApplication.instance()
    names = app.applicationName(), app.organizationName()
    request.addfinalizer(lambda: (app.setApplicationName(names[0]), app.setOrganizationName(names[1])))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # recovery files go here
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    example = load_scenario(example_scenario_path())
    scenario_file = tmp_path / "bid.json"
    save_scenario(replace(example, settings=replace(example.settings, paths=2_000)), scenario_file)
    outputs = {".pdf": tmp_path / "report.pdf", ".csv": tmp_path / "figures.csv"}
    # Restoring is answered No (the fake's default); the exports get their files by kind.
    prompts.script("ask_save_path", *[lambda title, suggested, file_filter: outputs[
        ".pdf" if "pdf" in file_filter.lower() else ".csv"]] * 2)
    done = {}

    def session(*_):  # what a user does between start and quit
        w = windows[0]
        qtbot.waitUntil(lambda: w.results_panel.results is not None and not w.runner.is_busy(),
                        timeout=60_000)
        with qtbot.waitSignal(w.results_shown, timeout=60_000):
            spin = w.form.findChild(QAbstractSpinBox, "organisation.opening_reserves")
            spin.setValue(spin.value() + 10_000)
        panel = w.decisions_panel
        with qtbot.waitSignal(panel.analysis_shown, timeout=120_000):
            panel.run_analysis()
        with qtbot.waitSignal(panel.comparison_shown, timeout=120_000):
            panel.run_comparison()
        assert w.save()
        with qtbot.waitSignal(w.exported, timeout=60_000):
            w.export_report()
        with qtbot.waitSignal(w.exported, timeout=60_000):
            w.export_csv()
        w.show_about()
        done["sockets during"] = inet_sockets() - before_sockets
        assert w.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", session)
    assert gui_main.main([str(scenario_file)]) == 0
    for w in windows:
        qtbot.addWidget(w)

    assert no_network == []
    assert done["sockets during"] == set()
    assert inet_sockets() - before_sockets == set()
    assert not any(name.startswith("PySide6.QtNetwork") for name in sys.modules)
    assert outputs[".pdf"].read_bytes().startswith(b"%PDF")
    assert outputs[".csv"].stat().st_size > 0
    assert prompts.messages("show_about") == ["About CharityRisk"]
    assert json.loads(scenario_file.read_text())["organisation"]["opening_reserves"] == \
        example.organisation.opening_reserves + 10_000


NO_NETWORK_CLI = """
import socket, sys
attempts = []
def audit(event, args):
    if event.startswith({events!r}):
        attempts.append(event)
        raise PermissionError(event)
sys.addaudithook(audit)
from charityrisk.cli import main
codes = [main(["simulate", sys.argv[1], "--json", "--paths", "500"]),
         main(["compare", sys.argv[1], "--presets", "--paths", "500"]),
         main(["report", sys.argv[1], "-o", sys.argv[2], "--paths", "500"])]
assert not any(m.startswith("PySide6.QtNetwork") for m in sys.modules)
print(codes, attempts, file=sys.stderr)
sys.exit(1 if attempts or any(codes) else 0)
"""


def test_the_command_line_makes_no_connection(tmp_path):
    report = tmp_path / "report.pdf"
    done = subprocess.run([sys.executable, "-c", NO_NETWORK_CLI.format(events=NETWORK_EVENTS),
                           str(example_scenario_path()), str(report)], capture_output=True, text=True,
                          timeout=180, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert report.read_bytes().startswith(b"%PDF")
