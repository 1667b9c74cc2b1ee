"""Entry for ``charityrisk [FILE] [--smoke]``: the desktop app."""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path

from . import APP_NAME, __version__


def app_data_dir(platform: str = sys.platform, environ: Mapping[str, str] = os.environ,
                 home: Path | None = None) -> Path:
    """The user's own folder for this app's data (no Qt needed, so usable before any import)."""
    home = home or Path.home()
    if platform == "win32":
        return Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / APP_NAME
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_NAME
    return Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share") / APP_NAME.lower()


def use_persistent_matplotlib_cache(environ: MutableMapping[str, str] | None = None) -> Path | None:
    """Point MPLCONFIGDIR at a folder kept between starts of the frozen app.

    PyInstaller's matplotlib hook points MPLCONFIGDIR at a new temporary folder on every start,
    so matplotlib scans every font on the machine again each time (0.5-1 s of a 2.6 s start).
    Must run before matplotlib is imported.  The folder is per version: a new release brings its
    own fonts; matplotlib stores font paths relative to its data folder, so a moved app keeps
    its cache.  Returns the folder, or None where the home folder is not writable (matplotlib's
    temporary folder still works there, only slower).
    """
    env = os.environ if environ is None else environ
    folder = app_data_dir(environ=env) / f"matplotlib-{__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    env["MPLCONFIGDIR"] = str(folder)
    return folder


def run_app(argv: Sequence[str]) -> int:
    from .gui.main import main as gui_main

    return gui_main(list(argv))


def frozen_main() -> int:
    """The frozen app's entry (packaging/launch.py): the window, or a command-line subcommand."""
    if "matplotlib" not in sys.modules:
        use_persistent_matplotlib_cache()
    from .cli import main

    return main()


if __name__ == "__main__":
    sys.exit(run_app(sys.argv[1:]))
