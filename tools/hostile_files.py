"""The main window under hostile files: mutated scenario files opened in the real MainWindow
(offscreen), each followed by a few edits, an undo and Save.

    .venv/bin/python tools/hostile_files.py                  # 1,000 files, seed 21
    .venv/bin/python tools/hostile_files.py --count 40 --seed 7 --out /tmp/hostile

The files are mutations of the shipped examples (resources/scenarios): deleted keys, wrong
types, huge numbers, NaN and Infinity, deep nesting, hostile text (newlines, bidi overrides,
NUL, lone surrogates, emoji), look-alike keys, hundreds of budget lines, truncated and damaged
JSON, and up to three of these at once.  The same seed gives the same files.

The files are opened by child processes, each running one window over many files; a child
that aborts (Qt's or Python's fatal error, exit 134) is recorded with the file it was on and
a new child carries on with the next file.  The run fails (exit 1) on any of:

- an abort (or a child killed by a signal, or a file that hangs past --timeout seconds);
- a traceback (``sys.excepthook``, ``threading.excepthook``), a Python warning, or a Qt
  warning, critical or fatal message (``qInstallMessageHandler``);
- a file changed other than the one saved, its ``.bak`` and the recovery file: each file is
  opened from a folder of its own beside an untouched neighbour, and every file under the
  run's folder is hashed before and after.

The summary is printed, and written as JSON to OUT/summary.json (aborts list the file and
the Python stack faulthandler wrote for it).
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "scenarios"
DEFAULT_COUNT = 1_000
DEFAULT_SEED = 21
ABORT = 134  # what a shell reports for SIGABRT (Fatal Python error, qFatal)
CHILD_TIMEOUT = 120.0  # seconds without progress: the file hangs the window
# Qt messages that say nothing about the app: the offscreen platform (tests, this script) has
# no window manager to pass size hints to.
BENIGN_QT = ("This plugin does not support propagateSizeHints()",)
# The script's own test (tests/test_hostile_files.py) makes a child misbehave on its second
# file, to prove each kind of failure is caught: "abort", "traceback" or "touch" (a neighbour).
SELF_TEST_ENV = "CHARITYRISK_HOSTILE_SELF_TEST"

# ----- making the files ----------------------------------------------------------------------

HOSTILE_TEXT = ["line one\nline two", "\u202eevil\u202c", "nul\x00byte", "\ud800", "tab\there",
                "emoji 🧾🇬🇧👩‍👩‍👧", "x" * 5_000, "", " ", "\x1b[31mred\x1b[0m", "é" * 300, "\r\n"]
WRONG_VALUES: list[Any] = ["12", "", None, True, False, [], {}, [1, 2], {"low": 1}, -1, 0, 1.5]
HUGE_VALUES: list[Any] = [1e308, -1e308, 1e300, 10 ** 30, -(10 ** 30), 2 ** 63, 2 ** 64 + 1, 1e-320,
                          -0.0, 123456789012345678901234567890]


def _walk(data: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """Every (path, value) in data, containers included (the root excluded)."""
    found: list[tuple[tuple, Any]] = []
    stack: list[tuple[tuple, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if where:
            found.append((where, value))
        if isinstance(value, dict):
            stack.extend((where + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((where + (i,), v) for i, v in enumerate(value))
    return found


def _parent(data: Any, where: tuple) -> Any:
    for step in where[:-1]:
        data = data[step]
    return data


def _set(data: Any, where: tuple, value: Any) -> None:
    _parent(data, where)[where[-1]] = value


def _pick(rng: random.Random, data: Any, want=lambda v: True) -> tuple | None:
    places = [w for w, v in _walk(data) if want(v)]
    return rng.choice(places) if places else None


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def m_delete_key(rng, data):
    where = _pick(rng, data, lambda v: True)
    if where is None:
        return "delete_key"
    parent = _parent(data, where)
    if isinstance(parent, dict):
        del parent[where[-1]]
    elif isinstance(parent, list) and parent:
        parent.pop(where[-1])
    return "delete_key"


def m_wrong_type(rng, data):
    where = _pick(rng, data)
    if where is not None:
        _set(data, where, copy.deepcopy(rng.choice(WRONG_VALUES)))
    return "wrong_type"


def m_huge_number(rng, data):
    where = _pick(rng, data, _number)
    if where is not None:
        _set(data, where, rng.choice(HUGE_VALUES))
    return "huge_number"


def m_nan(rng, data):
    where = _pick(rng, data, _number)
    if where is not None:
        _set(data, where, rng.choice([float("nan"), float("inf"), float("-inf")]))
    return "nan"


DEEP = "__hostile_deep_nesting__"  # replaced in the text by the nesting (deepcopy would recurse)


def m_deep(rng, data):
    where = _pick(rng, data)
    if where is None:
        data["extra"] = DEEP
    else:
        _set(data, where, DEEP)
    return "deep_nesting"


def _nest(rng: random.Random, text: str) -> str:
    while f'"{DEEP}"' in text:
        depth = rng.choice([30, 200, 900, 5_000])
        opener, closer = rng.choice([("[", "]"), ('{"k": ', "}")])
        text = text.replace(f'"{DEEP}"', opener * depth + "0" + closer * depth, 1)
    return text


def m_unicode(rng, data):
    text = rng.choice(HOSTILE_TEXT)
    if rng.random() < 0.5:
        where = _pick(rng, data, lambda v: isinstance(v, str))
        if where is not None:
            _set(data, where, text)
    else:  # a hostile key
        where = _pick(rng, data, lambda v: isinstance(v, dict))
        target = _parent(data, where)[where[-1]] if where else data
        target[text] = rng.choice([1, "x", []])
    return "unicode"


def m_typo_key(rng, data):
    where = _pick(rng, data, lambda v: True)
    if where is None or not isinstance(where[-1], str):
        return "typo_key"
    parent = _parent(data, where)
    key = where[-1]
    if len(key) > 2:
        i = rng.randrange(len(key) - 1)
        typo = key[:i] + key[i + 1] + key[i] + key[i + 2:]
        parent[typo] = parent.pop(key)
    return "typo_key"


def m_many_lines(rng, data):
    org = data.get("organisation")
    if isinstance(org, dict):
        line = {"name": "Line", "kind": "cost", "monthly": 1_000}
        budget = org.get("budget") if isinstance(org.get("budget"), list) and org.get("budget") else [line]
        count = rng.choice([60, 200, 201, 1_000])
        org["budget"] = [dict(copy.deepcopy(budget[i % len(budget)]), name=f"Line {i}")
                         if isinstance(budget[i % len(budget)], dict) else budget[i % len(budget)]
                         for i in range(count)]
    return "many_lines"


def m_many_contracts(rng, data):
    contracts = data.get("contracts")
    if isinstance(contracts, list) and contracts and isinstance(contracts[0], dict):
        count = rng.choice([20, 50, 51])
        data["contracts"] = [dict(copy.deepcopy(contracts[i % len(contracts)]), id=i + 1, name=f"C{i}")
                             for i in range(count)]
    return "many_contracts"


def m_empty(rng, data):
    where = _pick(rng, data, lambda v: isinstance(v, (list, dict)))
    if where is not None:
        _set(data, where, type(_parent(data, where)[where[-1]])())
    return "empty_container"


def m_version(rng, data):
    data["version"] = rng.choice([0, 1, 2, 3, 99, "2", None, 1.5, -1])
    return "version"


TREE_MUTATIONS = [m_delete_key, m_wrong_type, m_huge_number, m_nan, m_deep, m_unicode, m_typo_key,
                  m_many_lines, m_many_contracts, m_empty, m_version]


def _text_mutation(rng: random.Random, text: str) -> tuple[bytes, str]:
    raw = text.encode("utf-8", "surrogatepass")
    kind = rng.choice(["truncated", "flipped", "rubbish", "bom_utf16", "invalid_utf8", "empty",
                       "duplicate_key", "top_level"])
    if kind == "truncated":
        return raw[: rng.randrange(len(raw))], kind
    if kind == "flipped":
        b = bytearray(raw)
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(b))
            b[i] = rng.randrange(256)
        return bytes(b), kind
    if kind == "rubbish":
        return raw + rng.choice([b"}", b"]]]", b"\x00\xff", b" trailing"]), kind
    if kind == "bom_utf16":
        return text.encode("utf-16", "surrogatepass"), kind
    if kind == "invalid_utf8":
        i = rng.randrange(len(raw))
        return raw[:i] + b"\xc3\x28" + raw[i:], kind
    if kind == "empty":
        return b"", kind
    if kind == "duplicate_key":
        return raw.replace(b'"name"', b'"name": "dup", "name"', 1), kind
    return rng.choice([b"[]", b"null", b"42", b'"scenario"', b"[" * 100_000]), kind


def make_files(out: Path, count: int, seed: int) -> list[Path]:
    """``count`` mutated scenario files in ``out`` (made again, the same for the same seed)."""
    rng = random.Random(seed)
    sources = sorted(EXAMPLES.glob("*.json"))
    bases = [(p.stem, json.loads(p.read_text(encoding="utf-8"))) for p in sources]
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(count):
        stem, base = bases[n % len(bases)]
        data = copy.deepcopy(base)
        kinds = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            kinds.append(rng.choice(TREE_MUTATIONS)(rng, data))
        text = _nest(rng, json.dumps(data, indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.5))
        raw = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.15:
            raw, kind = _text_mutation(rng, text)
            kinds.append(kind)
        path = out / f"{n:04d}-{stem}-{'+'.join(kinds)}.json"
        path.write_bytes(raw)
        made.append(path)
    return made


# ----- one child: a window over many files ------------------------------------------------------

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name: hash)."""
    found = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            full = Path(dirpath) / name
            try:
                found[str(full.relative_to(folder))] = _digest(full)
            except OSError:
                found[str(full.relative_to(folder))] = "unreadable"
    return found


