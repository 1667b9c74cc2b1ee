"""Scenario files: JSON only (never pickle or eval), versioned, saved atomically.

Version 1 is the model contract in docs/model.md; versions 2 and 3 add keys to it.  The app
writes version 3 and reads 1 to 3: an older file is brought up by ``migration.upgrade`` and
means exactly what it meant; a newer key in it is read with its meaning and a warning.  A file
without a ``version`` is read as version 1 with a warning (hand-written files from the
contract); a newer version is refused rather than half-read, so a file is never silently
misunderstood.
"""
from __future__ import annotations

import codecs
import difflib
import errno
import functools
import json
import math
import os
import re
import shutil
import stat
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fields as F
from .migration import FORMAT_NAME, FORMAT_VERSION, MIGRATIONS, check_header, migrate_v1_to_v2  # noqa: F401
from .problems import ScenarioError, _show
from .scenario import BudgetLine, Contract, Organisation, OutcomeStage, Scenario, Uncertain
from .validation import _UNUSED_BY_RATE_CARD, scenario_from_dict

MAX_FILE_BYTES = 5 * 1024 * 1024
# A scenario is 4 levels deep; unknown keys are kept and saved again, so anything much deeper
# would only wait to overflow Python's recursion limit when the app copies or saves it.
MAX_DEPTH = 32
# Unknown keys are kept and saved again, and the app copies a scenario on every edit (undo):
# 1.6 million empty lists fit in 4.8 MB and made each edit cost seconds.  What unknown keys
# hold is bounded by its count of values (every number, text, list and object), not bytes.
MAX_UNKNOWN_VALUES = 10_000


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
# Version 3 keys, likewise written only when used.
_V3_ORGANISATION_KEYS = tuple(f.name for f in F.fields_of("organisation") if f.since >= 3)


def _budget_line(b: BudgetLine) -> dict:
    out = _written(b, "organisation.budget[]", omit_defaults=_V2_LINE_DEFAULTS)
    scale = out.pop("scale")  # only with a pattern, and only when not 1
    if b.monthly_amounts is not None:  # version 3: the pattern in the amount's place
        out = {("monthly_amounts" if k == "amount" else k): (list(b.monthly_amounts) if k == "amount" else v)
               for k, v in out.items()}
        if b.scale != Uncertain.fixed(1.0):
            out["scale"] = scale
    return {**out, **dict(b.extra)}


def _organisation(o: Organisation) -> dict:
    out = _written(o, "organisation", omit_defaults=_V3_ORGANISATION_KEYS)
    if o.budget:
        out["budget"] = [_budget_line(b) for b in o.budget]
    return {**out, **dict(o.extra)}


def _stage(stage: OutcomeStage) -> dict:
    return {**_written(stage, "contracts[].outcome_payments[]"), **dict(stage.extra)}


def _contract(c: Contract) -> dict:
    out = _written(c, "contracts[]", omit_defaults=_V2_CONTRACT_KEYS)
    del out["fee_per_referral"]
    if c.payment_mode == "rate_card":
        # The share-at-risk keys a rate card does not use are written only if given (a value
        # other than what a rate card holds in their place), so that reading back warns of
        # nothing new; the fee and the stages take their place.
        for key, unused in _UNUSED_BY_RATE_CARD.items():
            if getattr(c, key) == unused:
                out.pop(key, None)
        fees = list(c.fee_per_referral)
        out["fee_per_referral"] = fees[0] if len(fees) == 1 else fees
        out["outcome_payments"] = [_stage(stage) for stage in c.outcome_payments]
    out["late_payment"] = {"probability": c.late_payment.probability, "months": c.late_payment.months,
                           **dict(c.late_payment.extra)}
    return {**out, **dict(c.extra)}


