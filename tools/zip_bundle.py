"""Zip dist/CharityRisk keeping symbolic links as links (unzip and Finder restore them).

PyInstaller links Qt's and numpy's libraries into _internal/; shutil.make_archive would
follow each link and store the same library twice (about 40 MB more).
"""
import os
import stat
import sys
import zipfile
from pathlib import Path


def zip_folder(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for root, dirs, files in os.walk(folder):
            for name in sorted(dirs + files):
                path = Path(root) / name
                arcname = str(path.relative_to(folder.parent))
                if path.is_symlink():
                    info = zipfile.ZipInfo(arcname)
                    info.create_system = 3  # Unix, so the mode bits below mean "link"
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    z.writestr(info, os.readlink(path))
                elif path.is_file():
                    z.write(path, arcname)


if __name__ == "__main__":
    zip_folder(Path(sys.argv[1]), Path(sys.argv[2]))
