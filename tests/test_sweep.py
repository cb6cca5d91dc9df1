"""The sweep: the same numbers on any cluster, the book's point equal to the
experiment's run, resuming after a kill, and bad options in one line."""
import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from invlib import InvalidParameter
from invlib.experiments import run_experiment, summary
from invlib.sweep import COLUMNS, Grid, load_runs, run_sweep, uses_kappa

SMALL = Grid(problems=("P1", "P2"), agents=("sarsa", "rsarsa-td"),
             kappas=(0.1, 1.0), learning_rates=(0.1, 0.3), epsilons=(0.1,),
             repetitions=2, periods_scale=0.1)


def timeless(runs):
    return [{k: v for k, v in r.items() if k != "seconds_per_period"} for r in runs]


def test_the_grid():
    assert [uses_kappa(a) for a in ("sarsa", "rsarsa", "prs", "prs-beta",
                                    "rsarsa-td", "prs-td")] == \
        [False, False, False, True, True, True]
    runs = SMALL.runs()
    # per problem and repetition: sarsa at 2 rates, rsarsa-td at 2 kappas x 2
    assert len(runs) == 2 * 2 * (2 + 4)
    assert len(set(runs)) == len(runs)
    assert all(k is None for p, a, k, *_ in runs if a == "sarsa")
    assert Grid().episodes("P3") == 200 and SMALL.episodes("P1") == 10
    full = Grid()
    assert len(full.runs()) == 30 * 3 * (3 * 9 + 3 * 7 * 9)    # 19,440


def test_serial_and_two_workers_give_the_same_runs_bit_for_bit(tmp_path):
    serial = run_sweep(SMALL, tmp_path / "serial", "serial", progress=False)
    two = run_sweep(SMALL, tmp_path / "two", "local:2", progress=False)
    assert timeless(serial) == timeless(two)
    assert [tuple(r[k] for k in COLUMNS[:6]) for r in serial] == SMALL.runs()
    # what is stored reads back exactly, in the order the runs finished
    stored = load_runs(tmp_path / "two")
    key = {tuple(r[k] for k in COLUMNS[:6]): r for r in stored}
    assert timeless([key[k] for k in SMALL.runs()]) == timeless(serial)
    # runs differ where their coordinates do
    costs = [r["later_cost"] for r in serial]
    assert len(set(costs)) == len(costs)


def test_the_books_point_is_the_experiments_run(tmp_path):
    grid = Grid(problems=("P1",), agents=("sarsa", "prs-beta"), kappas=(1.0,),
                learning_rates=(0.1,), epsilons=(0.1,), repetitions=2,
                periods_scale=0.1)
    runs = run_sweep(grid, tmp_path / "sweep", "serial", progress=False)
    s = summary(run_experiment("P1", ("sarsa", "prs-beta"), 2, tmp_path / "exp",
                               progress=False, episodes=10))
    for agent in ("sarsa", "prs-beta"):
        mine = [r for r in runs if r["agent"] == agent]
        row = s["agents"][agent]
        assert [r["early_cost"] for r in mine] == row["early_costs"]
        assert [r["later_cost"] for r in mine] == row["later_costs"]
        assert [r["later_mean"] for r in mine] == row["later_means"]
        assert np.mean([r["termination_rate"] for r in mine]) == \
            pytest.approx(row["termination_rate"])


def test_a_killed_sweep_resumes_and_ends_as_an_uninterrupted_one(tmp_path):
    out = tmp_path / "sweep"
    args = [sys.executable, "-m", "invlib", "sweep", "--problems", "P1",
            "--agents", "sarsa", "rsarsa", "--learning-rate", "0.03", "0.1", "0.3",
            "--epsilon", "0.05", "0.1", "0.2", "--repetitions", "3",
            "--periods-scale", "0.2", "--out", str(out), "--cluster", "serial"]
    # (SIGINT as in a terminal, even if the tests were started with it ignored)
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        begun = time.monotonic()
        while len(load_runs(out)) < 5 and time.monotonic() - begun < 120:
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:          # never left running after a failure
            process.kill()
            process.communicate()
    assert process.returncode == 130 and "Traceback" not in err
    kept = load_runs(out)
    assert 5 <= len(kept) < 54
    assert err.strip().splitlines()[-1] == (
        f"interrupted: {len(kept)} of 54 runs stored in {out}; run the same "
        "command to resume")
    again = subprocess.run(args + ["--json", "--no-progress"], capture_output=True,
                           text=True)
    assert again.returncode == 0, again.stderr
    runs = json.loads(again.stdout)["runs"]
    assert len(runs) == 54
    # the runs stored before the kill were kept as they were
    first = {tuple(r[k] for k in COLUMNS[:6]): r for r in runs}
    assert all(first[tuple(r[k] for k in COLUMNS[:6])] == r for r in kept)
    grid = Grid(problems=("P1",), agents=("sarsa", "rsarsa"),
                learning_rates=(0.03, 0.1, 0.3), epsilons=(0.05, 0.1, 0.2),
                repetitions=3, periods_scale=0.2)
    assert timeless(runs) == timeless(
        run_sweep(grid, tmp_path / "whole", "serial", progress=False))