def scenario_to_dict(s: Scenario) -> dict:
    """The scenario as the current file format (version 3) writes it."""
    out: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "name": s.name,
           "horizon_months": s.horizon_months}
    if s.notes:  # version 2 keys are written only when used
        out["notes"] = s.notes
    if s.correlation != F.spec_of("", "correlation").default:
        out["correlation"] = s.correlation
    if s.first_month is not None:
        out["first_month"] = s.first_month
    out.update({
        "organisation": _organisation(s.organisation),
        "contracts": [_contract(c) for c in s.contracts],
        "simulation": {"paths": s.settings.paths, "seed": s.settings.seed,
                       "risk_appetite": s.settings.risk_appetite},
    })
    if s.settings.precision is not None:
        out["simulation"]["precision"] = s.settings.precision
    if s.settings.sampling != "random":
        out["simulation"]["sampling"] = s.settings.sampling
    out["simulation"].update(s.settings.extra)
    if s.variants:  # written only when used, as every version 2 key
        out["variants"] = [_variant(v) for v in s.variants]
    return {**out, **dict(s.extra)}


def _variant(v: Scenario) -> dict:
    """A variant as the file holds it: a whole scenario without the header (it is of the
    file's own version) and without variants of its own."""
    out = scenario_to_dict(v)
    for key in ("format", "version", "variants"):
        out.pop(key, None)
    return out


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


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicates(pairs: list) -> dict:
    """object_pairs_hook: a key twice in one object is refused (json keeps the last, while a
    person reading the file sees the first).  The path is found afterwards (_where_duplicate)."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return data


def _where_duplicate(text: str, key: str) -> str:
    """The key path of the first object holding ``key`` twice, in text that parses without
    the duplicate check (else just the key)."""
    found: list = []

    def hook(pairs: list) -> dict:
        data = dict(pairs)
        if not found and len(data) != len(pairs) and sum(k == key for k, _ in pairs) > 1:
            found.append(data)
        return data

    try:
        tree = json.loads(text, object_pairs_hook=hook)
    except (ValueError, RecursionError):
        return _key("", key)
    stack = [(tree, "")]
    while stack and found:
        value, path = stack.pop()
        if value is found[0]:
            return _key(path, key)
        if isinstance(value, dict):
            stack.extend((v, _key(path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path or 'file'}[{i}]") for i, v in enumerate(value))
    return _key("", key)


@dataclass(frozen=True)
class KeyWarning:
    """An unknown key close to one the app knows: probably a typing mistake, whose value the
    app does not use (it is kept and saved again, as every unknown key is)."""

    path: str  # where the key is, e.g. "contracts[0].share_at_rsik"
    key: str
    likely: str  # the known key it resembles

    def __str__(self) -> str:
        return (f"{self.path}: not a key CharityRisk knows, so its value is not used; "
                f"did you mean {self.likely!r}?")


def _validation_keys() -> set[str]:
    from . import fields as F
    from . import validation

    keys: set[str] = {key for owner in F.OWNERS for key in F.keys_of(owner)}
    for name, value in vars(validation).items():
        if name.endswith("_KEYS") and isinstance(value, (set, frozenset, tuple, list)):
            keys.update(k for k in value if isinstance(k, str))
    return keys


def _written_keys() -> set[str]:
    """Every key the writer puts in the built-in example, less the unknown keys it keeps."""
    from ..resources import example_scenario_path

    try:
        with open(example_scenario_path(), encoding="utf-8") as f:
            scenario = scenario_from_dict(json.load(f))
    except (OSError, ValueError, ScenarioError):
        return set()
    kept: set[str] = set(getattr(scenario, "extra", {}))
    kept.update(getattr(scenario.organisation, "extra", {}))
    for part in scenario.contracts:
        kept.update(getattr(part, "extra", {}))
    keys: set[str] = set()
    stack: list = [scenario_to_dict(scenario)]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            keys.update(k for k in value if k not in kept)
            stack.extend(v for k, v in value.items() if k not in kept)
        elif isinstance(value, list):
            stack.extend(value)
    return keys


@functools.cache
def known_keys() -> frozenset[str]:
    """Every key name the file format uses at any level: the validator's key sets and the
    keys the writer writes (so that a new key counts as known wherever it is declared)."""
    return frozenset(_validation_keys() | _written_keys()
                     | {"low", "likely", "high", "probability", "months", "paths", "seed", "risk_appetite"})


def _count_values(value: Any, most: int) -> int:
    """How many JSON values value holds, itself included; stops counting past most."""
    count, stack = 0, [value]
    while stack and count <= most:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def check_unknown_keys(data: Any) -> list[KeyWarning]:
    """Look at the keys the app does not know, at every level it reads: refuse them if
    together they hold more than MAX_UNKNOWN_VALUES values (ScenarioError naming the
    largest), and return a KeyWarning for each that looks like a mistyped known key."""
    known = known_keys()
    warnings: list[KeyWarning] = []
    total, largest, largest_path = 0, 0, ""
    stack = [(data, "")]
    while stack and total <= MAX_UNKNOWN_VALUES:
        value, path = stack.pop()
        if isinstance(value, list):
            # A list the app reads holds objects (contracts); anything else in it is counted as
            # unused, so a known key cannot carry what an unknown one may not.
            objects = []
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    objects.append((item, f"{path or 'file'}[{i}]"))
                    continue
                total += _count_values(item, MAX_UNKNOWN_VALUES - total)
                if total > MAX_UNKNOWN_VALUES:
                    largest_path = largest_path or path
                    break
            stack.extend(reversed(objects))
            continue
        if not isinstance(value, dict):
            continue
        for key, item in reversed(list(value.items())):
            where = _key(path, key)
            if key in known:
                stack.append((item, where))
                continue
            count = _count_values(item, MAX_UNKNOWN_VALUES - total)
            total += count
            if count > largest:
                largest, largest_path = count, where
            if total > MAX_UNKNOWN_VALUES:
                break
            likely = difflib.get_close_matches(key, known, n=1, cutoff=0.8) if len(key) <= 60 else []
            if likely:
                warnings.append(KeyWarning(where, key, likely[0]))
    if total > MAX_UNKNOWN_VALUES:
        raise ScenarioError([f"{largest_path or 'file'}: holds more than {MAX_UNKNOWN_VALUES:,} values "
                             "(lists, numbers, text) that CharityRisk does not use; remove them or "
                             "keep that data in another file"])
    return warnings


def decode_scenario_bytes(raw: bytes) -> str:
    """A scenario file's text: UTF-8 (with or without the byte-order mark Notepad writes), or
    UTF-16 / UTF-32 with a byte-order mark (Notepad's "Unicode")."""
    marks = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
             (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
             (codecs.BOM_UTF8, "utf-8-sig"))
    codec = next((codec for bom, codec in marks if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        if codec == "utf-8":
            raise ScenarioError(["file: not UTF-8 text; is this a scenario file?"]) from None
        raise ScenarioError([f"file: starts as {codec.upper()} text but is not; "
                             "is this a scenario file?"]) from None


_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'  # a JSON string, escapes and all
# More lists and objects than a scenario can hold: 50 contracts of a dozen objects each, a few
# hundred budget lines, MAX_UNKNOWN_VALUES in unknown keys, with room to spare.
MAX_CONTAINERS = 3 * MAX_UNKNOWN_VALUES


def _too_many_containers(text: str) -> int:
    """The number of lists and objects in text if it is over MAX_CONTAINERS, else 0: counted
    outside strings without parsing, because parsing millions of them takes seconds."""
    if text.count("[") + text.count("{") <= MAX_CONTAINERS:
        return 0
    bare = re.sub(_STRING, "", text)
    count = bare.count("[") + bare.count("{")
    return count if count > MAX_CONTAINERS else 0


def parse_scenario_text(text: str, warnings: list | None = None) -> Scenario:
    """Text to a Scenario, or ScenarioError.  Unknown keys that look like mistyped known ones
    (KeyWarning objects), and what ``scenario_from_dict`` warns of (Problems: a newer key in
    an older file, a file without a version, a key its payment mode does not use) are
    appended to ``warnings`` when a list is given; each is one line as text."""
    containers = _too_many_containers(text)
    if containers:
        raise ScenarioError([f"file: holds {containers:,} lists and objects, far more than a scenario "
                             f"(at most {MAX_CONTAINERS:,}); is this a scenario file?"])
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_refuse_duplicates)
    except RecursionError:
        raise ScenarioError(["file: nested too deeply to be a scenario"]) from None
    except _DuplicateKey as error:
        key = error.args[0]
        raise ScenarioError([f"{_where_duplicate(text, key)}: the key appears twice in one object "
                             "(a reader sees the first, the app would use the last); "
                             "keep one"]) from None
    except _NotJSON as error:
        where = _where_constant(text)
        raise ScenarioError([f"file: not valid JSON ({error} is not a number JSON allows"
                             + (f", at {where})" if where else ")")]) from None
    except ValueError as error:
        raise ScenarioError([f"file: not valid JSON ({error})"]) from None
    found: list = check_unknown_keys(data)  # before anything copies what they hold
    try:
        data = migrate(data)
        scenario = scenario_from_dict(data, found)  # first: it refuses absurd sizes without reading them
    except ScenarioError as error:
        error.suggest((w.path, w.key, w.likely) for w in found)  # share_at_rsik: did you mean...
        if error.data is None:
            error.data = data  # the app may open it anyway, for the user to correct the values
        raise
    check_tree(data)  # then what it keeps without reading: unknown keys
    if warnings is not None:
        warnings.extend(found)
    return scenario


def load_scenario(path: str | os.PathLike, warnings: list | None = None) -> Scenario:
    """Read and validate a scenario file; every failure is a ScenarioError with a message.
    Look-alike unknown keys are appended to ``warnings`` (KeyWarning) when a list is given."""
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
    return parse_scenario_bytes(raw, warnings)


def parse_scenario_bytes(raw: bytes, warnings: list | None = None) -> Scenario:
    """A scenario file's bytes (decode_scenario_bytes) to a Scenario, or ScenarioError."""
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([f"file: {len(raw):,} bytes is too large for a scenario "
                             f"(at most {MAX_FILE_BYTES // (1024 * 1024)} MB)"])
    return parse_scenario_text(decode_scenario_bytes(raw), warnings)


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
    shares) the file is copied.  If that fails too (a full disk), OSError says so: a backup
    left silently older than the version it claims to be would be trusted and lose work, so
    the caller fails the save and both files stay as they were.
    """
    bak = path.with_name(path.name + ".bak")
    tmp = path.with_name(f".{path.name}.bak.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        try:
            os.link(path, tmp)
        except OSError:
            shutil.copy2(path, tmp)
        os.replace(tmp, bak)
        if os.path.lexists(tmp):  # bak was this very file (a save killed after its backup): the
            os.unlink(tmp)  # rename of one hard link onto another of the same file does nothing
    except OSError as error:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OSError(error.errno, f"cannot keep the previous version as {bak.name} "
                      f"({error.strerror or error}), so nothing was saved", str(path)) from None


# Our temporary files: mkstemp's ".NAME.XXXXXXXX.tmp" and _keep_backup's
# ".NAME.bak.PID.HEX.tmp".  Left behind only when a save was killed; each is a full copy.
_OUR_TEMP = r"\.(?:[a-z0-9_]{8}|bak\.[0-9]+\.[0-9a-f]{8})\.tmp"
STALE_TEMP_SECONDS = 120  # older than any save in progress (a save takes well under a second)


def remove_stale_temp_files(path: str | os.PathLike, now: float | None = None) -> list[str]:
    """Delete the temporary files interrupted saves of path left in its folder: only names of
    our exact pattern for this file, only regular files, only older than STALE_TEMP_SECONDS
    (a save running in another window is left alone).  Returns the names removed."""
    path = Path(path)
    pattern = re.escape(f".{path.name}") + _OUR_TEMP
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        if not re.fullmatch(pattern, entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_SECONDS:
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            pass
    return removed


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
    remove_stale_temp_files(path)
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
