"""``charityrisk compare`` and ``charityrisk solve``, run as a user would (in this process; one
smoke test in a fresh process)."""
import copy
import json

import pytest

from charityrisk import cli
from charityrisk.engine.decisions import SOLVABLE
from cli_run import run, run_process
from test_decisions import BASE


def write(tmp_path, name, data):
    path = tmp_path / name
    # with its version: a file without one is read as version 1 with a warning (version 3)
    path.write_text(json.dumps({"version": 1, **data}))
    return path


@pytest.fixture
def charity(tmp_path):
    return write(tmp_path, "charity.json", BASE)


def one_line_error(done, *words):
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_cli_knows_the_engines_inputs():
    assert cli.SOLVABLE == SOLVABLE


def test_solve_one_input_json(charity):
    done = run_process("solve", charity, "--for", "share_at_risk", "--contract", 0, "--paths", 2000, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["paths"] == 2000 and out["seed"] == 1 and out["risk_appetite"] == 0.05
    assert out["p_run_out"] > 0.05 and out["contract"] == 0
    (goal,) = out["goals"]
    assert goal["input"] == "share_at_risk" and goal["key"] == "contracts[0].share_at_risk"
    assert goal["status"] == "found" and goal["direction"] == "at_most"
    assert 0 <= goal["value"] < 0.3 and goal["p_run_out_at_value"] <= 0.05
    low, high = goal["value_range"]
    assert low <= goal["value"] <= high
    for key in ("current_value", "p_run_out_current", "p_run_out_se_at_value", "best_value",
                "search_low", "search_high", "step", "appetite_se", "evaluations", "current_is_safe"):
        assert key in goal
    assert goal["sentence"].startswith("Keep the share at risk at or below")
    assert out["advice"].startswith("Keep the share at risk at or below")


def test_solve_all_inputs_human_and_json(charity):
    done = run("solve", charity, "--paths", 1500, "--risk-appetite", "10%", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["risk_appetite"] == 0.1
    # every input the example's payment mode reads (not a rate card's fee or a pooled target), and
    # not the interest on an overdraft that costs nothing
    unread = ("fee_per_referral", "pooled_target_success_rate", "overdraft_interest_per_year")
    assert [g["input"] for g in out["goals"]] == [n for n in SOLVABLE if n not in unread]
    assert out["goals"][2]["referrals_at_value"]["likely"] == pytest.approx(out["goals"][2]["value"])
    done = run("solve", charity, "--paths", 1500)
    assert done.returncode == 0, done.stderr
    assert "Chance of running out now:" in done.stdout
    assert "Keep the share at risk at or below" in done.stdout
    assert "overdraft facility" in done.stdout and "Monte Carlo" in done.stdout


def test_solve_reports_every_safe_range_when_the_risk_turns(tmp_path):
    """Fees 6 months late, outcomes paid at once: the risk is lowest in the middle of the
    share at risk and above a 12% appetite at both ends, where the old search looked."""
    from charityrisk.model import save_scenario
    from test_decisions import turning_scenario

    path = tmp_path / "turning.json"
    save_scenario(turning_scenario(), path)
    args = ("solve", path, "--for", "share_at_risk", "--contract", 0, "--paths", 10_000, "--seed", 1,
            "--risk-appetite", "12%")
    done = run(*args, "--json")
    assert done.returncode == 0, done.stderr
    (goal,) = json.loads(done.stdout)["goals"]
    assert goal["status"] == "found" and goal["direction"] == "between"
    ((low, high),) = goal["safe_ranges"]
    assert 0 < low < high < 1
    done = run(*args)
    assert done.returncode == 0, done.stderr
    words = f"between {100 * low:.0f}% and {100 * high:.0f}%"
    assert f"keep the share of the price at risk {words}" in done.stdout
    assert "does not move one way" in done.stdout and "nothing" not in done.stdout


@pytest.mark.parametrize("args,words", [
    (("--for", "price"), ("--for", "invalid choice")),
    (("--for", "share_at_risk", "--contract", 3), ("--contract 3", "has 1 contract")),
    (("--contract", "-1"), ("--contract",)),
    (("--paths", 500_000), ("--paths", "100,000")),
    (("--risk-appetite", "150%"), ("--risk-appetite",)),
])
def test_solve_usage_mistakes_exit_2(charity, args, words):
    one_line_error(run("solve", charity, *args), *words)


def test_solve_bad_file_names_the_key(tmp_path):
    data = copy.deepcopy(BASE)
    data["contracts"][0]["share_at_risk"] = 1.4
    bad = write(tmp_path, "bad.json", data)
    one_line_error(run("solve", bad, "--for", "share_at_risk", "--json"), "contracts[0].share_at_risk")
    one_line_error(run("solve", tmp_path / "missing.json"), "missing.json")


def test_solve_organisation_inputs_without_contracts(tmp_path):
    data = copy.deepcopy(BASE)
    data["contracts"] = []
    path = write(tmp_path, "none.json", data)
    done = run("solve", path, "--paths", 1000, "--json")
    assert done.returncode == 0, done.stderr
    assert [g["input"] for g in json.loads(done.stdout)["goals"]] == ["overdraft_facility", "opening_reserves"]
    one_line_error(run("solve", path, "--for", "share_at_risk"), "--contract 0", "has no contracts")


def test_compare_json(tmp_path, charity):
    data = copy.deepcopy(BASE)
    data["contracts"][0]["share_at_risk"] = 0.0
    safer = write(tmp_path, "no_risk.json", data)
    done = run("compare", charity, safer, "--paths", 1000, "--seed", 4, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["paths"] == 1000 and out["seed"] == 4 and out["common_random_numbers"] is True
    first, second = out["options"]
    assert (first["label"], second["label"]) == ("charity", "no_risk")
    assert first["file"] == str(charity) and second["file"] == str(safer)
    assert second["p_run_out"] <= first["p_run_out"] and out["safest"] == "no_risk"
    assert second["rank"] == 1 and first["rank"] == 2
    assert first["p_run_out_difference"] == 0
    assert second["p_run_out_difference"] == pytest.approx(second["p_run_out"] - first["p_run_out"])
    for option in out["options"]:
        assert len(option["p_run_out_by_month"]) == 24
        for key in ("p_run_out_se", "working_capital_needed_95", "lowest_balance_percentiles",
                    "balance_percentiles", "within_appetite", "p_run_out_difference_se"):
            assert key in option


def test_compare_presets_human(charity):
    done = run("compare", charity, "--presets", "--paths", 1000)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Option")
    for words in ("charity", "Fee for service", "Clawback", "Clinks ceiling", "Heavy PbR", "Safest:"):
        assert words in done.stdout


def test_compare_mistakes_exit_2(tmp_path, charity):
    one_line_error(run("compare", charity), "at least two")
    data = copy.deepcopy(BASE)
    data["organisation"]["overdraft_facility"] = -5
    bad = write(tmp_path, "bad.json", data)
    one_line_error(run("compare", charity, bad, "--json"), "bad.json", "organisation.overdraft_facility")
    one_line_error(run("compare", charity, "--presets", "--contract", 2), "--contract 2")
