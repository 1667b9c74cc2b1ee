"""The variants side by side in the board pack, the CSV and the command line (issue 13)."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pypdf
import pytest

from charityrisk.cli import main
from charityrisk.engine.decisions import compare_variants, variant_figures
from charityrisk.engine.simulate import simulate
from charityrisk.model import load_scenario, save_scenario
from charityrisk.report.export import write_csv
from charityrisk.report.pdf import write_report
from charityrisk.report.variants import variant_rows
from charityrisk.resources import example_scenario_path

PATHS = 2000


@pytest.fixture(scope="module")
def with_variants():
    s = load_scenario(example_scenario_path())
    return replace(s, variants=tuple(replace(s.with_contract(0, share_at_risk=x), name=f"Only {x:.0%} at risk")
                                     for x in (0.1, 0.4)))


@pytest.fixture(scope="module")
def compared(with_variants):
    return compare_variants(with_variants, PATHS, 1)


def pdf_text(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages)


def test_the_board_pack_holds_the_variants_table(tmp_path, with_variants, compared):
    path = tmp_path / "pack.pdf"
    write_report(with_variants, path, results=simulate(with_variants, PATHS, 1), variants=compared)
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 5  # four, and the example's budget lines on a page of their own
    page_three = " ".join(reader.pages[2].extract_text().split())
    assert "Your variants, on the same futures" in page_three
    for row in variant_rows(compared)[1:]:
        assert row[0] in page_three
        assert row[4] in page_three  # its working capital, in pounds
        assert row[5] in page_three  # its margin


def test_a_pack_with_variants_not_compared_says_so_and_one_without_says_nothing(tmp_path, with_variants):
    path = tmp_path / "pack.pdf"
    write_report(with_variants, path, results=simulate(with_variants, 500, 1))
    assert "press \u201cCompare variants\u201d in the app" in pdf_text(path)
    plain = replace(with_variants, variants=())
    write_report(plain, path, results=simulate(plain, 500, 1))
    assert "Your variants" not in pdf_text(path)


def test_the_csv_holds_the_variants_as_numbers(tmp_path, with_variants, compared):
    path = tmp_path / "figures.csv"
    write_csv(with_variants, simulate(with_variants, PATHS, 1), path, variants=compared)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    start = next(i for i, row in enumerate(rows) if row and row[0].startswith("Variants side by side"))
    header, *body = rows[start + 1:start + 2 + len(compared.options)]
    assert header[0] == "Terms" and header[-1] == "Margin with payments owed (£)"
    for row, f in zip(body, variant_figures(compared)):
        assert row[0] == f.label
        assert float(row[1]) == pytest.approx(100 * f.p_run_out)
        assert int(row[5]) == f.worst_month
        assert float(row[7]) == pytest.approx(f.working_capital_needed_95, abs=0.01)
        assert float(row[8]) == pytest.approx(f.margin, abs=0.01)


def test_the_command_line_prints_the_variants_table(tmp_path, capsys, with_variants, compared):
    path = tmp_path / "bid.json"
    save_scenario(with_variants, path, backup=False)
    assert main(["compare", "--variants", str(path), "--paths", str(PATHS), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    for row in variant_rows(compared):
        assert row[0] in out and row[1] in out and row[3] in out
    assert main(["compare", "--variants", str(path), "--paths", str(PATHS), "--seed", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [o["label"] for o in data["options"]] == [o.label for o in compared.options]
    assert [o["margin"] for o in data["options"]] == [f.margin for f in variant_figures(compared)]
    assert [o["worst_month"] for o in data["options"]] == [f.worst_month for f in variant_figures(compared)]


def test_the_command_line_refuses_a_file_without_variants(capsys):
    assert main(["compare", "--variants", str(example_scenario_path())]) == 2
    err = capsys.readouterr().err
    assert "has no variants" in err and err.count("\n") == 1


def test_the_report_command_adds_the_variants(tmp_path, with_variants):
    path = tmp_path / "bid.json"
    save_scenario(replace(with_variants, variants=with_variants.variants[:1]), path, backup=False)
    out = tmp_path / "pack.pdf"
    assert main(["report", str(path), "-o", str(out), "--paths", "500", "--csv", str(tmp_path / "f.csv")]) == 0
    assert "Only 10% at risk" in pdf_text(out)
    assert "Only 10% at risk" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
