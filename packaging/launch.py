"""Entry point of the frozen app (PyInstaller runs this file as a script, not a package).

Both executables run it: the windowed CharityRisk and the console charityrisk-cli (Windows),
so the window and the documented commands (simulate, report, --help, --version) share one code.
"""
import sys

from charityrisk.app import frozen_main

if __name__ == "__main__":
    sys.exit(frozen_main())
