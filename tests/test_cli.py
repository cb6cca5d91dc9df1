"""The command line: the JSON contract, agreement with the independent solver,
and one-line errors with exit status 2."""
import json
import subprocess
import sys

import numpy as np
import pytest
import reference

from invlib.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "invlib", *args],
                          capture_output=True, text=True)


def test_solve_json_contract():
    out = run("solve", "--capacity", "10", "--demand-mean", "4", "--holding-cost", "8",
              "--stockout-cost", "10", "--discount", "0.9", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["states"]) == len(data["policy"]) == len(data["value"]) == 66
    assert all(v > 0 for v in data["value"])
    up = data["order_up_to"]
    assert set(up) == {"best_level", "best_average_cost", "capacity_average_cost"}
    assert data["average_cost"] <= up["best_average_cost"] + 1e-9
    assert up["best_average_cost"] <= up["capacity_average_cost"]
    assert out.stdout.count("\n") == 1


@pytest.mark.parametrize("args, holding_on", [
    (["--capacity", "6", "--demand-mean", "2", "--holding-cost", "1",
      "--stockout-cost", "9", "--discount", "0.95"], "next"),
    (["--capacity", "2", "--demand-mean", "1", "--holding-cost", "1",
      "--stockout-cost", "10", "--discount", "0.9", "--holding-on", "current"],
     "current"),
    (["--capacity", "9", "--demand-mean", "3.5", "--holding-cost", "2",
      "--stockout-cost", "15", "--discount", "0.8", "--holding-on", "current"],
     "current"),
])
def test_solve_agrees_with_independent_solver(capsys, args, holding_on):
    assert main(["solve", *args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    s = data["settings"]
    v_ref, policy_ref = reference.solve(s["capacity"], s["demand_mean"],
                                        s["holding_cost"], s["stockout_cost"],
                                        s["discount"], holding_on)
    for (a, b), order, value in zip(data["states"], data["policy"], data["value"],
                                    strict=True):
        assert order == policy_ref[a, b]
        assert value == pytest.approx(v_ref[a, b], rel=1e-7)


def test_solve_prints_a_readable_table():
    out = run("solve")
    assert out.returncode == 0
    assert "Optimal order (rows: bikes on hand, columns: bikes on order)" in out.stdout
    assert "Best order-up-to level 7" in out.stdout


DEMAND_RANGE = "--demand-mean must be 0 or a finite number in [1e-06, inf)"


@pytest.mark.parametrize("args, words", [
    (["--capacity", "-1"], "--capacity must be an integer in [0, 30], got -1"),
    (["--capacity", "31"], "--capacity must be an integer in [0, 30], got 31"),
    (["--demand-mean", "-2"], DEMAND_RANGE),
    (["--demand-mean", "nan"], DEMAND_RANGE),
    (["--demand-mean", "inf"], DEMAND_RANGE),
    (["--demand-mean", "1e-9"], DEMAND_RANGE),
    (["--holding-cost", "-0.5"], "--holding-cost must be a finite number in [0, inf)"),
    (["--stockout-cost", "-1"], "--stockout-cost must be a finite number in [0, inf)"),
    (["--discount", "1"], "--discount must be a finite number in [0, 1)"),
    (["--discount", "-0.2"], "--discount must be a finite number in [0, 1)"),
    (["--holding-on", "later"], "argument --holding-on: invalid choice: 'later'"),
    (["--colour", "red"], "unrecognized arguments: --colour red"),
    (["--capacity", "ten"], "argument --capacity: invalid int value: 'ten'"),
])
def test_bad_input_is_one_line_and_exit_status_2(args, words):
    out = run("solve", *args)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    assert words in lines[0]


def test_unknown_command_is_an_error():
    out = run("fly")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


def test_train_json_contract_and_exact_score():
    out = run("train", "--agent", "qlearning", "--episodes", "50", "--steps", "200",
              "--seed", "3", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("states", "policy", "average_cost", "train_seconds", "steps",
                "learning_cost"):
        assert key in data
    assert data["steps"] == 50 * 200 and len(data["policy"]) == len(data["states"]) == 66
    assert data["average_cost"] >= data["optimal_average_cost"] - 1e-9
    assert 0 < data["train_seconds"] < 5

    # the printed cost is the exact cost of the printed policy
    from invlib import average_cost, bike_shop, bike_shop_mdp, start_distribution
    shop = bike_shop()
    exact = average_cost(bike_shop_mdp(shop), np.array(data["policy"]),
                         start_distribution(shop))
    assert data["average_cost"] == pytest.approx(exact, rel=1e-12)


def test_train_article_flag_selects_the_articles_scheme(capsys):
    from invlib import bike_shop
    from invlib.agents import article_settings, recommended_settings, train
    for flag, make in ((["--article"], article_settings), ([], recommended_settings)):
        assert main(["train", "--episodes", "20", "--steps", "100", "--seed", "4",
                     *flag, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        expected = train(bike_shop(), make(episodes=20, steps=100), 4).policy
        assert data["policy"] == expected.tolist()
        assert data["settings"]["batch_updates"] == bool(flag)


@pytest.mark.parametrize("args, words", [
    (["--epsilon", "1.5"], "--epsilon must be a finite number in [0, 1], got 1.5"),
    (["--learning-rate", "0"], "--learning-rate must be a finite number in (0, 1]"),
    (["--episodes", "0"], "--episodes must be an integer in [1, 10,000,000], got 0"),
    (["--episodes", "1000000000"], "--episodes must be an integer in [1, 10,000,000]"),
    (["--steps", "-5"], "--steps must be an integer in [1, 1,000,000], got -5"),
    (["--steps", "2000000"], "--steps must be an integer in [1, 1,000,000]"),
    (["--seed", "-1"], "--seed must be an integer in [0, inf), got -1"),
    (["--agent", "dqn"], "argument --agent: invalid choice: 'dqn'"),
    (["--discount", "1.2"], "--discount must be a finite number in [0, 1)"),
    (["--kappa", "-1"], "--kappa must be a finite number in [0, inf), got -1.0"),
    (["--agent", "prs", "--article"],
     "--article goes only with --agent qlearning or sarsa"),
])
def test_train_bad_input_is_one_line_and_exit_status_2(args, words):
    out = run("train", *args)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0]


@pytest.mark.parametrize("agent", ["sarsa", "rsarsa", "prs", "prs-beta", "rsarsa-td",
                                   "prs-td"])
def test_train_every_agent_reports_learning_cost_and_rumination(capsys, agent):
    assert main(["train", "--agent", agent, "--episodes", "10", "--steps", "300",
                 "--kappa", "0.5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["learning_cost"] > 0 and data["steps"] == 3000
    if agent == "sarsa":
        assert "rumination_rate" not in data
    elif agent.endswith("-td"):
        assert 0 < data["rumination_rate"] < 1
    else:
        assert data["rumination_rate"] == 1.0
    assert data["settings"]["kappa"] == 0.5


@pytest.mark.parametrize("args, words", [
    (["--problem", "P4"], "argument --problem: invalid choice: 'P4' (choose from 'P1', "
     "'P2', 'P3')"),
    (["--agents", "sarsa", "dqn"], "argument --agents: invalid choice: 'dqn' (choose "
     "from 'qlearning', 'sarsa', 'rsarsa', 'prs', 'prs-beta', 'rsarsa-td', 'prs-td')"),
    (["--repetitions", "0"], "--repetitions must be an integer in [1, inf), got 0"),
    (["--jobs", "0"], "--jobs must be an integer in [1, inf), got 0"),
    (["--episodes", "-3"], "--episodes must be an integer in [1, inf), got -3"),
    (["--periods", "0"], "--periods must be an integer in [1, inf), got 0"),
    (["--seed", "-1"], "--seed must be an integer in [0, inf), got -1"),
    (["--repetitions", "two"], "argument --repetitions: invalid int value: 'two'"),
])
def test_experiment_bad_input_is_one_line_and_exit_status_2(tmp_path, args, words):
    out = run("experiment", "--out", str(tmp_path), *args)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], out.stderr
    assert not any(tmp_path.iterdir())           # nothing was started


def test_experiment_refuses_a_folder_of_other_settings(tmp_path):
    first = run("experiment", "--agents", "sarsa", "--repetitions", "1", "--episodes",
                "2", "--periods", "10", "--out", str(tmp_path), "--no-progress")
    assert first.returncode == 0, first.stderr
    out = run("experiment", "--agents", "sarsa", "--repetitions", "1", "--out",
              str(tmp_path), "--no-progress")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "--out folder" in out.stderr and "other settings" in out.stderr


def test_help_states_every_restriction_the_parser_enforces():
    train = run("train", "--help").stdout
    assert "only with --agent qlearning or sarsa" in " ".join(train.split())
    assert "1..10,000,000" in train and "1..1,000,000" in train
    for words in ("in (0, 1]", "in [0, 1]", ">= 0"):
        assert words in " ".join(train.split())
    solve = " ".join(run("solve", "--help").stdout.split())
    assert "0..30" in solve and "in [0, 1)" in solve and ">= 0" in solve


@pytest.mark.parametrize("agent, name", [("rsarsa", "RSarsa"), ("prs", "PRS"),
                                         ("prs-beta", "PRS.Beta"),
                                         ("rsarsa-td", "RSarsa.TD"),
                                         ("prs-td", "PRS.TD"), ("sarsa", "SARSA"),
                                         ("qlearning", "Q-learning")])
def test_train_names_the_agent_not_its_target(capsys, agent, name):
    assert main(["train", "--agent", agent, "--episodes", "2", "--steps", "50"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"Trained {name} for 100 steps")
    assert main(["train", "--agent", agent, "--episodes", "2", "--steps", "50",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["agent"] == agent


def test_zero_demand_costs_agree_and_are_explained(capsys):
    # With no demand nothing sells: the optimal policy never orders, as does the
    # order-up-to rule at level 0, so both must cost the same from the same start.
    assert main(["solve", "--demand-mean", "0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recurrent_classes"] == 11
    assert data["order_up_to"]["best_level"] == 0
    assert data["average_cost"] == pytest.approx(
        data["order_up_to"]["best_average_cost"], rel=1e-12)
    assert main(["solve", "--demand-mean", "0"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "separate groups of states" in text and "random start" in text
    assert main(["solve"]) == 0                       # a sensible shop: no note
    assert "separate groups" not in capsys.readouterr().out


def test_huge_numbers_keep_their_columns_apart(capsys):
    assert main(["solve", "--demand-mean", "1e9"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Optimal expected discounted cost (rows: bikes on hand, "
                        "columns: bikes on order)")
    header, first = lines[start + 1], lines[start + 2]
    cells = first.split()[1:]
    assert len(cells) == 11 and all(float(c) > 1e10 for c in cells)
    assert len(header.split()) == 11


@pytest.mark.parametrize("where, words", [
    ("/proc/x", "--out must be a folder that can be written, but '/proc/x' cannot"),
    ("FILE", "--out must be a folder (made if missing), but"),
    ("FILE/below", "--out must be a folder that can be written"),
])
def test_experiment_bad_out_is_one_line(tmp_path, where, words):
    (tmp_path / "FILE").write_text("not a folder")
    where = where.replace("FILE", str(tmp_path / "FILE"))
    out = run("experiment", "--out", where, "--agents", "sarsa", "--repetitions", "1",
              "--episodes", "1", "--periods", "5")
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], out.stderr


def interrupt(args, when, timeout=120):
    """Run the command line, send Ctrl-C (SIGINT) once ``when(stderr so far)``
    holds, and return (exit status, stderr, seconds from the signal to the exit)."""
    import signal
    import tempfile
    import time
    with tempfile.TemporaryFile("w+") as log:
        # Ctrl-C acts as in a terminal even where the tests themselves were
        # started with SIGINT ignored (a background job of a shell script), which
        # the command would otherwise inherit
        process = subprocess.Popen(
            [sys.executable, "-m", "invlib", *args], stdout=subprocess.DEVNULL,
            stderr=log, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            start = time.monotonic()
            while time.monotonic() - start < timeout:
                log.seek(0)
                if when(log.read()):
                    break
                assert process.poll() is None, log.read()
                time.sleep(0.05)
            sent = time.monotonic()
            process.send_signal(signal.SIGINT)
            process.wait(timeout=timeout)
            seconds = time.monotonic() - sent
        finally:
            if process.poll() is None:      # never left running after a failure
                process.kill()
                process.wait()
        log.seek(0)
        return process.returncode, log.read(), seconds


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_keeps_finished_runs_and_the_rerun_resumes(tmp_path, jobs):
    args = ["experiment", "--problem", "P3", "--repetitions", "30", "--out",
            str(tmp_path), "--jobs", jobs, "--episodes", "40"]
    status, err, seconds = interrupt(
        args, lambda _: len(list(tmp_path.rglob("*.npz"))) >= 3)
    assert status == 130 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    stored = len(list(tmp_path.rglob("*.npz")))
    assert last == (f"interrupted: {stored} of 180 runs stored in {tmp_path}; "
                    "run the same command to resume")
    assert 3 <= stored < 180
    assert seconds < 3, err             # queued work is dropped, not finished
    kept = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.npz")}
    again = run(*args[:-2], "--episodes", "40", "--repetitions", "1", "--json",
                "--no-progress")
    assert again.returncode == 0, again.stderr
    assert {p: p.stat().st_mtime_ns for p in kept} == kept       # reused, not redone


def test_ctrl_c_during_training_is_one_line(tmp_path):
    # Ctrl-C once the progress bar shows (after 2 s of training, past start-up:
    # imports and the compiled loop, slow on a loaded machine or a cold cache)
    status, err, _ = interrupt(["train", "--episodes", "10000000", "--steps", "1000"],
                               lambda err: "training:" in err)
    assert status == 130 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("interrupted: trained ") and "of 10,000,000 episodes" in last
    assert "training:" in err                           # the progress bar was shown
