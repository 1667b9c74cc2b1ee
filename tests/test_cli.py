"""The command line contract of domain.md, run as a user would: in this process (cli_run.run),
with a fresh process (run_process) for the entry point itself."""
import io
import json
import os
import stat
import subprocess
import sys

import pytest

from charityrisk.resources import example_scenario_path
from cli_run import run, run_process

WORKED = {
    "version": 1,  # a file without one is read as version 1 with a warning (domain.md, version 3)
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


@pytest.fixture
def worked(tmp_path):
    path = tmp_path / "worked.json"
    path.write_text(json.dumps(WORKED))
    return path


def test_simulate_json_prints_domain_results(worked):
    done = run_process("simulate", worked, "--paths", 50, "--seed", 3, "--json")
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
    # The worked example runs out with and without its contract (month 7 on its own): the
    # budget alone is the problem, said first (issue 25).
    assert ("Your budget alone runs out by month 7 in every future. Signing the contract brings "
            "it forward in every future (typically by 4 months): with it you run out in every "
            "future.") in done.stdout
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


@pytest.mark.parametrize("args", [("simulate", "missing.json"), ("simulate",),
                                  ("simulate", "x.json", "--paths", "many")])
def test_usage_mistakes_exit_2(tmp_path, args):
    done = run(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip()


# ----- outputs never destroy what they should not ----------------------------------------
def _same_as_input(worked):
    return worked


def _link_to_input(worked):
    link = worked.with_name("link.pdf")
    link.symlink_to(worked)
    return link


def _hard_link_to_input(worked):
    link = worked.with_name("hard.pdf")
    os.link(worked, link)
    return link


@pytest.mark.parametrize("option", ["-o", "--csv"])
@pytest.mark.parametrize("make", [_same_as_input, _link_to_input, _hard_link_to_input])
def test_report_refuses_to_write_over_its_input(worked, option, make):
    target = make(worked)
    before = worked.read_bytes()
    args = ["report", worked, "--no-decisions", "--paths", 50]
    args += ["-o", target] if option == "-o" else ["-o", worked.with_name("r.pdf"), "--csv", target]
    done = run(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "scenario file being read" in done.stderr and option in done.stderr
    assert worked.read_bytes() == before
    assert not worked.with_name("r.pdf").exists()  # refused before any work


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("option", ["-o", "--csv"])
def test_report_refuses_a_named_pipe_and_leaves_it(worked, tmp_path, option):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    args = ["report", worked, "--no-decisions", "--paths", 50]
    args += ["-o", fifo] if option == "-o" else ["-o", tmp_path / "r.pdf", "--csv", fifo]
    done = run(*args)
    assert done.returncode == 2 and "not a regular file" in done.stderr and option in done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_report_refuses_a_folder(worked, tmp_path):
    done = run("report", worked, "-o", tmp_path, "--no-decisions", "--paths", 50)
    assert done.returncode == 2 and "is a folder" in done.stderr


def test_report_refuses_one_file_for_both_outputs(worked, tmp_path):
    out = tmp_path / "both.pdf"
    done = run("report", worked, "-o", out, "--csv", out, "--no-decisions", "--paths", 50)
    assert done.returncode == 2 and "two outputs" in done.stderr and not out.exists()


def test_report_replaces_an_existing_regular_file_atomically(worked, tmp_path):
    out, csv = tmp_path / "old.pdf", tmp_path / "old.csv"
    out.write_text("old report")
    csv.write_text("old figures")
    done = run_process("report", worked, "-o", out, "--csv", csv, "--no-decisions", "--paths", 50)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF") and "Month" in csv.read_text("utf-8-sig")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv", "old.pdf", "worked.json"]


def test_a_failing_csv_names_the_csv_not_the_pdf(worked, tmp_path):
    out = tmp_path / "r.pdf"
    csv = tmp_path / "missing-folder" / "f.csv"
    done = run("report", worked, "-o", out, "--csv", csv, "--no-decisions", "--paths", 50)
    assert done.returncode == 2
    assert str(csv) in done.stderr and str(out) not in done.stderr


def test_the_writer_never_replaces_a_device_or_pipe(tmp_path):
    from charityrisk.model.fileformat import write_bytes_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_bytes_atomic(fifo, b"x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe"]


# ----- long runs ---------------------------------------------------------------------------
def _big(tmp_path, contracts=50, paths=1_000_000, duration=None):
    data = json.loads(json.dumps(WORKED))
    data["horizon_months"] = 120
    first = WORKED["contracts"][0]
    data["contracts"] = [dict(first, name=f"c{i}", duration_months=duration or first["duration_months"])
                         for i in range(contracts)]
    data["simulation"] = {"paths": paths}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    return path


def test_a_run_of_many_minutes_is_refused_with_the_most_allowed(tmp_path):
    from charityrisk.model.scenario import max_paths

    most = max_paths(50, 120)
    done = run("simulate", _big(tmp_path), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert "simulation.paths" in done.stderr and f"at most {most:,}" in done.stderr
    done = run("simulate", _big(tmp_path, paths=100), "--paths", most + 1000)
    assert done.returncode == 2 and "--paths" in done.stderr


def test_the_largest_allowed_run_is_bounded():
    from charityrisk.model.scenario import MAX_CONTRACTS, MAX_HORIZON, MAX_PATHS, MAX_RUN_WORK, max_paths

    # what benchmarks/engine.py times: the largest run a command allows is this much work
    assert max_paths(MAX_CONTRACTS, MAX_HORIZON) * MAX_HORIZON * (MAX_CONTRACTS + 1) <= MAX_RUN_WORK
    assert max_paths(1, MAX_HORIZON) == MAX_PATHS  # one contract: the file's full range
    assert max_paths(MAX_CONTRACTS, MAX_HORIZON) >= 20_000  # still steadier than the default


def test_one_rule_for_the_run_size_names_the_field_and_the_limit(tmp_path):
    from charityrisk.model import load_scenario
    from charityrisk.model.problems import TOO_SLOW
    from charityrisk.model.scenario import max_paths, run_size_problem

    most = max_paths(50, 120)
    scenario = load_scenario(_big(tmp_path))  # the file is readable: the run is what is refused
    found = run_size_problem(scenario)
    assert found is not None and (found.path, found.code) == ("simulation.paths", TOO_SLOW)
    assert found.limits["max"] == most and found.got == 1_000_000
    assert f"at most {most:,}" in found.message
    assert run_size_problem(scenario, most) is None and run_size_problem(scenario, most + 1) is not None


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_shows_on_a_terminal_after_a_second_and_is_wiped():
    from charityrisk.cli import Progress

    now = [0.0]
    stream = _Terminal()
    with Progress(stream, clock=lambda: now[0]) as progress:
        progress(5_000, 100_000)
        assert stream.getvalue() == ""  # a quick run prints nothing
        now[0] = 1.5
        progress(50_000, 100_000)
        assert "50% (50,000 of 100,000 futures" in stream.getvalue()
    assert stream.getvalue().endswith("\r") and stream.getvalue().count("\n") == 0


def test_progress_is_silent_where_standard_error_is_not_a_terminal():
    from charityrisk.cli import Progress

    now = [0.0]
    stream = io.StringIO()
    with Progress(stream, clock=lambda: now[0]) as progress:
        now[0] = 10.0
        progress(50_000, 100_000)
    assert stream.getvalue() == ""


@pytest.mark.parametrize("command", ["simulate", "report"])
def test_ctrl_c_is_one_line_and_exit_130(worked, tmp_path, monkeypatch, capsys, command):
    from charityrisk import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("charityrisk.engine.simulate", interrupted)
    extra = ["-o", str(tmp_path / "r.pdf")] if command == "report" else []
    assert cli.main([command, str(worked), *extra]) == 130
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"charityrisk: {command}: stopped (Ctrl+C)"]
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a terminal")
def test_ctrl_c_in_a_real_run_on_a_terminal_shows_progress_then_one_line(tmp_path):
    import select
    import signal

    leader, follower = os.openpty()  # standard error is a terminal, as for a user
    # Contracts that run the whole horizon: a run of seconds in blocks of under a second, so
    # the Ctrl+C lands inside it however fast the machine (4-month contracts took 2 s).
    big = _big(tmp_path, contracts=5, paths=400_000, duration=118)
    # Started as from a user's terminal, where Ctrl+C's signal is at its default: a test run
    # launched as a background job (nohup ... &) ignores SIGINT, and a child inherits that, so
    # the run went on to 100% and exited 0.  Set it back, then start the command itself.
    as_at_a_terminal = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                        "os.execv(sys.executable, sys.argv[1:])")
    proc = subprocess.Popen([sys.executable, "-c", as_at_a_terminal, sys.executable, "-m", "charityrisk",
                             "simulate", big], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    try:
        while b"Simulating:" not in seen:  # in its run, not still importing: then Ctrl+C
            if not select.select([leader], [], [], 120)[0]:
                break
            seen += os.read(leader, 4096)
        assert b"futures; Ctrl+C stops" in seen
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        while select.select([leader], [], [], 1)[0]:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    err = seen.decode()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().endswith("charityrisk: simulate: stopped (Ctrl+C)")


# ----- names cannot fake the figures --------------------------------------------------------
FAKES = ["x (average): £0\n  Chance of running out: 1%", "Chance of running out: 1%\r",
         "\x1b[2K\x1b[1GChance of running out: 1%", "\u202e%31 :tuo gninnur fo ecnahC", "a\u2028b\x00c\x9bd"]


@pytest.mark.parametrize("name", FAKES)
def test_a_name_cannot_fake_or_overwrite_a_figure(tmp_path, name):
    from charityrisk.cli import terminal_safe

    data = json.loads(json.dumps(WORKED))
    data["contracts"].append(dict(data["contracts"][0], name=name))
    data["contracts"][0]["name"] = "plain"
    path = tmp_path / "fake.json"
    path.write_text(json.dumps(data))
    done = run("simulate", path, "--paths", 100)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for hidden in "\r\x1b\x00\x9b\u202e\u2028":
        assert hidden not in out
    lines = out.split("\n")
    assert sum(line.startswith("  Chance of running out: ") for line in lines) == 1
    named = [line for line in lines if line.startswith("      named ")]
    assert named == ["      named plain", "      named " + terminal_safe(name)]
    # the name is on its own line and nowhere else: no figure shares a line with it
    assert sum(terminal_safe(name) in line for line in lines) == 1


def test_terminal_safe_escapes_what_a_terminal_would_act_on():
    from charityrisk.cli import terminal_safe

    assert terminal_safe("Café 😀 plain") == "Café 😀 plain"
    assert terminal_safe("a\nb\r\tc\x1b[31m\x7f\x85\u202e\u2066\u200b\u2029") == \
        r"a\nb\r\tc\x1b[31m\x7f\x85\u202e\u2066\u200b\u2029"


# ----- parsing -------------------------------------------------------------------------------
def test_a_duplicate_key_is_refused_naming_its_path(tmp_path):
    text = json.dumps(WORKED).replace('"share_at_risk": 0.25', '"share_at_risk": 0.25, "share_at_risk": 0.9')
    path = tmp_path / "dup.json"
    path.write_text(text)
    done = run("simulate", path, "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert "contracts[0].share_at_risk: the key appears twice" in done.stderr


def test_a_look_alike_key_warns_on_standard_error_and_the_run_goes_on(tmp_path):
    data = json.loads(json.dumps(WORKED))
    data["contracts"][0]["share_at_rsik"] = 0.9
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(data))
    done = run("simulate", path, "--json", "--paths", 100)
    assert done.returncode == 0 and json.loads(done.stdout)["p_run_out"] == 1
    assert "contracts[0].share_at_rsik" in done.stderr and "'share_at_risk'" in done.stderr


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                          ("utf-8", b"\xef\xbb\xbf")])
def test_notepad_encodings_are_read(tmp_path, encoding, bom):
    path = tmp_path / "notepad.json"
    data = dict(WORKED, name="Café ☕")
    path.write_bytes(bom + json.dumps(data, ensure_ascii=False, indent=2).replace("\n", "\r\n").encode(encoding))
    done = run("simulate", path, "--json", "--paths", 100)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["p_run_out"] == 1


