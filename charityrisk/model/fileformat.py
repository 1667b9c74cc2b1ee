"""Scenario files: JSON only (never pickle or eval), versioned, saved atomically.

Version 1 is the model contract in docs/model.md; version 2 adds keys to it.  The app writes
version 2 and reads 1 and 2: a version 1 file is brought up by ``migrate_v1_to_v2`` and means
exactly what it meant.  A file without a ``format``/``version`` header is read as version 1
(hand-written files from the contract); a newer version is refused rather than half-read, so a
file is never silently misunderstood.
"""
from __future__ import annotations

import errno
import json
import math
import os
import shutil
import stat
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

from . import fields as F
from .scenario import BudgetLine, Contract, Organisation, Scenario, Uncertain
from .migration import FORMAT_NAME, FORMAT_VERSION, MIGRATIONS, check_header, migrate_v1_to_v2  # noqa: F401
from .problems import ScenarioError, _show
from .validation import scenario_from_dict
MAX_FILE_BYTES = 5 * 1024 * 1024
# A scenario is 4 levels deep; unknown keys are kept and saved again, so anything much deeper
# would only wait to overflow Python's recursion limit when the app copies or saves it.
MAX_DEPTH = 32


def _uncertain(u: Uncertain) -> Any:
    if u.low == u.likely == u.high:
        return u.low
    return {"low": u.low, "likely": u.likely, "high": u.high}


def _plain(value: Any) -> Any:
    return _uncertain(value) if isinstance(value, Uncertain) else value


def _written(obj: Any, owner: str, *, omit_defaults: tuple[str, ...] = ()) -> dict:
    """obj's keys from the field table, in table order; keys named in omit_defaults are left
    out while they hold their default (they only add noise to files that do not use them)."""
    out: dict[str, Any] = {}
    for spec in F.fields_of(owner):
        if "." in spec.name or spec.kind in ("list", "object"):
            continue
        value = getattr(obj, spec.name)
        if spec.name in omit_defaults and value == spec.default:
            continue
        out[spec.name] = _plain(value)
    return out


# Version 2 keys written only when used, so that a file that does not use them reads as it did.
_V2_CONTRACT_KEYS = tuple(f.name for f in F.fields_of("contracts[]") if f.since >= 2)
_V2_LINE_DEFAULTS = ("end_month",)


def _budget_line(b: BudgetLine) -> dict:
    return {**_written(b, "organisation.budget[]", omit_defaults=_V2_LINE_DEFAULTS), **dict(b.extra)}


def _organisation(o: Organisation) -> dict:
    out = _written(o, "organisation")
    if o.budget:
        out["budget"] = [_budget_line(b) for b in o.budget]
    return {**out, **dict(o.extra)}


def _contract(c: Contract) -> dict:
    out = _written(c, "contracts[]", omit_defaults=_V2_CONTRACT_KEYS)
    out["late_payment"] = {"probability": c.late_payment.probability, "months": c.late_payment.months}
    return {**out, **dict(c.extra)}


def scenario_to_dict(s: Scenario) -> dict:
    """The scenario as the current file format (version 2) writes it."""
    out = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "name": s.name,
           "horizon_months": s.horizon_months}
    if s.correlation != F.spec_of("", "correlation").default:
        out["correlation"] = s.correlation
    out.update({
        "organisation": _organisation(s.organisation),
        "contracts": [_contract(c) for c in s.contracts],
        "simulation": {"paths": s.settings.paths, "seed": s.settings.seed,
                       "risk_appetite": s.settings.risk_appetite},
    })
    return {**out, **dict(s.extra)}


def migrate(data: Any) -> Any:
    """Refuse parsed data that is not a scenario of a version this app reads.

    Older versions are brought up to date by ``scenario_from_dict`` (``migration.upgrade``),
    which reports what their own rules find wrong together with everything else."""
    if isinstance(data, dict):
        check_header(data)
    return data


def _key(path: str, key: Any) -> str:
    text = key if isinstance(key, str) and key.isidentifier() and len(key) <= 40 else _show(key)
    return f"{path}.{text}" if path else text


