"""Named variants ("Try different terms", issue 13): kept in the scenario file, validated by
the same rules with paths inside the variant, and compared on the same futures."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from charityrisk.engine.decisions import compare_variants, variant_figures, variant_options
from charityrisk.engine.decisions.compare import CURRENT_TERMS
from charityrisk.engine.simulate import simulate
from charityrisk.engine.verdict import Verdict
from charityrisk.model import ScenarioError, load_scenario, scenario_from_dict
from charityrisk.model.fileformat import parse_scenario_text, save_scenario, scenario_to_dict, scenario_to_json
from charityrisk.model.scenario import MAX_VARIANTS
from charityrisk.resources import example_scenario_path
from scenario_factory import contract, make_scenario


@pytest.fixture
def worked():
    """domain.md's worked example (earn) with its clawback variant (success 0.4)."""
    s = make_scenario(name="Worked example")
    clawback = replace(s.with_contract(0, payment_mode="clawback",
                                       success_rate=s.contracts[0].success_rate.scaled(0.4 / 0.6)),
                       name="Clawback at 40% success")
    return replace(s, variants=(clawback,))


def test_variants_survive_save_and_open(tmp_path, worked):
    path = tmp_path / "s.json"
    save_scenario(worked, path)
    back = load_scenario(path)
    assert [v.name for v in back.variants] == ["Clawback at 40% success"]
    assert back.variants == worked.variants
    assert back.variants[0].contracts[0].payment_mode == "clawback"
    data = json.loads(path.read_text())
    assert data["version"] == 3  # the version the app writes (variants are a version 2 key)
    assert "version" not in data["variants"][0] and "variants" not in data["variants"][0]


def test_a_file_without_variants_loads_and_is_written_without_the_key():
    s = load_scenario(example_scenario_path())
    assert s.variants == ()
    assert "variants" not in scenario_to_dict(s)


def test_a_version_1_file_reads_a_variants_key_with_a_warning(worked):
    # Settled 2026-12-06 (domain.md, version 3): a newer key in an older file is read with its
    # meaning and a warning naming it, never set aside.
    data = scenario_to_dict(worked)
    data["version"] = 1
    for key in ("notes", "correlation"):
        data.pop(key, None)
    for c in data["contracts"]:
        c.pop("id", None)
    warnings: list = []
    s = scenario_from_dict(data, warnings)
    assert len(s.variants) == len(data["variants"]) > 0
    assert "v1:variants" not in s.extra
    assert ("variants", "newer") in [(w.path, w.code) for w in warnings]


def test_problems_inside_a_variant_name_the_variant():
    base = scenario_to_dict(make_scenario())
    bad = json.loads(json.dumps(base))
    bad["contracts"][0]["price_per_referral"] = -5
    del bad["horizon_months"]
    data = {**base, "variants": [scenario_to_dict(make_scenario(name="fine")), bad, 7,
                                 {**base, "variants": [base]}, {**base, "version": 9}]}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(data)
    paths = [p.path for p in caught.value.problems]
    assert "variants[1].contracts[0].price_per_referral" in paths
    assert "variants[1].horizon_months" in paths
    assert "variants[2]" in paths
    assert "variants[3].variants" in paths
    assert "variants[4].version" in paths
    assert not any(p.startswith("variants[0]") for p in paths)


def test_the_number_of_variants_is_limited():
    one = scenario_to_dict(make_scenario())
    data = {**one, "variants": [dict(one, name=f"v{i}") for i in range(MAX_VARIANTS + 1)]}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(data)
    assert [p.path for p in caught.value.problems] == ["variants"]
    data["variants"].pop()
    assert len(scenario_from_dict(data).variants) == MAX_VARIANTS


def test_variants_do_not_make_the_scenario_a_different_one(worked):
    # The results and decision answers of a scenario stay current when a variant is saved.
    assert worked == replace(worked, variants=())
    assert parse_scenario_text(scenario_to_json(worked)).variants == worked.variants


def test_the_figures_side_by_side_match_the_worked_example(worked):
    comparison = compare_variants(worked, paths=50, seed=3)
    assert [o.label for o in comparison.options] == [CURRENT_TERMS, "Clawback at 40% success"]
    earn, clawback = variant_figures(comparison)
    # domain.md: earn runs out in month 3 needing 100; clawback in month 4 needing 600.
    assert (earn.p_run_out, earn.worst_month, earn.worst_month_runs_out) == (1.0, 3, True)
    assert earn.working_capital_needed_95 == pytest.approx(100)
    assert (clawback.worst_month, clawback.working_capital_needed_95) == (4, pytest.approx(600))
    assert earn.verdict is clawback.verdict is Verdict.ABOVE
    # Receipts less costs: earn 7,200 fees + 2,400 outcomes - 6,800 = 2,800;
    # clawback 9,600 fees - 2,400 repaid - 6,800 = 400.
    assert earn.margin == pytest.approx(2800)
    assert clawback.margin == pytest.approx(400)


def test_without_any_future_running_out_the_worst_month_is_the_lowest_median_balance():
    s = make_scenario(opening_reserves=100_000)
    s = replace(s, variants=(replace(s, name="same"),))
    figures = variant_figures(compare_variants(s, paths=20, seed=1))
    # Balances 100,000 above the worked example's: its lowest is month 3.
    assert [(f.worst_month, f.worst_month_runs_out, f.p_run_out) for f in figures] == [(3, False, 0.0)] * 2
    assert figures[0].verdict is Verdict.WITHIN


def test_margin_counts_payments_owed_after_the_horizon():
    # The last cohort's outcome payment falls in month 6: a horizon of 5 leaves it owed.
    s = make_scenario(horizon_months=5)
    s = replace(s, variants=(replace(s, name="same"),))
    f = variant_figures(compare_variants(s, paths=10, seed=1))[0]
    # Within 5 months: fees 1,800 x 3 (months 3-5) + 1,200 (cohort 1) - 6,800 costs = -200;
    # owed: cohort 2's 1,200 and month 5's fee of 1,800.
    assert f.margin == pytest.approx(-200 + 1200 + 1800)


def test_each_variant_runs_on_the_same_futures_as_on_its_own():
    s = make_scenario(contracts=[contract(count_noise="poisson", referrals_per_month={"low": 1, "likely": 3,
                                                                                     "high": 6})])
    other = replace(s.with_contract(0, share_at_risk=0.6), name="More at risk")
    s = replace(s, variants=(other,))
    comparison = compare_variants(s, paths=500, seed=11)
    for option, alone in zip(comparison.options, (replace(s, variants=()), other)):
        assert option.results.p_run_out == simulate(alone, 500, 11).p_run_out
    assert [label for label, _ in variant_options(s)] == [CURRENT_TERMS, "More at risk"]


def test_nothing_to_compare_is_said_plainly():
    with pytest.raises(ValueError, match="no variants"):
        compare_variants(make_scenario(), paths=10)