class _Prompts:
    """Answers every question as a user trying everything would: open files to correct them,
    save, Save anyway; a Save As goes to ``save_as`` in the file's own folder."""

    def __init__(self) -> None:
        self.parent = None
        self.save_as: Path | None = None
        self.said: list[str] = []

    def ask_open_path(self, *a, **k):
        return None

    def ask_open_paths(self, *a, **k):
        return []

    def ask_save_path(self, *a, **k):
        return self.save_as

    def ask_save_discard_cancel(self, question):
        return "discard"

    def ask_yes_no(self, question, yes="Yes", no="No", default=True):
        return True

    def ask_changed_on_disk(self, question):
        return "save"

    def ask_recovery_choice(self, question, items):
        return ("later", -1)

    def ask_choice(self, question, choices, default=""):
        return None

    def ask_text(self, question, text=""):
        return None

    def _show(self, *parts) -> None:
        self.said.append(" ".join(str(p) for p in parts))

    show_error = show_warning = show_info = show_about = show_problems = show_report = _show


def run_child(files: list[Path], work: Path, log: Path, seed: int) -> int:
    """Open each of ``files`` in one window; write a line to ``log`` before and after each."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("MPLBACKEND", "Agg")
    import faulthandler
    import threading
    import traceback
    import warnings

    logf = open(log, "a", encoding="utf-8", buffering=1)  # noqa: SIM115  (for the whole child)
    faulthandler.enable(logf, all_threads=True)  # an abort leaves the Python stack in the log

    def note(kind: str, text: str) -> None:
        logf.write(json.dumps({"event": kind, "text": text}) + "\n")

    def hook(kind, value, tb) -> None:
        note("traceback", "".join(traceback.format_exception(kind, value, tb)))

    sys.excepthook = hook
    threading.excepthook = lambda args: hook(args.exc_type, args.exc_value, args.exc_traceback)
    warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: note(
        "warning", f"{filename}:{lineno}: {category.__name__}: {message}")
    warnings.simplefilter("always")

    from PySide6.QtCore import QSettings, QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def qt_message(kind, context, text) -> None:
        if kind not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg) and text not in BENIGN_QT:
            note("qt", f"{kind.name}: {text}")

    qInstallMessageHandler(qt_message)
    app = QApplication.instance() or QApplication([])

    from charityrisk.gui.recovery import RecoveryManager
    from charityrisk.gui.window import MainWindow
    from charityrisk.model import load_scenario
    from charityrisk.resources import example_scenario_path

    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    prompts = _Prompts()
    window = MainWindow(settings, prompts=prompts)
    RecoveryManager(window, folder=work / "recovery", interval_ms=60_000)
    window.show()
    example = load_scenario(example_scenario_path())
    from dataclasses import replace
    example = replace(example, settings=replace(example.settings, paths=500))

    sabotage = os.environ.get(SELF_TEST_ENV, "")
    for number, source in enumerate(files):
        rng = random.Random(f"{seed}:{source.name}")
        note("start", source.name)
        home = work / "files" / source.stem
        home.mkdir(parents=True, exist_ok=True)
        target = home / "scenario.json"
        shutil.copyfile(source, target)
        shutil.copyfile(example_scenario_path(), home / "neighbour.json")
        prompts.save_as = home / "saved-as.json"
        before = snapshot(home)

        opened, edits = False, 0
        try:  # what the app would meet in a slot (sys.excepthook there); here, a traceback too
            opened, edits = _exercise(window, app, example, target, rng,
                                      sabotage if number == 1 else "", home)
        except Exception as error:
            hook(type(error), error, error.__traceback__)
        app.processEvents()
        saved = window.path
        after = snapshot(home)
        allowed = {"scenario.json", "scenario.json.bak", "saved-as.json", "saved-as.json.bak"}
        if saved is not None and saved.parent == home:
            allowed = {saved.name, saved.name + ".bak"}
        changed = sorted(n for n in set(before) | set(after)
                         if before.get(n) != after.get(n) and n not in allowed)
        if changed:
            note("changed", f"{source.name}: {changed}")
        note("done", json.dumps({"file": source.name, "opened": opened, "saved": str(saved) if saved else None,
                                 "edits": edits, "files": sorted(after)}))
    window.runner.shutdown()
    window.save_runner.shutdown()
    window.export_runner.shutdown()
    window.decisions_panel.shutdown()
    window.variants_panel.shutdown()
    if window.recovery is not None:
        window.recovery.finish()
    note("end", "")
    return 0


def _exercise(window, app, example, target: Path, rng: random.Random, sabotage: str,
              home: Path) -> tuple[bool, int]:
    """Open ``target`` in a clean window, make a few edits (spin boxes, a budget line added
    and removed), undo one, keep the work for recovery and Save."""
    from PySide6.QtWidgets import QAbstractSpinBox

    window.load(example, None)  # each file starts from a clean, untitled window
    opened = window.open_path(target)
    edits = 0
    spins = [s for s in window.form.findChildren(QAbstractSpinBox) if s.isEnabled() and s.isVisible()]
    for spin in rng.sample(spins, min(3, len(spins))):
        spin.stepBy(rng.choice([-3, -1, 1, 5]))
        window.settle_now()
        edits += 1
    budget = window.form.budget
    budget.add_line()
    window.settle_now()
    if budget.lines():
        budget.remove_line()
        window.settle_now()
    app.processEvents()
    window.undo_stack.undo()
    app.processEvents()
    if window.recovery is not None:
        window.recovery.autosave(force=True)
        window.recovery.wait()
    if sabotage:
        _sabotage(sabotage, home, app)
    window.save()
    deadline = time.monotonic() + 60
    while window.saving is not None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return opened, edits


def _sabotage(kind: str, home: Path, app) -> None:
    from PySide6.QtCore import QTimer

    if kind == "abort":
        import faulthandler

        faulthandler._sigabrt()
    elif kind == "traceback":
        def fail() -> None:
            raise RuntimeError("a slot failed (self-test)")

        QTimer.singleShot(0, fail)
        app.processEvents()
    elif kind == "touch":
        (home / "neighbour.json").write_text("{}", encoding="utf-8")


# ----- the parent: children, aborts and the summary --------------------------------------------

def _read_log(log: Path) -> list[dict]:
    events = []
    if not log.exists():
        return events
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append({"event": "raw", "text": line})  # faulthandler's stack, as written
    return events


def run(files: list[Path], out: Path, seed: int, timeout: float = CHILD_TIMEOUT,
        python: str = sys.executable, quiet: bool = False) -> dict:
    """Open every file in child windows; the summary (see the module docstring)."""
    work = out / "work"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    corpus_before = {p.name: _digest(p) for p in files}
    done: set[str] = set()
    aborts: list[dict] = []
    problems: list[dict] = []
    remaining = list(files)
    child_no = 0
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MPLBACKEND="Agg", CHARITYRISK_NO_START="1",
               PYTHONFAULTHANDLER="1")
    started = time.monotonic()
    while remaining:
        child_no += 1
        log = out / f"child-{child_no:03d}.log"
        log.unlink(missing_ok=True)
        listing = out / f"child-{child_no:03d}.files"
        listing.write_text("\n".join(str(p) for p in remaining), encoding="utf-8")
        err_file = out / f"child-{child_no:03d}.err"
        with open(err_file, "wb") as err:  # a file, not a pipe: a chatty child never blocks
            proc = subprocess.Popen([python, str(Path(__file__).resolve()), "--child", str(listing),
                                     "--work", str(work), "--log", str(log), "--seed", str(seed)],
                                    env=env, cwd=str(work), stdout=subprocess.DEVNULL, stderr=err)
            last_size, last_change = -1, time.monotonic()
            hung = False
            while proc.poll() is None:
                time.sleep(0.2)
                size = log.stat().st_size if log.exists() else 0
                if size != last_size:
                    last_size, last_change = size, time.monotonic()
                elif time.monotonic() - last_change > timeout:
                    proc.kill()
                    hung = True
            proc.wait()
        stderr = err_file.read_text(encoding="utf-8", errors="replace")
        events = _read_log(log)
        current = None
        raw: list[str] = []
        for event in events:
            kind = event["event"]
            if kind == "start":
                current, raw = event["text"], []
            elif kind == "done":
                done.add(current or "")
                current = None
            elif kind in ("traceback", "warning", "qt", "changed"):
                problems.append({"file": current, "kind": kind, "text": event["text"]})
            elif kind == "raw":
                raw.append(event["text"])
        code = proc.returncode
        fatal = re.search(r"Fatal Python error: [^\n]*", stderr + "\n" + "\n".join(raw))
        died = {"exit": code, "error": fatal.group(0) if fatal else "",
                "fatal": "\n".join(raw)[-4000:], "stderr": stderr[-4000:]}
        if current is not None:  # the child died on this file
            reason = "hang" if hung else ("abort" if code in (ABORT, -6) else f"exit {code}")
            aborts.append({"file": current, "reason": reason, **died})
        elif code in (ABORT, -6):  # after the last file: while the window closed, or at exit
            aborts.append({"file": "(at exit)", "reason": "abort", **died})
        elif code != 0:
            problems.append({"file": None, "kind": "child", "text": f"exit {code}: {stderr[-2000:]}"})
            if not events:
                break  # the child cannot even start: nothing more to learn
        # Carry on after the last file this child finished (or died on).
        seen = done | {a["file"] for a in aborts}
        remaining = [p for p in remaining if p.name not in seen]
        if not quiet:
            print(f"  {len(seen)}/{len(files)} files, {len(aborts)} aborts, {len(problems)} problems, "
                  f"{time.monotonic() - started:.0f} s", flush=True)
    corpus_after = {p.name: _digest(p) for p in files if p.exists()}
    if corpus_after != corpus_before:
        problems.append({"file": None, "kind": "changed", "text": "the source files changed"})
    summary = {
        "files": len(files), "opened_and_finished": len(done), "aborts": aborts,
        "abort_count": len(aborts), "problems": problems, "problem_count": len(problems),
        "seconds": round(time.monotonic() - started, 1), "seed": seed, "children": child_no,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=Path("hostile-files"))
    parser.add_argument("--timeout", type=float, default=CHILD_TIMEOUT)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        files = [Path(line) for line in args.child.read_text(encoding="utf-8").splitlines() if line]
        sys.path.insert(0, str(ROOT))
        return run_child(files, args.work, args.log, args.seed)
    out = args.out.resolve()
    files = make_files(out / "files", args.count, args.seed)
    print(f"{len(files)} mutated files in {out / 'files'}; opening each in the window...", flush=True)
    summary = run(files, out, args.seed, args.timeout)
    print(f"{summary['files']} files, {summary['opened_and_finished']} finished, "
          f"{summary['abort_count']} aborts, {summary['problem_count']} tracebacks, warnings or changed "
          f"files, {summary['seconds']} s (details: {out / 'summary.json'})")
    for abort in summary["aborts"]:
        print(f"  {abort['reason']}: {abort['file']}: {abort['error']}")
    for found in summary["problems"][:20]:
        print(f"  {found['kind']} in {found['file']}: {found['text'].splitlines()[-1] if found['text'] else ''}")
    return 0 if not summary["aborts"] and not summary["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
