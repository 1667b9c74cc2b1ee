"""Entry for ``charityrisk [FILE] [--smoke]``: the desktop app."""
from __future__ import annotations

import sys
from typing import Sequence


def run_app(argv: Sequence[str]) -> int:
    from .gui.main import main as gui_main

    return gui_main(list(argv))


if __name__ == "__main__":
    sys.exit(run_app(sys.argv[1:]))
