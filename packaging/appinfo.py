"""One place for what build.spec, the installers and the release workflow must agree on.

Plain Python with no imports from the app, so PyInstaller's spec, packaging/make_installers.py
and the tests can all load it without Qt, numpy or matplotlib.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "CharityRisk"
CLI_NAME = "charityrisk-cli"  # the console twin of the windowed app (Windows, Linux)
PUBLISHER = "CharityRisk contributors"
COPYRIGHT = "Copyright (c) 2026 CharityRisk contributors. MIT licence."
DESCRIPTION = "Cash-flow risk of Payment by Results contracts for small charities"

# Scenario files of their own (JSON inside); .json files still open.
EXTENSION = "charityrisk"
FILE_TYPE_NAME = "CharityRisk scenario"
FILE_UTI = "com.charityrisk.scenario"

# PySide6 6.12 (Qt 6.12) runs on macOS 14 or later and on 64-bit Windows 10 (1809) or later.
MIN_MACOS = "14.0"
MIN_WINDOWS = "10.0.17763"

# Inno Setup recognises an installed app (upgrade, uninstall) by this id: never change it.
INNO_APP_ID = "{{6E3A8F52-6C0B-4D3B-9B71-2F4C7D1E9A25}"


def read_version(root: Path = ROOT) -> str:
    """The version in charityrisk/__init__.py, read as text (the spec must not import the app)."""
    text = (root / "charityrisk" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if not match:
        raise ValueError("no __version__ in charityrisk/__init__.py")
    return match.group(1)


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """Four numbers for Windows' version resource and Inno Setup ("0.1.0rc1" -> (0, 1, 0, 0))."""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if not match:
        raise ValueError(f"version {version!r} does not start with a number")
    major, minor, micro = (int(n or 0) for n in match.groups())
    return (major, minor, micro, 0)


def qt_settings_domain(organization: str, application: str) -> str:
    """The preference domain QSettings(organization, application) uses on macOS.

    Qt's qsettings_mac.cpp: an organisation name without a dot becomes "<name>.com", lower
    case, read backwards ("com.<name>"), then ".<application>" is appended.  The bundle
    identifier is this same string, so the app's settings file and its bundle agree.
    """
    if "." in organization:
        parts = organization.lower().split(".")
    else:
        name = "-".join(re.sub(r"[^a-z0-9]", " ", organization.lower()).split())
        parts = [name, "com"]
    return ".".join(reversed(parts)) + "." + application


BUNDLE_ID = qt_settings_domain(APP_NAME, APP_NAME)  # com.charityrisk.CharityRisk


