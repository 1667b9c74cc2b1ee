"""The trustees' board pack (PDF) and the CSV export: what they say matches what the engine computed."""
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
from charityrisk.engine.decisions import analyse, compare, preset_options
from charityrisk.model import load_scenario, scenario_to_dict
from charityrisk.model.scenario import BudgetLine, Uncertain
from charityrisk.report.decision_text import advice
from charityrisk.report.export import BALANCE_HEADER, write_csv
from charityrisk.report.pdf import (
    PAGES,
    added_risk_sentence,
    monthly_summary_rows,
    summary_periods,
    write_report,
)
from charityrisk.report.text import (
    contract_risk,
    headline,
    money,
    percent,
    run_verdict,
    verdict,
    verdict_words,
)
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


def test_report_is_four_pages_and_the_budget_where_page_four_has_no_room(example, example_report):
    path, _ = example_report
    assert path.read_bytes().startswith(b"%PDF")
    pages = page_texts(path)
    assert PAGES == 4
    # The example's ten budget lines do not fit on page 4 beside its contract: a page of their own.
    assert len(pages) == PAGES + 1
    assert "The 10 lines are listed with their figures on the page after this one." in pages[3]
    assert "What we assumed: the budget (lines 1 to 10 of 10)" in pages[4]


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
    assert "Not worked out for this report" in text  # no decision tools were run
    assert "no interest" in text
    assert "assumed to pay eventually" in text


def test_report_uses_given_results_and_decisions(tmp_path):
    scenario = make_scenario(overdraft_facility=500, reserves_floor=-100)
    results = simulate(scenario, 300, 4)
    decisions = ["Ask the prime to pay fees in the month of delivery.",
                 "Keep £2,000 more in reserves before signing."]
    path = tmp_path / "given.pdf"
    assert write_report(scenario, path, results=results, decisions=decisions) is results
    first = page_texts(path)[0]
    for decision in decisions:
        assert decision in first
    assert "What would make it safe Not worked out" not in first
    assert "Seed: 4" in pdf_text(path)
    assert "£500" in pdf_text(path)  # the overdraft


def test_many_contracts_still_fit_four_pages(tmp_path):
    modes = ["earn", "threshold", "clawback"]
    contracts = [contract(name=f"Contract {i} with quite a long name", payment_mode=modes[i % 3],
                          start_month=1 + i % 4) for i in range(7)]
    scenario = dataclasses.replace(make_scenario(contracts=contracts, horizon_months=24),
                                   name="Seven contracts")
    path = tmp_path / "many.pdf"
    write_report(scenario, path, paths=200, seed=1, decisions=["One thing to do."] * 5)
    assert 1 <= len(PdfReader(str(path)).pages) <= 4
    text = pdf_text(path)
    assert "Contract 1 with quite a long name" in text
    assert "Without the contracts you run out" in text
    # Its budget runs out on its own (the worked example's): said first, then what signing
    # changes (issue 25).
    assert "Your budget alone runs out by month" in text and "Signing the contracts" in text
    assert "Quarter 8 (months 22–24)" in text  # quarters for a 24-month horizon


# ------------------------------------------------------------------ the board pack

