"""The board pack as trustees read it: no money figure broken across lines, every budget line
listed with its figures, however many there are, and no label cut at the page's edge.

Texts are read back from the PDF with pypdf, as test_report.py reads them; positions are
measured on the pages' own figures (``build_pages``), where the PDF is drawn from."""
from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from charityrisk.engine import simulate
from charityrisk.engine.decisions import analyse
from charityrisk.model.scenario import BudgetLine, Uncertain
from charityrisk.report.missing import missing_charts, missing_sentence
from charityrisk.report.pdf import PAGES, budget_row, build_pages, monthly_summary_rows, wrap_words, write_report
from charityrisk.report.text import headline, money
from scenario_factory import make_scenario

LONG_NAME = ("Community outreach, volunteer coordination and the drop-in advice sessions "
             "in three market towns")


def raw_pages(path) -> list[str]:
    """Each page's text as extracted, line ends kept: a figure split over two lines of a
    cell comes out with a line end inside it."""
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def with_budget(scenario, lines):
    return dataclasses.replace(scenario, organisation=dataclasses.replace(scenario.organisation,
                                                                          budget=tuple(lines)))


@pytest.fixture(scope="module")
def deep_in_debt(tmp_path_factory):
    """A pack whose balances run to minus hundreds of millions: figures of 13 characters and
    more in the month-by-month table's narrow columns."""
    scenario = make_scenario(horizon_months=36, monthly_core_costs=3_210_987.0, opening_reserves=0.0,
                             duration_months=30)
    scenario = dataclasses.replace(scenario, name="Deep in debt")
    results = simulate(scenario, 300, 4)
    path = tmp_path_factory.mktemp("debt") / "debt.pdf"
    write_report(scenario, path, results=results)
    return path, results


def test_large_negative_money_is_never_split_across_lines(deep_in_debt):
    path, results = deep_in_debt
    rows = monthly_summary_rows(results)
    figures = [cell for row in rows for cell in row[1:] if "£" in cell]
    assert any(cell.startswith("-£") and len(cell) >= 13 for cell in figures), figures  # the hard case
    page = raw_pages(path)[1]
    lines = page.splitlines()
    for cell in figures:
        assert any(cell in line for line in lines), f"{cell} is not whole on any line of page 2"
    # Nor anywhere else: no line ends in the middle of a figure ("-£115,50" over "9").
    split = re.compile(r"£[\d,]*\d,?\n[\d,]+|-\n£|£\n\d")
    for number, text in enumerate(raw_pages(path), start=1):
        assert not split.search(text), f"page {number}: {split.search(text)}"


def test_a_figure_too_wide_for_its_cell_is_set_smaller_not_split(tmp_path):
    """The same figures in a budget table's narrow columns: amounts of tens of millions."""
    lines = [BudgetLine(f"Line {i}", "cost", Uncertain(11_550_900 + i, 12_345_678 + i, 99_999_999 - i))
             for i in range(3)]
    scenario = with_budget(make_scenario(horizon_months=12), lines)
    path = tmp_path / "wide.pdf"
    write_report(scenario, path, results=simulate(scenario, 200, 1))
    text = "\n".join(raw_pages(path))
    for i in range(3):
        for figure in (money(11_550_900 + i), money(99_999_999 - i)):
            assert any(figure in line for line in text.splitlines()), figure


def many_lines(count: int) -> list[BudgetLine]:
    return [BudgetLine(f"Budget line {i + 1}" + (f": {LONG_NAME}" if i % 4 == 0 else ": rent"),
                       "income" if i % 3 == 0 else "cost",
                       Uncertain(9_000 + 500 * i, 11_000 + 500 * i, 15_000 + 700 * i),
                       start_month=1 + i % 5, every_months=(1, 3, 12)[i % 3],
                       growth_per_year=0.03 if i % 2 else 0.0, probability=0.8 if i % 5 == 0 else 1.0)
            for i in range(count)]


def test_every_budget_line_is_listed_with_its_figures_however_many(tmp_path):
    scenario = with_budget(make_scenario(horizon_months=24), many_lines(45))
    path = tmp_path / "budget.pdf"
    write_report(scenario, path, results=simulate(scenario, 200, 1))
    pages = [re.sub(r"\s+", " ", text) for text in raw_pages(path)]
    assert len(pages) > PAGES  # 45 lines need pages of their own
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text
    budget_text = " ".join(pages[3:])
    for line in scenario.organisation.budget:
        row = budget_row(line, scenario.horizon_months)
        at = budget_text.find(row[0])
        assert at >= 0, f"{line.name} is not listed"
        # Its figures follow its name, in the order of the table's columns.
        for cell in row[1:]:
            found = budget_text.find(cell, at)
            assert found >= 0, f"{line.name}: {cell} not listed"
            at = found
    assert "see the scenario file" not in budget_text
    assert "lines 1 to" in budget_text or "What we assumed: the budget (45 lines)" in budget_text


def test_a_budget_that_fits_stays_on_page_four(tmp_path):
    """Without a contract's terms beside it, three lines fit on page 4: no page of their own."""
    scenario = with_budget(make_scenario(horizon_months=12, contracts=[]), many_lines(3))
    path = tmp_path / "small.pdf"
    write_report(scenario, path, results=simulate(scenario, 200, 1))
    pages = [re.sub(r"\s+", " ", text) for text in raw_pages(path)]
    assert len(pages) == PAGES
    assert "What we assumed: the budget (3 lines)" in pages[3] and "Budget line 3: rent" in pages[3]


