"""The experiment protocol: the command line's JSON, resuming, recomputing one run
bit for bit, parallel runs, common random numbers, and the tables' statistics."""
import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from invlib import InvalidParameter
from invlib.approx import Run
from invlib.experiments import (
    DEFAULT_AGENTS,
    Results,
    box_data,
    experiment_problem,
    format_tables,
    generators,
    load_results,
    moving_average,
    one_run,
    run_experiment,
    run_path,
    summary,
    table1,
    table2,
)

SHORT = ["--repetitions", "2", "--episodes", "6", "--periods", "50"]
ROW = {"early_mean", "later_mean", "early_means", "later_means", "early_p_value",
       "later_p_value", "early_lower", "later_lower", "seconds_per_period",
       "relative_time", "periods", "terminations", "termination_rate",
       "rumination_rate", "early_cost", "later_cost", "early_costs", "later_costs",
       "early_p_rank_sum", "later_p_rank_sum", "early_p_paired", "later_p_paired",
       "early_p_holm", "later_p_holm", "early_difference", "later_difference"}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "invlib", "experiment", *args],
                          capture_output=True, text=True)


def stored(out, problem="P1"):
    return {p: p.stat().st_mtime_ns for p in (out / problem).rglob("*.npz")}


def same_run(a: Run, b: Run) -> bool:
    return (np.array_equal(a.costs, b.costs)
            and np.array_equal(a.episode_lengths, b.episode_lengths)
            and np.array_equal(a.terminated, b.terminated)
            and (a.ruminating_periods, a.imagined_updates)
            == (b.ruminating_periods, b.imagined_updates))


