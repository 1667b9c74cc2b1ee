"""Scenario files: JSON only (never pickle or eval), versioned, saved atomically.

Version 1 is the model contract in domain.md.  A file without a ``format``/``version``
header is read as version 1 (hand-written files from the contract); a newer version is
refused rather than half-read, so a file is never silently misunderstood.
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

from .scenario import Contract, Organisation, Scenario, Uncertain
from .validation import ScenarioError, _show, scenario_from_dict

FORMAT_NAME = "charityrisk-scenario"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
# A scenario is 4 levels deep; unknown keys are kept and saved again, so anything much deeper
# would only wait to overflow Python's recursion limit when the app copies or saves it.
MAX_DEPTH = 32


def _uncertain(u: Uncertain) -> Any:
    if u.low == u.likely == u.high:
        return u.low
    return {"low": u.low, "likely": u.likely, "high": u.high}


def _organisation(o: Organisation) -> dict:
    return {
        "opening_reserves": o.opening_reserves,
        "monthly_other_income": _uncertain(o.monthly_other_income),
        "monthly_core_costs": o.monthly_core_costs,
        "overdraft_facility": o.overdraft_facility,
        "reserves_floor": o.reserves_floor,
        **dict(o.extra),
    }


def _contract(c: Contract) -> dict:
    return {
        "name": c.name,
        "start_month": c.start_month,
        "duration_months": c.duration_months,
        "referrals_per_month": _uncertain(c.referrals_per_month),
        "p_no_referrals": c.p_no_referrals,
        "count_noise": c.count_noise,
        "price_per_referral": c.price_per_referral,
        "share_at_risk": c.share_at_risk,
        "payment_mode": c.payment_mode,
        "fee_lag_months": c.fee_lag_months,
        "success_rate": _uncertain(c.success_rate),
        "target_success_rate": c.target_success_rate,
        "cohort_months": c.cohort_months,
        "outcome_lag_months": c.outcome_lag_months,
        "cost_per_referral": c.cost_per_referral,
        "fixed_monthly_cost": c.fixed_monthly_cost,
        "late_payment": {"probability": c.late_payment.probability, "months": c.late_payment.months},
        **dict(c.extra),
    }


def scenario_to_dict(s: Scenario) -> dict:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": s.name,
        "horizon_months": s.horizon_months,
        "organisation": _organisation(s.organisation),
        "contracts": [_contract(c) for c in s.contracts],
        "simulation": {"paths": s.settings.paths, "seed": s.settings.seed,
                       "risk_appetite": s.settings.risk_appetite},
        **dict(s.extra),
    }


def migrate(data: Any) -> Any:
    """Bring parsed data up to the current format version, or refuse a newer one."""
    if not isinstance(data, dict):
        return data
    fmt = data.get("format", FORMAT_NAME)
    if fmt != FORMAT_NAME:
        raise ScenarioError([f"format: this is not a CharityRisk scenario file (format {_show(fmt)})"])
    version = data.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ScenarioError([f"version: must be a whole number (got {_show(version)})"])
    if version > FORMAT_VERSION:
        raise ScenarioError([f"version: the file is format version {_show(version)}, newer than this "
                             f"app reads (version {FORMAT_VERSION}); please update CharityRisk"])
    if version < 1:
        raise ScenarioError([f"version: must be 1 or more (got {_show(version)})"])
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
    data = migrate(data)
    try:
        scenario = scenario_from_dict(data)  # first: it refuses absurd sizes without reading them
    except ScenarioError as error:
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
    if path.exists() and not path.is_file():
        # A named pipe or a device (/dev/null) would be replaced by a regular file: as root
        # that breaks the system, and the user meant something else anyway.
        raise OSError(errno.EINVAL, "it is not a regular file (a device or a named pipe)", str(path))
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
