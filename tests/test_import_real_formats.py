"""A real Excel 97-2003 workbook, saved by LibreOffice Calc (one soffice call for this module),
renamed .xlsx as people do: refused in one line saying what it is and what to do."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from charityrisk.cli import main

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                "run scripts/setup")


@pytest.fixture(scope="session")
def old_excel(tmp_path_factory):
    root = tmp_path_factory.mktemp("calc_xls")
    source = root / "forecast.csv"
    source.write_text("Item,Jan 2026,Feb 2026\nIncome,,\nGrant,100,100\n", encoding="utf-8")
    home = root / "home"
    home.mkdir()
    done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{home}/lo", "--headless", "--norestore",
                           "--convert-to", "xls", "--outdir", str(root / "out"), str(source)],
                          check=False, capture_output=True, text=True, timeout=180,
                          env={**os.environ, "HOME": str(home)})
    xls = root / "out" / "forecast.xls"
    assert done.returncode == 0 and xls.exists(), done.stderr + done.stdout
    return xls


@pytest.mark.parametrize("name", ["forecast.xls", "forecast.xlsx"])
def test_an_old_excel_workbook_is_refused_in_one_line(old_excel, tmp_path, capsys, name):
    path = tmp_path / name
    shutil.copy(old_excel, path)
    out = tmp_path / "s.json"
    assert main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "old Excel 97-2003 (.xls) workbook" in err and "save it as an Excel Workbook (.xlsx)" in err
    assert not out.exists()