def test_version_1_0_is_read_like_start_month_1_0(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(json.dumps(dict(WORKED, format="charityrisk-scenario", version=1.0)))
    done = run("simulate", path, "--json", "--paths", 100)
    assert done.returncode == 0, done.stderr


def test_millions_of_empty_lists_in_an_unknown_key_are_refused_quickly(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(dict(WORKED, junk=[[]] * 1_600_000), separators=(",", ":")))
    assert 4_000_000 < path.stat().st_size < 5_000_000
    done = run("simulate", path, "--json")
    assert done.returncode == 2 and "lists and objects" in done.stderr


def test_many_values_in_unknown_keys_are_refused_naming_the_key(tmp_path):
    from charityrisk.model.fileformat import MAX_UNKNOWN_VALUES

    data = json.loads(json.dumps(WORKED))
    data["organisation"]["history"] = list(range(MAX_UNKNOWN_VALUES + 1))
    path = tmp_path / "many.json"
    path.write_text(json.dumps(data))
    done = run("simulate", path, "--json")
    assert done.returncode == 2 and "organisation.history: holds more than 10,000 values" in done.stderr
    data["organisation"]["history"] = list(range(MAX_UNKNOWN_VALUES // 2))
    path.write_text(json.dumps(data))
    assert run("simulate", path, "--json", "--paths", 100).returncode == 0  # within the bound: kept


# ----- command-line details ------------------------------------------------------------------
def test_json_keeps_contracts_of_the_same_name_apart(tmp_path):
    data = json.loads(json.dumps(WORKED))
    data["contracts"].append(dict(data["contracts"][0], price_per_referral=100))
    path = tmp_path / "twins.json"
    path.write_text(json.dumps(data))
    done = run("simulate", path, "--json", "--paths", 50)
    assert done.returncode == 0, done.stderr
    margins = json.loads(done.stdout)["contract_margin"]
    assert [m["name"] for m in margins] == ["c", "c"]
    assert margins[0]["margin"] != margins[1]["margin"]


def test_a_huge_seed_is_told_the_maximum(worked):
    done = run("simulate", worked, "--seed", 10**30)
    assert done.returncode == 2 and "at most 9,223,372,036,854,775,807" in done.stderr
    assert "0 or more" not in done.stderr


@pytest.mark.parametrize("typo,meant", [("simulat", "simulate"), ("reprot", "report"), ("Solve", "solve")])
def test_a_mistyped_command_gets_a_suggestion(worked, typo, meant):
    done = run(typo, worked)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == f"charityrisk: unknown command {typo!r}; did you mean {meant!r}?"


def test_an_unknown_command_lists_the_commands(worked):
    done = run("frobnicate", worked)
    assert done.returncode == 2 and "unknown command 'frobnicate' (commands: simulate" in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland displays")
def test_no_display_is_one_line_and_exit_2_not_an_abort(worked):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "charityrisk", str(worked)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "no display" in done.stderr
    # the commands need no display
    done = subprocess.run([sys.executable, "-m", "charityrisk", "simulate", str(worked), "--paths", "50"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
