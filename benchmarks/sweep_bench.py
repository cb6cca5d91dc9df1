"""Speed of the sweep on a Dask LocalCluster of 1 and of 2 workers, side by side.

    .venv/bin/python benchmarks/sweep_bench.py [--repetitions 16]

Runs one fixed small sweep (P1 and P3; SARSA, RSarsa and RSarsa.TD at kappa
0.1 and 1; the book's learning rate and epsilon; ``--repetitions`` runs per
point) three ways in one run: in this process (serial), on ``local:1`` and on
``local:2``, each into a fresh folder, the cluster's start-up included. Prints
the wall time of each, the speed-up from 1 to 2 workers, and checks that the
three give the same numbers bit for bit (the measured times aside).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from invlib.sweep import Grid, run_sweep


def timed(grid: Grid, cluster: str, folder: Path):
    tic = time.perf_counter()
    runs = run_sweep(grid, folder, cluster, progress=False)
    return time.perf_counter() - tic, [
        {k: v for k, v in r.items() if k != "seconds_per_period"} for r in runs]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=16)
    args = parser.parse_args(argv)
    grid = Grid(problems=("P1", "P3"), agents=("sarsa", "rsarsa", "rsarsa-td"),
                kappas=(0.1, 1.0), learning_rates=(0.1,), epsilons=(0.1,),
                repetitions=args.repetitions)
    with tempfile.TemporaryDirectory() as folder:
        timed(grid, "serial", Path(folder) / "warm-up")    # compile once
        results = {c: timed(grid, c, Path(folder) / c.replace(":", "-"))
                   for c in ("serial", "local:1", "local:2")}
    runs = len(grid.runs())
    print(f"sweep of {runs} runs (P1, P3; 3 agents; {args.repetitions} repetitions)")
    for cluster, (seconds, _) in results.items():
        print(f"  {cluster:<8} {seconds:7.2f} s")
    one, two = results["local:1"][0], results["local:2"][0]
    print(f"  speed-up from 1 to 2 workers: {one / two:.2f}x")
    same = all(r[1] == results["serial"][1] for r in results.values())
    print(f"  identical numbers on every cluster: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