def test_a_line_cut_short_is_dropped_on_resume(tmp_path):
    grid = Grid(problems=("P1",), agents=("sarsa",), learning_rates=(0.1, 0.3),
                epsilons=(0.1,), repetitions=1, periods_scale=0.1)
    whole = run_sweep(grid, tmp_path, "serial", progress=False)
    table = tmp_path / "runs.csv"
    text = table.read_text()
    table.write_text(text[:-30])                    # killed while writing a row
    assert len(load_runs(tmp_path)) == 1
    assert timeless(run_sweep(grid, tmp_path, "serial", progress=False)) == \
        timeless(whole)
    assert table.read_text().count("\n") == 3         # header and two rows


@pytest.mark.parametrize("option, words", [
    (["--cluster", "local:0"], "--cluster must be 'serial', 'local:N' with N in "
                               "[1, 256] or 'tcp://HOST:PORT', got 'local:0'"),
    (["--cluster", "tcp://nowhere"], "--cluster must be"),
    (["--kappa", "0"], "--kappa must be a finite number in (0, inf), got 0.0"),
    (["--learning-rate", "1.5"], "--learning-rate must be a finite number in "
                                 "(0, 1], got 1.5"),
    (["--epsilon", "-0.1"], "--epsilon must be a finite number in [0, 1]"),
    (["--repetitions", "0"], "--repetitions must be an integer in [1, inf)"),
    (["--periods-scale", "0"], "--periods-scale must be a finite number in "
                               "(0, 100], got 0.0"),
    (["--problems", "P4"], "--problems: invalid choice: 'P4'"),
    (["--out", "/proc/x"], "--out must be a folder that can be written"),
])
def test_bad_options_are_one_line(option, words, tmp_path):
    result = subprocess.run([sys.executable, "-m", "invlib", "sweep",
                             "--out", str(tmp_path), *option],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert words in result.stderr


def test_a_folder_of_other_settings_is_refused(tmp_path):
    run_sweep(Grid(problems=("P1",), agents=("sarsa",), learning_rates=(0.1,),
                   epsilons=(0.1,), repetitions=1, periods_scale=0.1),
              tmp_path, "serial", progress=False)
    with pytest.raises(InvalidParameter, match="holds a sweep of other settings"):
        run_sweep(Grid(problems=("P1",), agents=("sarsa",), repetitions=1,
                       periods_scale=0.2), tmp_path, "serial", progress=False)


def test_the_books_stored_sweep_recomputes_bit_for_bit():
    """A random sample of the runs stored in book/data/sweep (the table the
    robustness chapter reads), recomputed here: every measure but the time."""
    from pathlib import Path

    from invlib.sweep import MEASURES, sweep_run
    folder = Path(__file__).resolve().parents[1] / "book" / "data" / "sweep"
    stored = load_runs(folder)
    assert len(stored) >= 648                   # at least one whole repetition
    settings = json.loads((folder / "sweep.json").read_text())
    grid = Grid(periods_scale=settings["periods_scale"], seed=settings["seed"])
    rng = np.random.default_rng(20261201)
    for i in rng.choice(len(stored), size=6, replace=False):
        row = stored[int(i)]
        again = sweep_run(row["problem"], row["agent"], row["kappa"],
                          row["learning_rate"], row["epsilon"], row["repetition"],
                          grid.episodes(row["problem"]), grid.seed)
        for measure in MEASURES:
            if measure != "seconds_per_period":
                assert again[measure] == row[measure], (row, measure)