def page_texts(path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def board_pack(example, tmp_path_factory):
    """The example's pack with the decision tools' answers, as the report command makes it."""
    results = simulate(example, PATHS, SEED)
    analysis = analyse(example, paths=PATHS, seed=SEED)
    comparison = compare(preset_options(example), PATHS, SEED)
    path = tmp_path_factory.mktemp("pack") / "pack.pdf"
    write_report(example, path, results=results, analysis=analysis, comparison=comparison, day=DAY)
    return path, results, analysis, comparison


def test_page_one_is_the_decision(example, board_pack):
    path, results, analysis, _ = board_pack
    first = page_texts(path)[0]
    assert "If we sign this contract, how likely are we to run out of money in the next 36 months?" in first
    words = verdict_words(run_verdict(results, example.settings.risk_appetite), example.settings.risk_appetite)
    assert f"Verdict: {words}" in first
    assert added_risk_sentence(example, results) in first
    assert advice(analysis.solutions) in first  # what would make it safe, in one sentence
    assert f"Seed {SEED}" in first and __version__ in first  # enough to produce it again


def test_added_risk_sentence_says_what_the_contract_adds(example, board_pack):
    _, results, _, _ = board_pack
    assert results.baseline is not None
    fixed = dataclasses.replace(results, p_run_out=0.25,
                                baseline=dataclasses.replace(results.baseline, p_run_out=0.03))
    assert added_risk_sentence(example, fixed) == contract_risk(fixed)
    assert "with it, in 25%: the contract adds 22 points." in added_risk_sentence(example, fixed)
    safer = dataclasses.replace(fixed, p_run_out=0.01)
    assert added_risk_sentence(example, safer).endswith("the contract lowers it by 2 points.")
    none = dataclasses.replace(fixed, baseline=dataclasses.replace(results.baseline, p_run_out=0.0))
    assert "Without the contract you run out of money within 36 months in none of" in added_risk_sentence(example, none)


def test_every_page_carries_the_name_and_the_pack_has_the_decision_charts(example, board_pack):
    path, _, _, comparison = board_pack
    pages = page_texts(path)
    assert len(pages) >= 4
    short = example.name[:40]
    for number, text in enumerate(pages, start=1):
        assert short in text, f"page {number} lacks the scenario's name"
        assert f"page {number} of {len(pages)}" in text
    assert "What drives the risk" in pages[2]
    assert "Input at its low value" in pages[2]  # the tornado's legend
    for option in comparison.options:
        assert " ".join(option.label.split())[:20] in " ".join(pages[2].split())
    assert "How to read this" in " ".join(pages)
    assert "Not worked out" not in " ".join(pages)


def test_notes_are_on_the_first_page(example, tmp_path):
    noted = dataclasses.replace(example, extra={**example.extra, "notes": "Draft for the June board."})
    path = tmp_path / "noted.pdf"
    write_report(noted, path, results=simulate(noted, 200, 1))
    assert "Draft for the June board." in page_texts(path)[0]


def test_month_by_month_summary_adds_up(example, board_pack):
    path, results, _, _ = board_pack
    rows = monthly_summary_rows(results)
    assert [row[0] for row in rows] == ["Year 1 (months 1–12)", "Year 2 (months 13–24)",
                                        "Year 3 (months 25–36)"]
    flows = results.mean_flows_by_month
    assert rows[1][1] == money(sum(flows["income"][12:24]))
    assert rows[2][4] == money(sum(flows["contract_costs"][24:36]))
    assert rows[0][5] == money(results.mean_balance_by_month[11])
    assert rows[2][6] == money(results.balance_percentiles["5"][35])
    assert rows[2][7] == percent(results.p_run_out_by_month[35])
    assert " ".join(rows[1][:4]) in page_texts(path)[1]
    assert summary_periods(7) == ("Quarter", [(1, 3), (4, 6), (7, 7)])


def test_budget_lines_are_in_the_assumptions(tmp_path):
    base = make_scenario()
    budget = (BudgetLine("Rent for the Leeds office", "cost", Uncertain.fixed(1200)),
              BudgetLine("December appeal", "income", Uncertain(3000, 5000, 8000), start_month=3,
                         every_months=12, probability=0.8))
    scenario = dataclasses.replace(base, name="With a budget",
                                   organisation=dataclasses.replace(base.organisation, budget=budget))
    path = tmp_path / "budget.pdf"
    write_report(scenario, path, paths=300, seed=2)
    last = page_texts(path)[-1]
    assert "What we assumed: the budget (2 lines)" in last
    assert "Rent for the Leeds office" in last and "£1,200" in last
    assert "December appeal" in last and "£3,000 to £8,000, most likely £5,000" in last
    assert "once a year" in last and "80%" in last


def test_page_one_renders_legibly_in_grey(board_pack, tmp_path):
    """What a projector shows: page 1 as a greyscale picture, with dark text on white."""
    path = board_pack[0]
    done = subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", "-png", str(path),
                           str(tmp_path / "page")], check=False, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from matplotlib.image import imread

    (png,) = tmp_path.glob("page*.png")
    grey = imread(png)
    grey = grey if grey.ndim == 2 else grey[..., 0]
    assert grey.shape[0] > grey.shape[1]  # portrait A4
    dark = (grey < 0.35).mean()  # text in ink
    assert 0.01 < dark < 0.25, f"{dark:.3f} of page 1 is dark: blank or a solid block"
    rows = (grey < 0.35).any(axis=1)
    assert rows[: len(rows) // 2].any() and rows[len(rows) // 2:].any()  # both halves have text


def test_report_write_is_atomic(example, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    import charityrisk.report.pdf as pdf

    results = simulate(example, 200, 1)
    path = tmp_path / "report.pdf"
    path.write_bytes(b"old report")
    with monkeypatch.context() as m:  # the failing write needs a PDF, not the pack's four pages
        m.setattr(pdf, "build_pages", lambda *a, **k: [Figure()])
        with pytest.raises(OSError):
            write_report(example, tmp_path / "missing-folder" / "r.pdf", results=results)
    write_report(example, path, results=results)
    assert path.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary files left


def _run(*args):
    return subprocess.run([sys.executable, "-m", "charityrisk", *map(str, args)],
                          check=False, capture_output=True, text=True, timeout=120)


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
