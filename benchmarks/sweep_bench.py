"""Speed of the sweep on a Dask LocalCluster of 1 and of 2 workers, side by side.

    .venv/bin/python benchmarks/sweep_bench.py [--repetitions 12] [--rounds 3]

Runs the issue's sweep of 144 runs (P1 and P3; SARSA, RSarsa, PRS.Beta and
RSarsa.TD; kappa 0.3 and 1; the book's learning rate and epsilon; 12
repetitions) in this process (serial), then ``--rounds`` times on ``local:1`` and
``local:2`` alternately, each into a fresh folder, the cluster's start and stop
included (the server process that forks local workers, which a process starts
once, with its first cluster, is started and timed before). Prints the wall time
of each, the speed-up from 1 to 2 workers (best against best, and round by
round), what the cluster itself costs (local:1 minus serial: start, the workers'
first calls, stop) and the speed-up of the work without it, and checks that every
run gives the same numbers bit for bit (the measured times aside).
``--repetitions 48`` gives a run long enough for the cluster's own cost to matter
little.

Before that it checks that a fresh process, as a worker is, loads the compiled
loops from numba's disk cache instead of compiling them (hits and misses of
every kernel the run calls), and times what a worker pays before its first run:
the import of invlib and the first call.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from invlib.sweep import Grid, run_sweep

FRESH = """
import time
tic = time.perf_counter()
import numba
from invlib import sweep
imported = time.perf_counter()
sweep.sweep_run("P1", "rsarsa-td", 1.0, 0.1, 0.1, 0, 1, 2014)
called = time.perf_counter()
hits = misses = 0
for module in ("approx", "tiles", "inventory", "demand", "td", "rumination"):
    space = vars(__import__("invlib." + module, fromlist=["_"]))
    for kernel in space.values():
        if isinstance(kernel, numba.core.registry.CPUDispatcher) and kernel.signatures:
            hits += sum(kernel.stats.cache_hits.values())
            misses += sum(kernel.stats.cache_misses.values())
print(imported - tic, called - imported, hits, misses)
"""


def fresh_process() -> tuple[float, float, int, int]:
    """A new interpreter's import of invlib, its first (tiny) run, and the
    compiled loops it loaded from the cache and compiled."""
    out = subprocess.run([sys.executable, "-c", FRESH], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), int(out[3])


def timed(grid: Grid, cluster: str, folder: Path):
    tic = time.perf_counter()
    runs = run_sweep(grid, folder, cluster, progress=False)
    return time.perf_counter() - tic, [
        {k: v for k, v in r.items() if k != "seconds_per_period"} for r in runs]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    grid = Grid(problems=("P1", "P3"),
                agents=("sarsa", "rsarsa", "prs-beta", "rsarsa-td"),
                kappas=(0.3, 1.0), learning_rates=(0.1,), epsilons=(0.1,),
                repetitions=args.repetitions)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        timed(Grid(problems=("P1",), agents=("sarsa",), learning_rates=(0.1,),
                   epsilons=(0.1,), repetitions=1, periods_scale=0.01),
              "serial", root / "warm-up")           # compile (or load) once
        imported, first, hits, misses = fresh_process()
        # the server process that forks local workers starts with the first
        # cluster of a process, once (invlib.parallel); timed apart, so that
        # every round below starts its cluster the same way
        tic = time.perf_counter()
        timed(Grid(problems=("P1",), agents=("sarsa",), learning_rates=(0.1,),
                   epsilons=(0.1,), repetitions=1, periods_scale=0.01),
              "local:1", root / "server")
        server = time.perf_counter() - tic
        serial = timed(grid, "serial", root / "serial")
        times = {"local:1": [], "local:2": []}
        same = True
        for r in range(args.rounds):
            for cluster in times:
                seconds, runs = timed(grid, cluster,
                                      root / f"{cluster.replace(':', '-')}-{r}")
                times[cluster].append(seconds)
                same = same and runs == serial[1]
    print(f"a fresh process (as a worker): import {imported:.2f} s, first run "
          f"{first:.2f} s; compiled loops loaded from the cache {hits}, compiled "
          f"{misses}")
    print(f"the first local cluster of a process, with its fork server "
          f"(once): {server:.2f} s for one tiny run")
    print(f"sweep of {len(grid.runs())} runs (P1, P3; 4 agents; kappa 0.3 and 1; "
          f"{args.repetitions} repetitions)")
    print(f"  serial   {serial[0]:7.2f} s")
    for cluster, seconds in times.items():
        print(f"  {cluster:<8} " + " ".join(f"{s:7.2f}" for s in seconds) + " s")
    one, two = times["local:1"], times["local:2"]
    rounds = " ".join(f"{a / b:.2f}" for a, b in zip(one, two, strict=True))
    print(f"  speed-up from 1 to 2 workers: {min(one) / min(two):.2f}x best against "
          f"best (round by round: {rounds})")
    # what a cluster adds to the work: start, the workers' imports and first
    # calls, stop; paid once whatever the number of workers, so it caps the
    # speed-up at (overhead + work) / (overhead + work / 2)
    overhead = min(one) - serial[0]
    print(f"  the cluster's own cost (local:1 - serial): {overhead:.2f} s; speed-up "
          f"of the work alone: {serial[0] / max(min(two) - overhead, 1e-9):.2f}x")
    print(f"  identical numbers on every cluster: {same}")
    return 0 if same and misses == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