def windows_version_info(version: str, exe_name: str, description: str = DESCRIPTION) -> str:
    """The version resource of a Windows exe, in the text form PyInstaller's EXE(version=FILE)
    reads (it evaluates it with its versioninfo classes): Explorer's Properties > Details and
    SmartScreen show these names instead of a blank."""
    numbers = version_tuple(version)
    strings = [("CompanyName", PUBLISHER), ("FileDescription", description), ("FileVersion", version),
               ("InternalName", exe_name), ("LegalCopyright", COPYRIGHT),
               ("OriginalFilename", f"{exe_name}.exe"), ("ProductName", APP_NAME),
               ("ProductVersion", version)]
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings)
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,
                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('040904B0',
         [{table}])]),
    VarFileInfo([VarStruct('Translation', [0x0409, 1200])])
  ]
)
"""


# Parts of Qt and matplotlib that PyInstaller collects but this app never loads.  Each rule
# is a regular expression matched against the bundle path (lower case, "/" separators).
DROP_RULES = {
    # Windows' software OpenGL (20 MB): only for Qt Quick / OpenGL widgets when the GPU has no
    # driver; this app draws with widgets and matplotlib's Agg, never OpenGL.
    "software OpenGL": r"(^|/)opengl32sw\.dll$",
    # Image format plugins: the app reads PNG (built into QtGui) and SVG icons; keep qsvg, qico.
    "unused image formats": r"/imageformats/(lib)?q(gif|icns|jpeg|pdf|tga|tiff|wbmp|webp|macheif|macjp2)"
                            r"\w*\.(so|dll|dylib)$",
    # QtPdf is loaded only by the qpdf image plugin dropped above.
    "QtPdf": r"(^|/)(libqt6pdf[^/]*|qt6pdf\.dll|qtpdf\.framework(/.*)?)$",
    # Touch/tablet input plugins; qtuiotouchplugin pulls in QtNetwork for its TUIO sockets.
    "touch and evdev input plugins": r"/plugins/generic/",
    # The app opens no connection (tests/test_no_network.py): no networking libraries or plugins.
    "QtNetwork": r"(^|/)(libqt6network[^/]*|qt6network\.dll|qtnetwork\.framework(/.*)?)$"
                 r"|/plugins/(tls|networkinformation)/",
    # The GTK 3 platform theme (Linux): it only matches GTK's dialogs and colours, and pulls in
    # GTK's whole stack (cairo, pango, gdk-pixbuf, atk, Kerberos: about 3 MiB zipped).  Qt's
    # own Fusion look is what every screenshot and test shows.
    "GTK 3 platform theme": r"/plugins/platformthemes/(lib)?qgtk3[^/]*$",
    # OpenSSL's libcrypto comes only with Python's _hashlib, which the app never needs:
    # hashlib falls back to its built-in digests (EXCLUDES in build.spec leaves _hashlib out).
    "OpenSSL": r"(^|/)(libcrypto|libssl)[^/]*$|(^|/)_hashlib[^/]*$",
    # Qt's own translations: the app's text is English.
    "Qt translations": r"(^|/)translations/",
    # Linux display back ends a desktop never uses here (xcb and offscreen stay).
    "embedded display back ends": r"/plugins/platforms/(lib)?q(wayland|eglfs|vnc|linuxfb|minimal|vkkhrdisplay)[^/]*$"
                                  r"|/plugins/(wayland-[^/]+|egldeviceintegrations)/|qtvirtualkeyboard"
                                  r"|(^|/)libqt6(waylandclient|wlshellintegration|eglfs\w*)[^/]*$",
    # matplotlib's fonts for serif, TeX-like and PostScript text; the charts use DejaVu Sans
    # (and matplotlib's Last Resort font for missing glyphs), which stay.
    "unused matplotlib fonts": r"mpl-data/fonts/(afm/|pdfcorefonts/"
                               r"|ttf/(dejavuserif[^/]*|stix[^/]*|cm\w+\.ttf|license_stix)$)",
}
# What must never reach the download, whatever collects it (tests/test_packaging.py checks the
# built bundle for each).
NEVER_BUNDLED = ("libqgtk3", "libgtk-3", "libgdk-3", "libcairo", "libpango", "libcrypto", "libssl",
                 "_hashlib", "libkrb5", "libgssapi", "libQt6Network")
_DROP = re.compile("|".join(f"(?:{rule})" for rule in DROP_RULES.values()))


def dropped(dest: str) -> bool:
    """True for a bundle path (PyInstaller's destination name) that the spec leaves out."""
    return bool(_DROP.search(dest.replace("\\", "/").lower()))


def _is_library(dest: str) -> bool:
    """A shared library loaded only because something else needs it (not an extension module,
    a Qt plugin or Python itself, which are what the app loads by name)."""
    dest = dest.replace("\\", "/")
    name = dest.rsplit("/", 1)[-1]
    if "/plugins/" in dest or ".cpython-" in name or ".abi3." in name or name.startswith("libpython"):
        return False
    return bool(re.search(r"\.so(\.|$)", name))


def orphan_libraries(binaries, needed) -> set[str]:
    """Bundle names of the shared libraries (Linux ELF) that nothing kept needs any more.

    ``binaries`` are PyInstaller's (dest, source, kind) entries after the drop rules;
    ``needed(source)`` lists a binary's NEEDED sonames, or None if it cannot be read, in which
    case nothing is called an orphan.  Dropping the GTK theme plugin leaves its libraries
    behind (cairo, pango, Kerberos...); this finds them from the ELF headers rather than a
    hand-kept list that would go stale with the next Qt.
    """
    by_soname = {dest.replace("\\", "/").rsplit("/", 1)[-1]: dest for dest, _src, _kind in binaries}
    source_of = {dest: src for dest, src, _kind in binaries}
    reached: set[str] = set()
    todo = [dest for dest, _src, _kind in binaries if not _is_library(dest)]
    while todo:
        dest = todo.pop()
        if dest in reached:
            continue
        reached.add(dest)
        names = needed(source_of[dest])
        if names is None:
            return set()
        todo += [by_soname[n] for n in names if n in by_soname]
    return {dest for dest, _src, _kind in binaries if _is_library(dest) and dest not in reached}


def elf_needed(path: str) -> list[str] | None:
    """The NEEDED entries of an ELF file (readelf, from binutils), or None if unreadable."""
    import subprocess

    try:
        out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return re.findall(r"\(NEEDED\).*\[(.+)\]", out.stdout)


LICENCE_NAME = re.compile(r"(^|/)(licen[cs]e|copying|notice|authors)[^/]*$", re.IGNORECASE)


def bundled_distributions(top_level_names) -> list[str]:
    """The installed distributions that provide these top-level modules (what the bundle ships)."""
    from importlib import metadata

    providers = metadata.packages_distributions()
    return sorted({dist for name in top_level_names for dist in providers.get(name, ())}, key=str.lower)


def licence_files(distributions) -> list[tuple[str, str]]:
    """(source file, bundle folder) for each licence file in these distributions' metadata.

    Taken from the very versions being bundled, since a wheel's licence can differ by platform
    (numpy's Windows and macOS wheels add the licences of the OpenBLAS and compiler runtime they
    carry).  PySide6 and shiboken6 wheels carry no licence file: THIRD-PARTY-NOTICES has their
    LGPL-3.0 and GPL-3.0 texts.
    """
    from importlib import metadata

    found = []
    for name in distributions:
        dist = metadata.distribution(name)
        for file in dist.files or ():
            if ".dist-info/" in str(file).replace("\\", "/") and LICENCE_NAME.search(str(file)):
                inside = str(file).replace("\\", "/").split(".dist-info/", 1)[1].removeprefix("licenses/")
                folder = "/".join(["licenses", dist.metadata["Name"]] + inside.split("/")[:-1])
                found.append((str(dist.locate_file(file)), folder))
    return found


def python_licence() -> str | None:
    """The licence of the Python interpreter the bundle carries."""
    import os
    import sys

    # The standard library's folder on macOS and Linux, the installation folder on Windows.
    for folder in (os.path.dirname(os.__file__), sys.base_prefix):
        candidate = Path(folder) / "LICENSE.txt"
        if candidate.is_file():
            return str(candidate)
    return None
