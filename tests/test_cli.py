"""The command line contract of domain.md, run as a user would (a subprocess)."""
import json
import subprocess
import sys

import pytest

from charityrisk.resources import example_scenario_path

WORKED = {
    "horizon_months": 8,
    "organisation": {"opening_reserves": 3000, "monthly_other_income": 2000, "monthly_core_costs": 2500},
    "contracts": [{
        "name": "c", "start_month": 2, "duration_months": 4, "referrals_per_month": 3,
        "count_noise": "none", "price_per_referral": 800, "share_at_risk": 0.25,
        "payment_mode": "earn", "fee_lag_months": 1, "success_rate": 0.6,
        "target_success_rate": 0.5, "cohort_months": 2, "outcome_lag_months": 1,
        "cost_per_referral": 400, "fixed_monthly_cost": 500,
    }],
}


def run(*args):
    return subprocess.run([sys.executable, "-m", "charityrisk", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def worked(tmp_path):
    path = tmp_path / "worked.json"
    path.write_text(json.dumps(WORKED))
    return path


def test_simulate_json_prints_domain_results(worked):
    done = run("simulate", worked, "--paths", 50, "--seed", 3, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["p_run_out"] == 1 and out["p_run_out_se"] == 0
    assert out["working_capital_needed_95"] == pytest.approx(100)
    assert out["balance_percentiles"]["50"] == pytest.approx([2500, 300, -100, 700, 300, 2800, 2300, 1800])
    assert out["paths"] == 50 and out["seed"] == 3
    for key in ("p_run_out_by_month", "p_below_floor", "lowest_balance_percentiles",
                "expected_owed_after_horizon"):
        assert key in out


def test_simulate_human_summary(worked):
    done = run("simulate", worked, "--paths", 100)
    assert done.returncode == 0
    assert "In 100% of 100 simulated futures you run out of money within 8 months" in done.stdout
    assert "month 3" in done.stdout


def test_example_simulates():
    done = run("simulate", example_scenario_path(), "--paths", 2000, "--json")
    assert done.returncode == 0, done.stderr
    assert 0 <= json.loads(done.stdout)["p_run_out"] <= 1


@pytest.mark.parametrize("change,key", [
    (lambda d: d["contracts"][0].update(share_at_risk=1.4), "contracts[0].share_at_risk"),
    (lambda d: d.update(horizon_months=500), "horizon_months"),
    (lambda d: d["organisation"].pop("monthly_core_costs"), "organisation.monthly_core_costs"),
])
def test_bad_values_exit_2_with_one_line_naming_key(tmp_path, change, key):
    data = json.loads(json.dumps(WORKED))
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    done = run("simulate", path, "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [("simulate", "missing.json"), ("simulate",), ("simulate", "x.json", "--paths", "many")])
def test_usage_mistakes_exit_2(tmp_path, args):
    done = run(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip()
