"""The trustees' PDF report and the CSV export: what they say matches what the engine computed."""
from __future__ import annotations

import csv
import dataclasses
import datetime
import json
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from charityrisk import __version__
from charityrisk.engine import simulate
from charityrisk.model import load_scenario, scenario_to_dict
from charityrisk.report.export import BALANCE_HEADER, write_csv
from charityrisk.report.pdf import write_report
from charityrisk.report.text import headline, money, percent, verdict
from charityrisk.resources import example_scenario_path
from scenario_factory import contract, make_scenario

PATHS, SEED = 2000, 11
DAY = datetime.date(2025, 3, 5)


def pdf_text(path) -> str:
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def example():
    return load_scenario(example_scenario_path())


@pytest.fixture(scope="module")
def example_report(example, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    results = write_report(example, path, paths=PATHS, seed=SEED, day=DAY)
    return path, results


def test_report_is_one_or_two_pages(example_report):
    path, _ = example_report
    assert path.read_bytes().startswith(b"%PDF")
    assert 1 <= len(PdfReader(str(path)).pages) <= 2


def test_report_shows_the_engines_figures(example, example_report):
    path, results = example_report
    expected = simulate(example, PATHS, SEED)
    assert results.p_run_out == expected.p_run_out
    text = pdf_text(path)
    assert percent(expected.p_run_out) in text
    assert money(expected.working_capital_needed_95) in text
    assert f"Seed: {SEED}" in text
    assert f"{PATHS:,}" in text
    assert f"{100 * expected.p_run_out_se:.2f} percentage points" in text
    assert __version__ in text
    assert "5 March 2025" in text
    assert example.name.split(":")[0] in text
    # the headline's and verdict's words, allowing for line wrapping
    for sentence in (headline(example, expected), verdict(expected, example.settings.risk_appetite)):
        assert " ".join(sentence.split()) in text


def test_report_lists_inputs_and_assumptions(example, example_report):
    text = pdf_text(example_report[0])
    org = example.organisation
    assert money(org.opening_reserves) in text
    assert money(org.monthly_core_costs) in text
    c = example.contracts[0]
    assert money(c.price_per_referral) in text
    assert "earned in proportion to successes" in text
    assert "Use the app's decision tools" in text
    assert "no interest" in text
    assert "assumed to pay eventually" in text


def test_report_uses_given_results_and_decisions(tmp_path):
    scenario = make_scenario(overdraft_facility=500, reserves_floor=-100)
    results = simulate(scenario, 300, 4)
    decisions = ["Ask the prime to pay fees in the month of delivery.",
                 "Keep £2,000 more in reserves before signing."]
    path = tmp_path / "given.pdf"
    assert write_report(scenario, path, results=results, decisions=decisions) is results
    text = pdf_text(path)
    for decision in decisions:
        assert decision in text
    assert "Use the app's decision tools" not in text
    assert "Seed: 4" in text
    assert "£500" in text  # the overdraft


def test_many_contracts_still_fit_two_pages(tmp_path):
    modes = ["earn", "threshold", "clawback"]
    contracts = [contract(name=f"Contract {i} with quite a long name", payment_mode=modes[i % 3],
                          start_month=1 + i % 4) for i in range(7)]
    scenario = dataclasses.replace(make_scenario(contracts=contracts, horizon_months=24),
                                   name="Seven contracts")
    path = tmp_path / "many.pdf"
    write_report(scenario, path, paths=200, seed=1, decisions=["One thing to do."] * 5)
    assert 1 <= len(PdfReader(str(path)).pages) <= 2
    assert "Contract 1 with quite a long name" in pdf_text(path)


def test_report_write_is_atomic(example, tmp_path):
    results = simulate(example, 200, 1)
    path = tmp_path / "report.pdf"
    path.write_bytes(b"old report")
    with pytest.raises(OSError):
        write_report(example, tmp_path / "missing-folder" / "r.pdf", results=results)
    write_report(example, path, results=results)
    assert path.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary files left


def _run(*args):
    return subprocess.run([sys.executable, "-m", "charityrisk", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_cli_report_writes_pdf(tmp_path):
    out = tmp_path / "out.pdf"
    done = _run("report", example_scenario_path(), "-o", out, "--paths", 500, "--seed", 2)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert "Seed: 2" in pdf_text(out)


def test_cli_report_bad_scenario_exits_2(tmp_path):
    bad = json.loads(example_scenario_path().read_text(encoding="utf-8"))
    bad["contracts"][0]["share_at_risk"] = 1.4
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    out = tmp_path / "out.pdf"
    done = _run("report", path, "-o", out)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "share_at_risk" in done.stderr
    assert not out.exists()


@pytest.fixture(scope="module")
def csv_export(example, tmp_path_factory):
    results = simulate(example, PATHS, SEED)
    path = tmp_path_factory.mktemp("csv") / "results.csv"
    write_csv(example, results, path, day=DAY)
    return path, results


def _csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _balance_header(rows):
    """Where the balance table starts: its header begins with BALANCE_HEADER (with contracts,
    columns for the organisation without them follow)."""
    return next(i for i, row in enumerate(rows) if row[:len(BALANCE_HEADER)] == BALANCE_HEADER)


def test_csv_is_excel_friendly(csv_export):
    path, _ = csv_export
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads £ correctly
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    rows = _csv_rows(path)
    header = _balance_header(rows)
    for row in rows[header + 1:]:
        for cell in row:
            float(cell)  # plain numbers: no separators, no £
            assert "," not in cell and "£" not in cell


def test_csv_balance_table_matches_engine(csv_export):
    path, results = csv_export
    rows = _csv_rows(path)
    header = _balance_header(rows)
    table = rows[header + 1:]
    assert [int(r[0]) for r in table] == list(range(1, results.horizon_months + 1))
    median = [float(r[3]) for r in table]
    assert median == pytest.approx(list(results.balance_percentiles["50"]), abs=0.005)
    for column, q in zip(range(1, 6), ("5", "25", "50", "75", "95")):
        assert [float(r[column]) for r in table] == pytest.approx(
            list(results.balance_percentiles[q]), abs=0.005)
    assert [float(r[6]) for r in table] == pytest.approx(
        [100 * p for p in results.p_run_out_by_month], abs=1e-4)


def test_csv_key_results(csv_export):
    path, results = csv_export
    measures = {row[0]: row[1] for row in _csv_rows(path) if len(row) >= 2}
    key = f"Chance of running out within {results.horizon_months} months"
    assert float(measures[key]) == pytest.approx(100 * results.p_run_out, abs=1e-4)
    assert float(measures["Extra working capital for 95% safety"]) == pytest.approx(
        results.working_capital_needed_95, abs=0.005)
    assert measures["Simulated futures"] == str(PATHS)
    assert measures["Seed"] == str(SEED)


def test_csv_never_starts_a_cell_with_a_formula(tmp_path):
    scenario = dataclasses.replace(make_scenario(), name="=HYPERLINK(\"http://x\")")
    path = tmp_path / "r.csv"
    write_csv(scenario, simulate(scenario, 20, 1), path)
    rows = _csv_rows(path)
    assert rows[1] == ["Scenario", "'=HYPERLINK(\"http://x\")"]
    assert scenario_to_dict(scenario)["name"].startswith("=")  # the scenario itself is untouched
