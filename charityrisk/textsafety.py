"""Text from files and file names, shown so that it cannot break or disguise a message.

A file name may hold a newline, a carriage return, an escape sequence or a bidirectional
override; written into a message as it is, it splits a one-line error in two, rewrites a
terminal line or reorders the words around it.  ``escaped`` writes each such character as
its escape (``\\n``, ``\\x1b``, ``\\u202e``); the command line and the window use it for
every message that names a file.
"""
from __future__ import annotations

import unicodedata

# Characters a terminal or a label acts on rather than shows: C0/C1 controls (newline,
# carriage return, escape sequences), format characters (bidi overrides and isolates that
# reorder a line, zero-width joiners), line and paragraph separators, unpaired surrogates.
_HIDDEN = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(text: str, keep: str = "") -> str:
    """``text`` with every hidden character (but those in ``keep``) written as its escape."""
    out = []
    for ch in text:
        if ch not in keep and unicodedata.category(ch) in _HIDDEN:
            code = ord(ch)
            out.append(_NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else
                                          f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"))
        else:
            out.append(ch)
    return "".join(out)


def has_hidden(text: str) -> bool:
    return escaped(text) != text
