"""``charityrisk negotiate``, run as a user would (in this process; one smoke test
in a fresh process)."""
import copy
import json

import pytest

from charityrisk import cli
from charityrisk.engine.decisions.negotiate import LEVERS
from charityrisk.resources import example_scenario_path
from cli_run import run, run_process
from scenario_factory import WORKED_CONTRACT, WORKED_ORGANISATION


@pytest.fixture
def worked(tmp_path):
    """The worked example (domain.md) with a 20% chance of no referrals."""
    path = tmp_path / "worked.json"
    contract = {**copy.deepcopy(WORKED_CONTRACT), "p_no_referrals": 0.2}
    path.write_text(json.dumps({"horizon_months": 8, "organisation": dict(WORKED_ORGANISATION),
                                "contracts": [contract]}))
    return path


def test_cli_knows_the_engines_levers():
    assert set(cli.LEVERS) == set(LEVERS)


def test_negotiate_text_on_the_example():
    done = run("negotiate", example_scenario_path(), "--levers", "share,overdraft", "--paths", 2000)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Chance of running out now:") and "2,000 futures" in lines[0]
    assert "keeps it within your 5% appetite." in lines[2]
    assert "at risk with a £" in lines[2]
    assert any(line.startswith("Share of the price at risk (rows) by Overdraft facility (columns)")
               for line in lines)
    assert lines[-1].startswith("Each figure is from the same 2,000 simulated futures")


def test_negotiate_json_names_what_holds_the_risk_up(worked):
    done = run_process("negotiate", worked, "--levers", "share_at_risk,outcome_lag_months", "--paths", 3000,
                       "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["rows"]["input"] == "share_at_risk" and out["columns"]["input"] == "outcome_lag_months"
    assert out["paths"] == 3000 and out["cheapest"] == []
    assert all(v != "within" for row in out["verdicts"] for v in row)
    assert out["floor"]["holder"] == "contracts[0].p_no_referrals"
    assert "The 20% chance of no referrals at all alone keeps it at" in out["sentence"]
    assert out["precision"].startswith("Each figure is from the same 3,000")


@pytest.mark.parametrize("levers, words", [
    ("share,bogus", ["--levers", "'bogus' is not a term to negotiate", "share_at_risk"]),
    ("share", ["--levers", "give two different terms"]),
    ("overdraft,overdraft_facility", ["--levers", "give two different terms"]),
    ("months,share", ["--levers", "'months' is not a term"]),  # ambiguous: several lags
])
def test_bad_levers_are_one_line(worked, levers, words):
    done = run("negotiate", worked, "--levers", levers)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_a_missing_contract_is_named(worked):
    done = run("negotiate", worked, "--contract", 2)
    assert done.returncode == 2 and "--contract 2" in done.stderr and "has 1 contract" in done.stderr
    # Two organisation levers need no contract.
    assert run("negotiate", worked, "--levers", "overdraft,reserves", "--contract", 2, "--paths", 500).returncode == 0