def check_tree(data: Any) -> None:
    """Refuse what validation cannot see, in kept unknown keys too: nesting deeper than
    MAX_DEPTH, numbers that overflow (``1e999`` parses as inf) and text that is not Unicode (a
    lone surrogate such as \\ud800, which JSON escapes allow but no file can hold): each would
    make a scenario that loads but can never be saved and opened again.  Iterative: no
    recursion on hostile input."""
    stack = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ScenarioError([f"{path or 'file'}: contains text that is not valid "
                                     "Unicode (a lone surrogate escape such as \\ud800)"]) from None
            continue
        if isinstance(value, float) and not math.isfinite(value):  # 1e999 parses as inf
            raise ScenarioError([f"{path or 'file'}: must be a finite number (got {value})"])
        if not isinstance(value, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            raise ScenarioError([f"{path or 'file'}: nested more than {MAX_DEPTH} levels deep"])
        if isinstance(value, dict):
            for key, item in value.items():
                where = _key(path, key)
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:
                    raise ScenarioError([f"{path or 'file'}: a key is not valid Unicode "
                                         "(a lone surrogate escape such as \\ud800)"]) from None
                stack.append((item, where, depth + 1))
        else:
            stack.extend((item, f"{path or 'file'}[{i}]", depth + 1) for i, item in enumerate(value))


class _NotJSON(ValueError):
    pass


def _reject_constant(name: str) -> float:
    # Python's json accepts NaN and Infinity, which are not JSON.
    raise _NotJSON(name)


def _where_constant(text: str) -> str:
    """The key path of the first NaN or Infinity in text that parses with them (else '')."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return ""
    queue = deque([(data, "")])  # breadth first: the first one in reading order, near enough
    while queue:
        value, path = queue.popleft()
        if isinstance(value, float) and not math.isfinite(value):
            return path
        if isinstance(value, dict):
            queue.extend((v, _key(path, k)) for k, v in value.items())
        elif isinstance(value, list):
            queue.extend((v, f"{path or 'file'}[{i}]") for i, v in enumerate(value))
    return ""


def parse_scenario_text(text: str) -> Scenario:
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ScenarioError(["file: nested too deeply to be a scenario"]) from None
    except _NotJSON as error:
        where = _where_constant(text)
        raise ScenarioError([f"file: not valid JSON ({error} is not a number JSON allows"
                             + (f", at {where})" if where else ")")]) from None
    except ValueError as error:
        raise ScenarioError([f"file: not valid JSON ({error})"]) from None
    try:
        data = migrate(data)
        scenario = scenario_from_dict(data)  # first: it refuses absurd sizes without reading them
    except ScenarioError as error:
        if error.data is None:
            error.data = data  # the app may open it anyway, for the user to correct the values
        raise
    check_tree(data)  # then what it keeps without reading: unknown keys
    return scenario


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario file; every failure is a ScenarioError with a message."""
    path = Path(path)
    too_large = f"(at most {MAX_FILE_BYTES // (1024 * 1024)} MB)"
    try:
        # Non-blocking, so that a named pipe cannot hang the app; then only a regular file
        # is read (not /dev/zero, which never ends), and never more than the limit.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise ScenarioError([f"file: {path} is a folder, not a scenario file"])
            if not stat.S_ISREG(info.st_mode):
                raise ScenarioError([f"file: {path} is not a regular file"])
            if info.st_size > MAX_FILE_BYTES:
                raise ScenarioError([f"file: {info.st_size:,} bytes is too large for a scenario {too_large}"])
            with os.fdopen(fd, "rb") as f:
                fd = -1  # the file object owns it now
                raw = f.read(MAX_FILE_BYTES + 1)
        finally:
            if fd >= 0:
                os.close(fd)
    except OSError as error:
        raise ScenarioError([f"file: cannot read {path} ({error.strerror or error})"]) from None
    if len(raw) > MAX_FILE_BYTES:  # it grew after the size check
        raise ScenarioError([f"file: too large for a scenario {too_large}"])
    return parse_scenario_bytes(raw)


def parse_scenario_bytes(raw: bytes) -> Scenario:
    """A scenario file's bytes (UTF-8, a byte-order mark allowed) to a Scenario, or ScenarioError."""
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([f"file: {len(raw):,} bytes is too large for a scenario "
                             f"(at most {MAX_FILE_BYTES // (1024 * 1024)} MB)"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(["file: not UTF-8 text; is this a scenario file?"]) from None
    return parse_scenario_text(text)


def scenario_to_json(s: Scenario) -> str:
    return json.dumps(scenario_to_dict(s), indent=2, ensure_ascii=False) + "\n"


def _new_file_mode() -> int:
    """The mode a plain ``open()`` would give a new file (0o666 less the umask)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


_NEW_FILE_MODE = _new_file_mode()  # read once: os.umask is process-wide


def _keep_backup(path: Path) -> None:
    """Make ``NAME.bak`` the current contents of path, replacing any older backup atomically.

    A hard link costs nothing; where the folder cannot hold one (FAT USB sticks, some network
    shares) the file is copied.  A backup is a courtesy: failing to make one is not an error.
    """
    bak = path.with_name(path.name + ".bak")
    tmp = path.with_name(f".{path.name}.bak.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        try:
            os.link(path, tmp)
        except OSError:
            shutil.copy2(path, tmp)
        os.replace(tmp, bak)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _sync_folder(folder: Path) -> None:
    """Flush the folder entry of a rename to disk (POSIX), so a power cut keeps the new file."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _replace(src: str, dst: Path) -> None:
    """os.replace, retried for a moment on Windows, where a virus scanner or a sync client
    (OneDrive, Dropbox) holding the old file open briefly makes the rename fail."""
    attempts = 5 if os.name == "nt" else 1
    for attempt in range(attempts):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


def write_text_atomic(path: str | os.PathLike, text: str, *, backup: bool = False) -> None:
    """write_bytes_atomic of the text in UTF-8 (bad text fails before the disk is touched)."""
    write_bytes_atomic(path, text.encode("utf-8"), backup=backup)


def write_bytes_atomic(path: str | os.PathLike, data: bytes, *, backup: bool = False) -> None:
    """Write data so that path holds either its old or its new contents, never a mix.

    A temporary file in the same folder is written, flushed and synced to disk, then renamed
    over path.  With ``backup`` the previous version is kept as ``NAME.bak``.  On failure (full
    disk, no permission, read-only folder, path is a folder) the old file is untouched, the
    temporary file is removed and OSError propagates for the caller to report.
    """
    path = Path(path)
    if path.is_symlink():  # write the file the link points to, and keep the link
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:  # the same permissions as the file it replaces (mkstemp makes it private)
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode) if path.exists() else _NEW_FILE_MODE)
        except OSError:
            pass
        if backup and path.is_file():
            _keep_backup(path)
        _replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(path.parent)


def save_scenario(s: Scenario, path: str | os.PathLike, *, backup: bool = True) -> None:
    """Write atomically (``write_text_atomic``), keeping the previous version as ``NAME.json.bak``.

    On failure the old file is untouched and OSError propagates for the caller to report.
    """
    write_text_atomic(path, scenario_to_json(s), backup=backup)
