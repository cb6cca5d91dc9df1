"""Speed of invlib's learning agents, side by side with a plain-Python reference.

    .venv/bin/python benchmarks/bench.py [--steps 1000000] [--reference-steps N]
                                         [--reference-runs N] [--qlearning-only]
                                         [--no-compile]

Prints, in one run: the JIT compile time (cold, and when loaded from the on-disk
cache; left out with --no-compile, which saves the several seconds a cold compile
takes); the time of invlib's Q-learning over the same budget of steps as the
article's plain-Python structure (benchmarks/article_reference.py), and the ratio;
then the time per period of every agent of the SARSA family, relative to SARSA and
to the reference, with the number of orders each ruminates per period (left out
with --qlearning-only).
Timings are the best of three runs; the reference, which is slow, the best of
--reference-runs (default one), each on --reference-steps scaled to --steps.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from article_reference import ArticleQLearning  # noqa: E402

from invlib import bike_shop  # noqa: E402
from invlib.agents import Agent, agent_settings, article_settings  # noqa: E402
from invlib.rumination import AGENTS  # noqa: E402

COMPILE = ("import time; t = time.perf_counter(); from invlib import bike_shop; "
           "from invlib.agents import Agent, article_settings; "
           "Agent(bike_shop(), article_settings(episodes=1, steps=10), 0).train(); "
           "print(time.perf_counter() - t)")


def first_call_seconds(cache_dir: str) -> float:
    """Import plus a one-episode run in a fresh process, with this numba cache."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, "-c", COMPILE], env=env, check=True,
                         capture_output=True, text=True)
    return float(out.stdout)


def best_of(runs: int, fn):
    return min(fn() for _ in range(runs))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--reference-steps", type=int, default=None,
                        help="steps for the slow reference (default: --steps)")
    parser.add_argument("--qlearning-only", action="store_true",
                        help="time Q-learning against the reference only, not the "
                             "SARSA family (as chapter 3 does)")
    parser.add_argument("--reference-runs", type=int, default=1,
                        help="time the reference this many times, keep the best")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not time the JIT compilation (a cold compile "
                             "takes several seconds)")
    args = parser.parse_args(argv)
    steps_per_episode = 1000
    episodes = args.steps // steps_per_episode
    ref_episodes = (args.reference_steps or args.steps) // steps_per_episode
    shop = bike_shop()

    if not args.no_compile:
        with tempfile.TemporaryDirectory() as cold:
            cold_first = first_call_seconds(cold)      # compiles and fills the cache
            warm_first = first_call_seconds(cold)      # loads from the cache
        print("JIT compilation (import + first tiny run, fresh process)")
        print(f"  cold cache: {cold_first:6.2f} s    "
              f"on-disk cache: {warm_first:6.2f} s\n")

    Agent(shop, article_settings(episodes=1, steps=10), 0).train()   # warm up here

    def invlib_run():
        agent = Agent(shop, article_settings(episodes=episodes), 0)
        tic = time.perf_counter()
        agent.train()
        whole = time.perf_counter() - tic
        invlib_run.loop = min(getattr(invlib_run, "loop", 1e9), agent.seconds)
        return whole

    whole = best_of(3, invlib_run)
    loop = invlib_run.loop
    def reference_run():
        tic = time.perf_counter()
        ArticleQLearning(seed=0).train(episodes=ref_episodes, steps=steps_per_episode)
        return time.perf_counter() - tic

    reference = best_of(args.reference_runs, reference_run) * episodes / ref_episodes

    per_step = lambda seconds: 1e9 * seconds / (episodes * steps_per_episode)  # noqa
    print(f"Q-learning, the article's scheme, {episodes * steps_per_episode:,} steps")
    print(f"  {'':34}{'seconds':>9}{'ns/step':>9}{'speed-up':>10}")
    print(f"  {'plain-Python reference (article)':34}{reference:9.3f}"
          f"{per_step(reference):9.0f}{1:10.1f}")
    print(f"  {'invlib, whole call (draws incl.)':34}{whole:9.3f}"
          f"{per_step(whole):9.0f}{reference / whole:10.1f}")
    print(f"  {'invlib, compiled loop alone':34}{loop:9.3f}"
          f"{per_step(loop):9.0f}{reference / loop:10.1f}")
    if ref_episodes != episodes:
        best = f"the best of {args.reference_runs} runs, " \
            if args.reference_runs > 1 else ""
        print(f"  (reference timed on {ref_episodes * steps_per_episode:,} steps, "
              f"{best}scaled)")

    if args.qlearning_only:
        return
    # --- the SARSA family, the paper's learning settings, same budget ---------
    rows = {}
    for name in AGENTS:
        settings = agent_settings(name, episodes=episodes)
        Agent(shop, agent_settings(name, episodes=1, steps=10), 0).train()
        best = None
        for _ in range(3):
            result = Agent(shop, settings, 0).train().result()
            if best is None or result.seconds < best.seconds:
                best = result
        rows[name] = best
    sarsa_ns = per_step(rows["sarsa"].seconds)
    print(f"\nTime per period of every agent ({episodes * steps_per_episode:,} "
          "periods, the paper's settings)")
    print(f"  {'agent':<11}{'ns/period':>10}{'vs SARSA':>10}{'faster than':>13}"
          f"{'ruminated':>11}{'ns per':>9}")
    print(f"  {'':<11}{'':>10}{'':>10}{'reference':>13}{'per period':>11}"
          f"{'order':>9}")
    for name, result in rows.items():
        ns = per_step(result.seconds)
        orders = result.imagined_updates / result.steps
        per_order = (ns - sarsa_ns) / orders if orders else float("nan")
        print(f"  {name:<11}{ns:10.0f}{ns / sarsa_ns:10.2f}"
              f"{per_step(reference) / ns:13.1f}{orders:11.2f}{per_order:9.1f}")
    print("  ('faster than reference': the article-style plain-Python Q-learning's time"
          " per step over the agent's time per period)")


if __name__ == "__main__":
    main()
