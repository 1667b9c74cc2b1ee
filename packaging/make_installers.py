"""Write the Windows installer script and lay out the macOS disk image, from one version number.

    python packaging/make_installers.py iss [--dist dist] [--out build/installer]
        writes CharityRisk.iss for Inno Setup 6 (compile it on Windows: iscc CharityRisk.iss)
    python packaging/make_installers.py dmg-folder [--dist dist] [--out build/dmg]
        copies CharityRisk.app beside an "Applications" link: the window a Mac user sees
    python packaging/make_installers.py dmg [--dist dist] [--out build/dmg]
        the folder above, then hdiutil makes dist/CharityRisk-<version>-macos-<arch>.dmg (macOS only)

Both take the version from charityrisk/__init__.py (packaging/appinfo.py reads it), as
build.spec does, so the installer, the app and the disk image never disagree.
"""
from __future__ import annotations

import argparse
import ntpath
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import appinfo  # beside this script; no package to import it from

ISS_NAME = f"{appinfo.APP_NAME}.iss"


def _iss_string(text: str) -> str:
    return text.replace('"', '""')


def inno_setup_script(version: str, app_folder: str, output_dir: str, icon: str, licence: str) -> str:
    """The .iss text.  Paths are as Inno Setup will read them on Windows.

    Per-user: PrivilegesRequired=lowest installs into the user's own Programs folder with no
    administrator prompt (finance leads without IT support), and HKA then means HKCU, so the
    file association is the user's own too.
    """
    name, exe = appinfo.APP_NAME, f"{appinfo.APP_NAME}.exe"
    progid = f"{name}.Scenario"
    ext = f".{appinfo.EXTENSION}"
    numeric = ".".join(str(n) for n in appinfo.version_tuple(version))
    return f"""; Written by packaging/make_installers.py for {name} {version}: edit that script, not this file.
; Compile on Windows with Inno Setup 6.3 or later:  iscc "{ISS_NAME}"

[Setup]
AppId={appinfo.INNO_APP_ID}
AppName={name}
AppVersion={version}
AppVerName={name} {version}
AppPublisher={_iss_string(appinfo.PUBLISHER)}
AppCopyright={_iss_string(appinfo.COPYRIGHT)}
VersionInfoVersion={numeric}
VersionInfoDescription={name} installer
DefaultDirName={{autopf}}\\{name}
DefaultGroupName={name}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion={appinfo.MIN_WINDOWS}
ChangesAssociations=yes
LicenseFile={licence}
SetupIconFile={icon}
UninstallDisplayIcon={{app}}\\{exe}
UninstallDisplayName={name}
OutputDir={output_dir}
OutputBaseFilename={name}-{version}-windows-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{{cm:CreateDesktopIcon}}"; GroupDescription: "{{cm:AdditionalIcons}}"; Flags: unchecked

[Files]
Source: "{app_folder}\\*"; DestDir: "{{app}}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{{autoprograms}}\\{name}"; Filename: "{{app}}\\{exe}"
Name: "{{autodesktop}}\\{name}"; Filename: "{{app}}\\{exe}"; Tasks: desktopicon

[Registry]
; Double-click a {ext} file (JSON inside) to open it in {name}; .json files get "Open with".
Root: HKA; Subkey: "Software\\Classes\\{ext}\\OpenWithProgids"; ValueType: string; ValueName: "{progid}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\\Classes\\{ext}"; ValueType: string; ValueName: ""; ValueData: "{progid}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\\Classes\\{progid}"; ValueType: string; ValueName: ""; ValueData: "{appinfo.FILE_TYPE_NAME}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\\Classes\\{progid}\\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{{app}}\\{exe},0"
Root: HKA; Subkey: "Software\\Classes\\{progid}\\shell\\open\\command"; ValueType: string; ValueName: ""; ValueData: \"\"\"{{app}}\\{exe}\"\" \"\"%1\"\"\"
Root: HKA; Subkey: "Software\\Classes\\Applications\\{exe}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\\Classes\\Applications\\{exe}\\SupportedTypes"; ValueType: string; ValueName: "{ext}"; ValueData: ""
Root: HKA; Subkey: "Software\\Classes\\Applications\\{exe}\\SupportedTypes"; ValueType: string; ValueName: ".json"; ValueData: ""

[Run]
Filename: "{{app}}\\{exe}"; Description: "{{cm:LaunchProgram,{name}}}"; Flags: nowait postinstall skipifsilent
"""


def _windows_relpath(target: Path, start: Path) -> str:
    """Relative path with backslashes: the .iss is compiled on Windows wherever it is written."""
    return ntpath.join(*Path(os.path.relpath(target, start)).parts)


def write_iss(dist: Path, out: Path, root: Path = appinfo.ROOT) -> Path:
    version = appinfo.read_version(root)
    out.mkdir(parents=True, exist_ok=True)
    text = inno_setup_script(
        version,
        app_folder=_windows_relpath(dist / appinfo.APP_NAME, out),
        output_dir=_windows_relpath(dist, out),
        icon=_windows_relpath(root / "resources" / "icon.ico", out),
        licence=_windows_relpath(root / "LICENSE", out),
    )
    path = out / ISS_NAME
    # Inno Setup 6 reads a UTF-8 script only with a byte-order mark.
    path.write_text(text, encoding="utf-8-sig", newline="\r\n")
    return path


def dmg_name(version: str, arch: str | None = None) -> str:
    arch = arch or {"arm64": "arm64", "x86_64": "intel"}.get(platform.machine(), platform.machine())
    return f"{appinfo.APP_NAME}-{version}-macos-{arch}.dmg"


def lay_out_dmg(app: Path, out: Path) -> Path:
    """The disk image's contents: the app and a link to /Applications to drag it onto."""
    if not (app / "Contents" / "Info.plist").is_file():
        raise SystemExit(f"{app} is not an app bundle (no Contents/Info.plist): build it first")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # symlinks=True: the bundle's frameworks link inside themselves; copying the targets
    # would double their size and break the code signature's layout.
    shutil.copytree(app, out / app.name, symlinks=True)
    (out / "Applications").symlink_to("/Applications")
    return out


def make_dmg(folder: Path, target: Path, volume_name: str = appinfo.APP_NAME) -> Path:
    """Compress the laid-out folder into a read-only disk image (hdiutil: macOS only)."""
    target.unlink(missing_ok=True)
    subprocess.run(["hdiutil", "create", "-volname", volume_name, "-srcfolder", str(folder),
                    "-fs", "HFS+", "-format", "UDZO", "-ov", str(target)], check=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("iss", "dmg-folder", "dmg"))
    parser.add_argument("--dist", type=Path, default=appinfo.ROOT / "dist",
                        help="PyInstaller's output folder (default: dist)")
    parser.add_argument("--out", type=Path, help="where to write (default: build/installer or build/dmg)")
    args = parser.parse_args(argv)
    if args.what == "iss":
        print(write_iss(args.dist.resolve(), (args.out or appinfo.ROOT / "build" / "installer").resolve()))
        return 0
    folder = lay_out_dmg(args.dist / f"{appinfo.APP_NAME}.app", args.out or appinfo.ROOT / "build" / "dmg")
    if args.what == "dmg":
        print(make_dmg(folder, args.dist / dmg_name(appinfo.read_version())))
    else:
        print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
