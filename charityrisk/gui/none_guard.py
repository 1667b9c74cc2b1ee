"""A guard against a reference bug in PySide6 6.12.0 on Python 3.11.

In that release every binding call that hands ``None`` back to Python (an item role never set,
``item(r, c)`` where there is no item, any method that returns nothing) loses one reference to
``None``, and every ``emit()`` loses one to ``True``.  A few thousand of them and the interpreter
aborts ("none_dealloc", "bool_dealloc"), taking everything typed since the last autosave.
Python 3.12 made these objects immortal, so there the bug is harmless, and the release builds
use 3.12; ``pyproject.toml`` also refuses 6.12.0 (6.11.3 measured clean, 2026-12-06).

Our own code never reads a role it did not set (the budget table keeps its marks in Python;
``tests/test_none_refs.py``).  But someone running from source on 3.11 may still get 6.12.0,
and no test can walk every Qt path, so on CPython before 3.12 this gives ``None``, ``True`` and
``False`` a reference count no session can wear down: what 3.12 does by design.
"""
from __future__ import annotations

import ctypes
import sys

# 2**40 lost references: a thousand a second for thirty years.
HEADROOM = 1 << 40


def protect_singletons() -> bool:
    """Make None, True and False effectively immortal on CPython before 3.12; True if it did."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every object in CPython 3.11 (a Py_ssize_t).  The GIL
        # is held here, so no other thread changes it between the read and the write.
        count = ctypes.c_ssize_t.from_address(id(obj))
        if count.value < HEADROOM:
            count.value += HEADROOM
    return True
