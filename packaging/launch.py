"""Entry point of the frozen app (PyInstaller runs this file as a script, not a package)."""
import os
import sys
from pathlib import Path


def _persistent_matplotlib_cache() -> None:
    # PyInstaller's matplotlib hook points MPLCONFIGDIR at a fresh temporary folder on
    # every start, which rebuilds the font cache each time (up to a second).  Keep it.
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = base / "CharityRisk" / "matplotlib"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(folder)
    except OSError:
        pass  # a read-only home: matplotlib's temporary folder still works, only slower


if __name__ == "__main__":
    _persistent_matplotlib_cache()
    from charityrisk.cli import main

    sys.exit(main())