def inside_the_page(fig) -> list[str]:
    """The text of every tick label of every chart on ``fig`` that reaches beyond the page."""
    renderer = fig.canvas.get_renderer()
    width = fig.get_figwidth() * fig.dpi
    outside = []
    for ax in fig.axes:
        for tick in ax.get_yticklabels() + ax.get_xticklabels():
            if not tick.get_visible() or not tick.get_text():
                continue
            box = tick.get_window_extent(renderer)
            if box.x0 < 0 or box.x1 > width:
                outside.append(tick.get_text())
    return outside


def overlapping_labels(ax) -> list[tuple[str, str]]:
    """Pairs of the chart's y tick labels whose boxes overlap (one label printed over another)."""
    renderer = ax.figure.canvas.get_renderer()
    boxes = [(tick.get_text(), tick.get_window_extent(renderer)) for tick in ax.get_yticklabels()
             if tick.get_visible() and tick.get_text()]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
            if box_a.overlaps(box_b)]


def test_tornado_labels_are_whole_inside_the_page(example):
    """The tornado's longest labels (a budget line's long name, "how strongly bad surprises
    come together") wrap within the page: none starts beyond its left edge."""
    lines = list(example.organisation.budget)
    lines[1] = dataclasses.replace(lines[1], name=LONG_NAME + " and the Saturday breakfast club")
    scenario = dataclasses.replace(with_budget(example, lines), correlation=0.4)
    results = simulate(scenario, 500, 3)
    analysis = analyse(scenario, paths=500, seed=3)
    pages = build_pages(scenario, results, analysis=analysis)
    tornado = next(ax for ax in pages[2].axes if any(t.get_text() for t in ax.get_yticklabels()))
    labels = [t.get_text() for t in tornado.get_yticklabels()]
    assert any(label.count("\n") >= 2 for label in labels)  # a long one wrapped, over three lines
    assert inside_the_page(pages[2]) == []
    assert overlapping_labels(tornado) == []
    sizes = {tick.get_fontsize() for tick in tornado.get_yticklabels()}
    assert min(sizes) >= 0.8 * 11 * 0.75 * 0.8  # no smaller than the pack's smallest chart type


@given(st.lists(st.floats(min_value=-1e10, max_value=1e10, allow_nan=False), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=40))
def test_wrapping_never_breaks_a_money_figure(amounts, chars):
    """However narrow the room, a line ends only at a space: each figure stays on one line."""
    figures = [money(x) for x in amounts]
    wrapped = wrap_words(" or ".join(figures) + " (\u00b1 1.6)", chars)
    lines = wrapped.split("\n")
    for figure in figures:
        assert any(figure in line.split(" ") for line in lines), (figure, wrapped)
    assert any("\u00b1\u00a01.6)" in line for line in lines)  # "±" kept with its figure


def test_the_comparison_legend_names_each_option_whole(example):
    """The legend under the payment structures' curves once read "Example: a small resett…":
    each option's name is whole there now, over more lines where it is long."""
    from charityrisk.engine.decisions import compare, preset_options
    from charityrisk.engine.decisions.compare import YOUR_GUESSES

    results = simulate(example, 300, 2)
    comparison = compare(preset_options(example), 300, 2, risk_guesses=YOUR_GUESSES)
    pages = build_pages(example, results, comparison=comparison)
    legends = [ax.get_legend() for ax in pages[2].axes if ax.get_legend() is not None]
    texts = [" ".join(t.get_text().split()) for legend in legends for t in legend.get_texts()]
    assert not any("\u2026" in text for text in texts), texts
    for option in comparison.options:
        head = option.label.split(" (", 1)[0]
        assert any(text.startswith(head) for text in texts), (head, texts)
    assert inside_the_page(pages[2]) == []


def test_a_missing_budget_gets_no_verdict_on_page_one(tmp_path):
    """No budget lines and £0 income and costs: page 1 says the budget is missing, as the
    app's results panel does (report/missing.py), never "within the appetite"."""
    empty = make_scenario(horizon_months=12, monthly_other_income=0.0, monthly_core_costs=0.0, duration_months=6)
    path = tmp_path / "empty.pdf"
    write_report(empty, path, results=simulate(empty, 300, 2))
    pages = [" ".join(page.split()) for page in raw_pages(path)]
    first = pages[0]
    assert "Your budget is missing" in first
    assert "Verdict:" not in first
    # As the app: no key figures beside "no verdict", and no charts of the contract alone.
    assert "Key figures" not in first
    # No chance stated: not the box's large line (whichever way it reads), nor the headline,
    # and "chance of running out" only as the missing budget's sentence says it.
    results = simulate(empty, 300, 2)
    assert "No simulated future runs out" not in first
    assert " ".join(headline(empty, results).split())[:50] not in first
    said = "chance of running out"
    assert first.lower().count(said) == missing_sentence().lower().count(said)
    assert missing_charts() in pages[1] and "Cash balance at the end of each month" not in pages[1]
    with_costs = make_scenario(horizon_months=12, monthly_core_costs=1_000.0, duration_months=6)
    path = tmp_path / "costs.pdf"
    write_report(with_costs, path, results=simulate(with_costs, 300, 2))
    first = " ".join(raw_pages(path)[0].split())
    assert "Verdict:" in first and "budget is missing" not in first
