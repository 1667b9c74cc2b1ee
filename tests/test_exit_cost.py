"""exit_cost, the input added end to end as the proof of docs/adding-an-input.md: its row in
the field table, and the engine's rule (docs/model.md): paid once in the month after the
contract's last month (start_month + duration_months); outside the horizon it is not in the
balance."""
import numpy as np
import pytest

from charityrisk.engine import simulate
from charityrisk.engine.decisions.workspace import Workspace
from charityrisk.engine.simulate import simulate_block
from charityrisk.model import ScenarioError, Uncertain, scenario_from_dict, spec
from charityrisk.model.fileformat import parse_scenario_text, scenario_to_json
from scenario_factory import make_scenario

PENNY = 0.005
# domain.md worked example: months 2 to 5; closing balances without an exit cost.
WORKED_EARN = [2500, 300, -100, 700, 300, 2800, 2300, 1800]


def balances(s):
    b = simulate_block(s, 3, seed=11, block=0).balances
    assert np.all(b == b[0])
    return b[0]


def test_exit_cost_is_paid_once_in_the_month_after_the_last():
    s = make_scenario().with_contract(0, exit_cost=700.0)
    # The contract's last month is 5: 700 leaves in month 6 and stays gone.
    np.testing.assert_allclose(balances(s), [2500, 300, -100, 700, 300, 2100, 1600, 1100], rtol=0, atol=PENNY)


def test_exit_cost_in_the_last_month_looked_at():
    base = make_scenario().with_contract(0, start_month=4, duration_months=4)  # months 4 to 7
    s = base.with_contract(0, exit_cost=250.0)
    np.testing.assert_allclose(balances(s)[:7], balances(base)[:7], rtol=0, atol=PENNY)
    assert balances(s)[7] == pytest.approx(balances(base)[7] - 250, abs=PENNY)


def test_exit_cost_after_the_horizon_is_not_in_the_balance_nor_owed():
    base = make_scenario().with_contract(0, start_month=5, duration_months=4)  # months 5 to 8
    s = base.with_contract(0, exit_cost=10_000.0)
    np.testing.assert_array_equal(balances(s), balances(base))
    assert simulate(s, 40, 3).expected_owed_after_horizon == simulate(base, 40, 3).expected_owed_after_horizon


def test_exit_cost_is_paid_in_a_future_with_no_referrals():
    base = make_scenario(p_no_referrals=1.0)
    s = base.with_contract(0, exit_cost=700.0)
    assert balances(s)[5] == pytest.approx(balances(base)[5] - 700, abs=PENNY)


def test_decision_tools_see_the_exit_cost_as_the_engine_does():
    s = make_scenario(referrals_per_month={"low": 2, "likely": 3, "high": 4}, count_noise="poisson",
                      opening_reserves=1500)
    ws = Workspace.build(s, 600, 5)
    for cost in (0.0, 400.0, 3000.0):
        changed = s.with_contract(0, exit_cost=cost)
        ours = ws.run_out_contract(0, changed.contracts[0])
        assert np.array_equal(ours, simulate(changed, 600, 5).run_out_month > 0), cost
    with_cost = s.with_contract(0, exit_cost=3000.0)
    assert Workspace.build(with_cost, 600, 5).run_out().mean() == simulate(with_cost, 600, 5).p_run_out


def test_exit_cost_row_reads_from_the_file_and_is_checked():
    row = spec("contracts[0].exit_cost")
    assert (row.label, row.unit, row.lo, row.default, row.since) == ("Cost of ending the contract", "£", 0, 0.0, 2)
    s = make_scenario().with_contract(0, exit_cost=1234.5)
    assert parse_scenario_text(scenario_to_json(s)) == s
    data = {"version": 2, "horizon_months": 8,
            "organisation": {"opening_reserves": 0, "monthly_other_income": Uncertain.fixed(0).low},
            "contracts": [{"name": "c", "start_month": 1, "duration_months": 2, "referrals_per_month": 1,
                           "price_per_referral": 1, "share_at_risk": 0, "payment_mode": "earn",
                           "fee_lag_months": 0, "success_rate": 0.5, "target_success_rate": 0.5,
                           "cohort_months": 1, "outcome_lag_months": 0, "cost_per_referral": 0,
                           "fixed_monthly_cost": 0, "exit_cost": -1}]}
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert [(p.path, p.code) for p in info.value.problems] == [("contracts[0].exit_cost", "range")]