def test_cli_json_resume_and_recompute_one_run(tmp_path):
    out = tmp_path / "results"
    first = cli("--problem", "P1", *SHORT, "--out", str(out), "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert (data["problem"], data["episodes"], data["periods"]) == ("P1", 6, 50)
    assert (data["early_window"], data["repetitions"], data["seed"]) == (60, 2, 2014)
    assert list(data["agents"]) == list(DEFAULT_AGENTS)
    for agent, row in data["agents"].items():
        assert set(row) == ROW, agent
        assert row["early_mean"] > 0 and row["later_mean"] > 0
        assert len(row["early_means"]) == len(row["later_means"]) == 2
        assert (row["early_p_value"] is None) == (agent == "sarsa")
        assert 0 < row["periods"] <= 300 and row["terminations"] >= 0
    assert data["agents"]["sarsa"]["relative_time"] == 1.0
    assert data["agents"]["rsarsa"]["relative_time"] > 3       # 20 imagined updates
    assert data["agents"]["rsarsa"]["rumination_rate"] == 1.0
    assert data["agents"]["sarsa"]["rumination_rate"] == 0.0
    assert len(data["table2"]) == 8
    assert "P1 runs" in first.stderr                           # the progress bar
    files = stored(out)
    assert len(files) == 12

    again = cli("--problem", "P1", *SHORT, "--out", str(out), "--json")
    assert again.returncode == 0 and json.loads(again.stdout) == data
    assert stored(out) == files                                # nothing rewritten

    victim = run_path(out, "P1", "prs-beta", 1)
    old = load_results(out, "P1", ["prs-beta"]).runs["prs-beta"][1]
    victim.unlink()
    third = cli("--problem", "P1", *SHORT, "--out", str(out), "--json", "--no-progress")
    assert third.returncode == 0 and third.stderr == ""
    now = stored(out)
    assert set(now) == set(files)
    assert [p for p in now if now[p] != files[p]] == [victim]  # only that one again
    assert same_run(load_results(out, "P1", ["prs-beta"]).runs["prs-beta"][1],
                    old)                                       # bit for bit
    redone = json.loads(third.stdout)["agents"]
    for agent in DEFAULT_AGENTS:                               # timings aside
        assert redone[agent]["early_means"] == data["agents"][agent]["early_means"]
        assert redone[agent]["later_means"] == data["agents"][agent]["later_means"]


def test_a_run_is_stored_as_its_orders_and_loads_bit_for_bit(tmp_path):
    """The narrow box, where episodes end early: the stored file holds the
    orders, not the costs, and loading gives the trained run back exactly."""
    kw = dict(repetitions=2, progress=False, episodes=8, periods=60,
              box="narrow")
    trained = {}
    out = tmp_path / "runs"
    folder = out / "P3"
    for agent in DEFAULT_AGENTS:
        for rep in range(2):
            trained[agent, rep] = one_run("P3", 8, 60, "narrow", 2014, agent, rep)
    loaded = run_experiment("P3", out=out, **kw)
    assert sum(r.terminations for r in trained.values()) > 0
    for (agent, rep), run in trained.items():
        again = loaded.runs[agent][rep]
        assert same_run(again, run)
        assert np.array_equal(again.terminal_costs, run.terminal_costs)
        assert np.array_equal(again.orders, run.orders)
        with np.load(run_path(out, "P3", agent, rep)) as data:
            assert "costs" not in data and data["orders"].dtype == np.uint8
    # a stray file beside the runs is not a run
    np.savez_compressed(folder / "sarsa" / "notes.npz", x=np.zeros(1))
    assert len(load_results(out, "P3").runs["sarsa"]) == 2
    # a run whose orders or exits were changed no longer fits its episodes
    victim = run_path(out, "P3", "prs", 1)
    with np.load(victim) as data:
        fields = dict(data)
    for changed in ({"orders": fields["orders"][:-1]},
                    {"terminated": ~fields["terminated"]}):
        np.savez_compressed(victim, **{**fields, **changed})
        with pytest.raises(InvalidParameter,
                           match=f"stored run '{victim}' does not fit the "
                                 "episodes of its settings"):
            load_results(out, "P3")
    # a missing repetition would pair the wrong runs: refused, named
    victim.unlink()
    with pytest.raises(InvalidParameter, match="holds P3 runs of prs without "
                                               "repetition 1 \\(file 01.npz\\)"):
        load_results(out, "P3")


def test_the_books_stored_runs_recompute_bit_for_bit():
    """A random sample of chapter 7's runs stored in book/data (both boxes),
    trained again here: the same orders, episodes, exits and rumination
    counts, so the same costs (every measure but the time)."""
    from pathlib import Path
    book = Path(__file__).resolve().parents[1] / "book" / "data"
    rng = np.random.default_rng(20261204)
    for box, folder in (("wide", "replication"),
                        ("narrow", "replication-narrow")):
        for name in ("P1", "P2", "P3"):
            settings = json.loads(
                (book / folder / name / "settings.json").read_text())
            assert settings["box"] == box
            agent = str(rng.choice(DEFAULT_AGENTS))
            rep = int(rng.integers(10))
            stored = load_results(book / folder, name, [agent]).runs[agent]
            assert len(stored) == 10
            run = one_run(name, settings["episodes"], settings["periods"], box,
                          settings["seed"], agent, rep)
            assert same_run(stored[rep], run), (box, name, agent, rep)
            assert np.array_equal(stored[rep].orders, run.orders)


def test_cli_readable_table(tmp_path):
    out = cli("--problem", "P2", "--agents", "sarsa", "rsarsa-td", *SHORT,
              "--out", str(tmp_path), "--no-progress")
    assert out.returncode == 0, out.stderr
    assert "P2: 2 repetitions of 6 episodes x 50 periods" in out.stdout
    assert "RSarsa.TD" in out.stdout and "SARSA" in out.stdout
    assert "{" not in out.stdout


def test_parallel_runs_store_the_same_numbers(tmp_path):
    kw = dict(agents=("sarsa", "prs"), repetitions=2, progress=False, episodes=4,
              periods=40)
    one = run_experiment("P3", out=tmp_path / "one", jobs=1, **kw)
    two = run_experiment("P3", out=tmp_path / "two", jobs=2, **kw)
    for agent in ("sarsa", "prs"):
        assert all(same_run(a, b) for a, b in zip(one.runs[agent], two.runs[agent],
                                                     strict=True))
    assert not same_run(one.runs["prs"][0], one.runs["prs"][1])  # repetitions differ


def test_other_settings_in_the_same_folder_are_refused(tmp_path):
    run_experiment("P1", ("sarsa",), 1, tmp_path, progress=False, episodes=3, periods=20)
    with pytest.raises(InvalidParameter, match="holds P1 results of other settings"):
        run_experiment("P1", ("sarsa",), 1, tmp_path, progress=False, episodes=4,
                       periods=20)


def test_one_environment_per_repetition_one_agent_stream_per_agent():
    env_a, own_a = generators("P1", "sarsa", 3)
    env_b, own_b = generators("P1", "rsarsa", 3)
    assert np.array_equal(env_a.random(5), env_b.random(5))   # common random numbers
    assert not np.array_equal(own_a.random(5), own_b.random(5))
    assert not np.array_equal(generators("P1", "sarsa", 4)[0].random(5),
                              generators("P1", "sarsa", 3)[0].random(5))
    assert not np.array_equal(generators("P2", "sarsa", 3)[0].random(5),
                              generators("P1", "sarsa", 3)[0].random(5))


def test_a_shorter_schedule_keeps_the_early_share():
    assert experiment_problem("P1").early_window == 2000
    assert experiment_problem("P3", episodes=20).early_window == 400
    assert experiment_problem("P2", episodes=6, periods=50).early_window == 60


def fake(costs_by_agent, early_window=2, periods=4, ended=None):
    """Results whose runs have the given period costs (one list per repetition,
    one episode of ``periods`` each); ``ended[agent][rep]``: the terminal cost
    of a run whose episode left the box after its listed costs."""
    def run(costs, terminal):
        costs = np.array(costs, dtype=float)
        return Run(costs, np.array([len(costs)]), np.array([terminal > 0]), 0, 0,
                   1e-6 * len(costs), np.array([terminal]))
    ended = ended or {}
    return Results("P1", 1, periods, early_window, 0,
                   {a: tuple(run(c, ended.get(a, {}).get(i, 0.0))
                             for i, c in enumerate(reps))
                    for a, reps in costs_by_agent.items()})


def test_summary_statistics_and_both_tables():
    from invlib.stats import holm
    rng = np.random.default_rng(0)
    costs = {
        "sarsa": [[50 + rng.random(), 50, 40 + rng.random(), 40] for _ in range(10)],
        "rsarsa": [[30 + rng.random(), 30, 45 + rng.random(), 45] for _ in range(10)],
        "prs": [[60 + rng.random(), 60, 30 + rng.random(), 30] for _ in range(10)],
        "prs-beta": [[35 + rng.random(), 35, 20 + rng.random(), 20]
                     for _ in range(10)],
    }
    results = fake(costs)
    s = summary(results)
    early, later = results.window_means("rsarsa")
    sarsa_early, _ = results.window_means("sarsa")
    row = s["agents"]["rsarsa"]
    assert row["early_mean"] == pytest.approx(early.mean()) == row["early_cost"]
    # the paper's test: all ten below, 1 / C(20, 10)
    assert row["early_p_value"] == pytest.approx(
        mannwhitneyu(early, sarsa_early, alternative="less", method="exact").pvalue)
    assert row["early_p_value"] == pytest.approx(1 / 184756)
    # the paired test: all ten differences negative, 1 / 2^10
    assert row["early_p_paired"] == pytest.approx(1 / 1024)
    family = [s["agents"][a][f"{w}_p_paired"] for a in ("rsarsa", "prs", "prs-beta")
              for w in ("early", "later")]
    assert [s["agents"][a][f"{w}_p_holm"] for a in ("rsarsa", "prs", "prs-beta")
            for w in ("early", "later")] == pytest.approx(holm(family))
    assert row["early_lower"] and not row["later_lower"]
    assert row["later_p_paired"] == pytest.approx(1.0)
    mean, low, high = row["early_difference"]
    assert mean == pytest.approx((early - sarsa_early).mean())
    assert low < mean < high < 0
    assert s["agents"]["sarsa"]["early_p_value"] is None
    assert s["agents"]["sarsa"]["early_difference"] is None
    assert [r["agent"] for r in table1(s)] == ["SARSA", "RSarsa", "PRS", "PRS.Beta"]
    verdicts = {(r["against"], r["window"]): r["verdict"] for r in table2(s)}
    assert verdicts == {("RSarsa", "early"): "higher", ("RSarsa", "later"): "lower",
                        ("PRS", "early"): "lower", ("PRS", "later"): "lower"}
    # table 2's family is its eight one-sided tests: each Holm-adjusted
    rows = table2(s)
    assert [p for r in rows for p in (r["p_lower"], r["p_higher"])] == \
        pytest.approx(holm([p for r in rows
                            for p in (r["p_lower_paired"], r["p_higher_paired"])]))
    assert table2(s) == s["table2"]
    boxes = box_data(results)
    assert np.array_equal(boxes["prs"]["later"], results.window_means("prs")[1])
    text = format_tables(s)
    assert "PRS.Beta  RSarsa   early" in text and "higher" in text


def test_an_exit_is_charged_for_every_period_not_played():
    # SARSA plays all four periods at 10; the other agent two at 5, then leaves
    # the box with terminal cost 200: (1 - 0.9) * 200 = 20 per missing period
    results = fake({"sarsa": [[10, 10, 10, 10]], "rsarsa": [[5, 5]]},
                   ended={"rsarsa": {0: 200.0}})
    assert results.scheduled_costs("rsarsa")[0].tolist() == \
        pytest.approx([5, 5, 20, 20])
    early, later = results.window_means("rsarsa")
    assert (early[0], later[0]) == pytest.approx((5.0, 20.0))
    played_early, played_later = results.window_means("rsarsa", exits=False)
    assert played_early[0] == 5.0 and np.isnan(played_later[0])
    s = summary(results)
    assert s["agents"]["rsarsa"]["later_cost"] == pytest.approx(20.0)
    assert s["agents"]["rsarsa"]["termination_rate"] == 1.0
    assert s["agents"]["sarsa"]["termination_rate"] == 0.0


def test_learning_curves_run_over_the_whole_schedule():
    results = fake({"sarsa": [[1, 2, 3, 4, 5], [3, 4, 5]]}, periods=5,
                   ended={"sarsa": {1: 10.0}})
    curve = moving_average(results, window=2)["sarsa"]
    # the second run's last two periods cost (1 - 0.9) * 10 = 1 each;
    # trailing means (1, 1.5, 2.5, 3.5, 4.5) and (3, 3.5, 4.5, 3, 1)
    assert curve.tolist() == pytest.approx([2.0, 2.5, 3.5, 3.25, 2.75])


@pytest.mark.parametrize("call, words", [
    (lambda: run_experiment("P4", progress=False), "problem must be one of 'P1'"),
    (lambda: run_experiment("P1", ("dqn",), progress=False), "agents must be one of"),
    (lambda: run_experiment("P1", (), progress=False), "agents must name at least one"),
    (lambda: run_experiment("P1", repetitions=0, progress=False),
     "repetitions must be an integer in [1, inf), got 0"),
    (lambda: run_experiment("P1", jobs=0, progress=False),
     "jobs must be an integer in [1, inf), got 0"),
    (lambda: run_experiment("P1", episodes=0, progress=False),
     "episodes must be an integer in [1, inf), got 0"),
    (lambda: run_experiment("P1", seed=-1, progress=False),
     "seed must be an integer in [0, inf), got -1"),
    (lambda: load_results("/nowhere", "P2"), "out folder '/nowhere' holds no P2 results"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(InvalidParameter) as info:
        call()
    assert words in str(info.value)


def test_the_boxes_are_separate_settings(tmp_path):
    from invlib.inventory import BOXES
    wide = run_experiment("P1", ("sarsa",), 1, tmp_path / "w", progress=False,
                          episodes=10)
    narrow = run_experiment("P1", ("sarsa",), 1, tmp_path / "n", progress=False,
                            episodes=10, box="narrow")
    assert (wide.box, narrow.box) == ("wide", "narrow")
    assert experiment_problem("P1", box="narrow").x_range == BOXES["narrow"]
    # the narrow box ends some of SARSA's episodes early, the wide one none
    assert narrow.runs["sarsa"][0].terminations > 0
    assert wide.runs["sarsa"][0].terminations == 0
    with pytest.raises(InvalidParameter, match="results of other settings"):
        run_experiment("P1", ("sarsa",), 1, tmp_path / "w", progress=False,
                       episodes=10, box="narrow")
    with pytest.raises(InvalidParameter, match="box must be one of"):
        run_experiment("P1", ("sarsa",), 1, tmp_path / "x", progress=False,
                       box="huge")
