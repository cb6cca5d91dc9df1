"""Command line: ``python -m invlib solve ...``, ``python -m invlib train ...`` and
``python -m invlib experiment ...``.

``solve`` solves a bike shop exactly and prints the optimal policy, its values,
its long-run cost per day and the best order-up-to level. ``train`` trains a
learning agent and scores its greedy policy exactly. ``experiment`` runs the
paper's protocol on P1, P2 or P3 (:mod:`invlib.experiments`), storing runs as they
finish and resuming where it stopped, and prints its tables 1 and 2. Each prints
a table or (with ``--json``) one JSON object that scripts and later chapters rely
on. The interface is kept stable; new commands are added beside it.

Bad input gives one line on standard error naming the option and its allowed
range, and exit status 2. Ctrl-C gives one line saying what is kept, and exit
status 130 (``experiment`` keeps every finished run, and the same command
resumes).
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap

from .agents import AgentSettings, agent_settings, article_settings, recommended_settings
from .bikeshop import (
    HOLDING_ON,
    MAX_CAPACITY,
    MIN_DEMAND_MEAN,
    BikeShop,
    start_distribution,
)
from .checks import InvalidParameter, check_int
from .dp import policy_iteration, policy_matrix
from .longrun import NumericalTrouble, average_cost, recurrent_classes
from .mdp import bike_shop_mdp
from .policies import best_order_up_to_level, order_up_to_table, policy_grid
from .rumination import AGENTS

PROG = "python -m invlib"
#: Largest --steps: an episode's random numbers are drawn before it is played
#: (about 16 bytes a day, more when ruminating), so this keeps them in memory.
MAX_STEPS = 1_000_000
#: Largest --episodes: one mean cost per episode is kept (8 bytes each).
MAX_EPISODES = 10_000_000
#: Interrupted by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def solve_summary(shop: BikeShop) -> dict:
    """Everything ``solve --json`` prints, as a plain dict."""
    mdp = bike_shop_mdp(shop)
    solution = policy_iteration(mdp)
    scores = order_up_to_table(shop, mdp)
    best = best_order_up_to_level(scores, by="per_day")
    # Every long-run cost is from the article's random start, the same for the
    # optimal policy and for the order-up-to rules; it matters only when a policy
    # can settle in one of several closed groups of states (no demand, say).
    classes = len(recurrent_classes(policy_matrix(mdp, solution.policy)[0]))
    return {
        "settings": {"capacity": shop.capacity, "demand_mean": shop.demand_mean,
                     "holding_cost": shop.holding_cost,
                     "stockout_cost": shop.stockout_cost, "discount": shop.discount,
                     "holding_on": shop.holding_on},
        "states": shop.states.tolist(),
        "policy": solution.policy.tolist(),
        "value": solution.value.tolist(),
        "average_cost": average_cost(mdp, solution.policy, start_distribution(shop)),
        "recurrent_classes": classes,
        "order_up_to": {"best_level": best,
                        "best_average_cost": scores[best].per_day,
                        "capacity_average_cost": scores[shop.capacity].per_day},
    }


def _train_with_progress(shop: BikeShop, settings: AgentSettings, seed: int,
                         progress: bool):
    """Train in chunks of episodes (the same training as one call), with a bar
    on standard error once a run has taken two seconds; Ctrl-C raises
    :class:`Interrupted` saying how far it got."""
    from tqdm.auto import tqdm

    from .agents import Agent
    agent = Agent(shop, settings, seed)
    chunk = max(1, 200_000 // settings.steps)
    with tqdm(total=settings.episodes, unit="episode", desc="training", delay=2,
              disable=not progress, file=sys.stderr, leave=False) as bar:
        try:
            while agent.episodes_done < settings.episodes:
                todo = min(chunk, settings.episodes - agent.episodes_done)
                agent.train(todo)
                bar.update(todo)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted: trained {agent.episodes_done:,} of "
                              f"{settings.episodes:,} episodes; nothing is stored, "
                              "so a rerun starts again") from None
    return agent.result()


class Interrupted(Exception):
    """Ctrl-C, with the one line to print."""


def train_summary(shop: BikeShop, settings: AgentSettings, seed: int,
                  agent: str | None = None, progress: bool = False) -> dict:
    """Everything ``train --json`` prints, as a plain dict; ``agent`` is the
    agent's name (a key of :data:`invlib.rumination.AGENTS`; by default the
    target, which names the agent when it does not ruminate)."""
    from .scoring import benchmark
    bench = benchmark(shop)
    result = _train_with_progress(shop, settings, seed, progress)
    return {
        "agent": agent or settings.target,
        "states": shop.states.tolist(),
        "policy": result.policy.tolist(),
        "average_cost": bench.cost(result.policy),
        "optimal_average_cost": bench.optimal_cost,
        "learning_cost": result.learning_cost,
        "train_seconds": result.seconds,
        "steps": result.steps,
        "settings": {k: v for k, v in settings.__dict__.items()},
    } | ({"rumination_rate": result.rumination_rate}
         if settings.rumination != "none" else {})


def _print_training(shop: BikeShop, summary: dict, out) -> None:
    from .experiments import LABELS
    print(f"Trained {LABELS[summary['agent']]} for {summary['steps']:,} steps "
          f"({summary['train_seconds']:.3f} s)", file=out)
    print("\nGreedy order (rows: bikes on hand, columns: bikes on order)", file=out)
    _print_grid(shop, policy_grid(shop, summary["policy"]), "{:.0f}", 3, out)
    gap = 100 * (summary["average_cost"] / summary["optimal_average_cost"] - 1)
    print(f"\nLong-run cost per day of the learned policy: {summary['average_cost']:.4f}"
          f" ({gap:+.2f}% against the optimum {summary['optimal_average_cost']:.4f})",
          file=out)
    print(f"Mean cost per day paid while learning: {summary['learning_cost']:.4f}",
          file=out)
    if "rumination_rate" in summary:
        print(f"Share of days with rumination: {summary['rumination_rate']:.4f}",
              file=out)


def _print_grid(shop: BikeShop, table, fmt: str, width: int, out) -> None:
    """A triangular table, each column at least ``width`` wide and one space
    wider than its widest entry, so large numbers never run together."""
    C = shop.capacity
    cells = [[fmt.format(x) for x in table[a, :C + 1 - a]] for a in range(C + 1)]
    width = max([width] + [len(c) + 1 for row in cells for c in row])
    print("    " + "".join(f"{b:>{width}}" for b in range(C + 1)), file=out)
    for a, row in enumerate(cells):
        print(f"{a:>3} " + "".join(f"{c:>{width}}" for c in row), file=out)


def _print_table(shop: BikeShop, summary: dict, out) -> None:
    C = shop.capacity
    grid = policy_grid(shop, summary["policy"])
    value = policy_grid(shop, summary["value"])
    print(f"Bike shop: capacity {C}, Poisson demand with mean {shop.demand_mean:g}, "
          f"holding cost {shop.holding_cost:g} on {shop.holding_on} stock, "
          f"stockout cost {shop.stockout_cost:g}, discount {shop.discount:g}", file=out)
    for title, table, fmt, width in (("Optimal order", grid, "{:.0f}", 3),
                                     ("Optimal expected discounted cost", value,
                                      "{:.2f}", 8)):
        print(f"\n{title} (rows: bikes on hand, columns: bikes on order)", file=out)
        _print_grid(shop, table, fmt, width, out)
    up = summary["order_up_to"]
    print(f"\nLong-run cost per day of the optimal policy: "
          f"{summary['average_cost']:.4f}", file=out)
    if summary["recurrent_classes"] > 1:
        print(textwrap.fill(
            f"(The optimal policy can settle in {summary['recurrent_classes']} "
            "separate groups of states, so its long-run cost depends on the start; "
            "here and below every long-run cost is averaged over the article's "
            "random start.)", 79), file=out)
    print(f"Order up to {C} (the capacity): {up['capacity_average_cost']:.4f} per day",
          file=out)
    print(f"Best order-up-to level {up['best_level']}: "
          f"{up['best_average_cost']:.4f} per day", file=out)


def _as_option(err: InvalidParameter) -> InvalidParameter:
    """Speak in option names, since that is what the user typed."""
    message = str(err)
    if message.startswith("-"):
        return err
    name = message.split(" ", 1)[0]
    return InvalidParameter("--" + name.replace("_", "-") + message[len(name):])


def _shop_from(args) -> BikeShop:
    return BikeShop(args.capacity, args.demand_mean, args.holding_cost,
                    args.stockout_cost, args.discount, args.holding_on)


def _settings_from(args) -> AgentSettings:
    if args.article and AGENTS[args.agent][1] != "none":
        raise InvalidParameter("--article goes only with --agent qlearning or sarsa "
                               "(the article's scheme does not ruminate)")
    check_int("seed", args.seed, 0)
    check_int("episodes", args.episodes, 1, MAX_EPISODES)
    check_int("steps", args.steps, 1, MAX_STEPS)
    base = article_settings if args.article else recommended_settings
    changes = {"episodes": args.episodes, "steps": args.steps}
    for name in ("learning_rate", "epsilon", "kappa"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    return agent_settings(args.agent, base=base, **changes)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Inventory control with reinforcement "
                     "learning: exact solutions of the bike shop.")
    shop_options = _Parser(add_help=False)
    _add_shop_options(shop_options)
    commands = parser.add_subparsers(dest="command", required=True,
                                     parser_class=_Parser, metavar="COMMAND")
    commands.add_parser("solve", parents=[shop_options],
                        help="solve a bike shop exactly by dynamic programming")
    train = commands.add_parser("train", parents=[shop_options],
                                help="train a learning agent and score it exactly")
    train.add_argument("--agent", choices=tuple(AGENTS), default="qlearning",
                       help="the learning agent (default qlearning)")
    train.add_argument("--episodes", type=int, default=1000,
                       help=f"number of episodes, 1..{MAX_EPISODES:,} (default 1000)")
    train.add_argument("--steps", type=int, default=1000,
                       help=f"days per episode, 1..{MAX_STEPS:,} (default 1000)")
    train.add_argument("--seed", type=int, default=0,
                       help="seed of the random numbers, >= 0 (default 0)")
    train.add_argument("--article", action="store_true",
                       help="the article's exact scheme: table frozen during an "
                       "episode, batch update at its end, random U(0,1) start values, "
                       "learning rate 0.1; only with --agent qlearning or sarsa "
                       "(default: the book's recommended scheme)")
    train.add_argument("--learning-rate", type=float, default=None,
                       help="step size in (0, 1]; with the recommended scheme the "
                       "first step of each pair, decaying as 1/n^0.7 (default 0.1 "
                       "with --article, else 1)")
    train.add_argument("--epsilon", type=float, default=None,
                       help="exploration probability in [0, 1] (default 0.1)")
    train.add_argument("--kappa", type=float, default=None,
                       help="surprise scale of the calm factor omega = exp(-|delta| / "
                       "(kappa |Q|)), >= 0; used by prs-beta, rsarsa-td and prs-td, "
                       "ignored by the others (default 1)")
    train.add_argument("--no-progress", action="store_true",
                       help="no progress bar (it goes to standard error, for runs "
                       "longer than two seconds)")
    _add_experiment(commands)
    _add_sweep(commands)
    return parser


def _add_experiment(commands) -> None:
    from .approx import PROBLEMS
    from .experiments import DEFAULT_AGENTS
    run = commands.add_parser("experiment", help="the paper's experiment: every agent, "
                              "repeated, on problem P1, P2 or P3")
    run.add_argument("--problem", choices=tuple(PROBLEMS), default="P1",
                     help="the problem (default P1)")
    run.add_argument("--agents", nargs="+", choices=tuple(AGENTS),
                     default=list(DEFAULT_AGENTS), metavar="AGENT",
                     help="the agents, any of " + ", ".join(AGENTS) + " (default: "
                     + " ".join(DEFAULT_AGENTS) + ")")
    run.add_argument("--repetitions", type=int, default=10,
                     help="runs per agent, >= 1 (default 10)")
    run.add_argument("--out", default="results",
                     help="folder of the stored runs, made if missing; existing "
                     "runs of the same settings are reused, so an interrupted "
                     "experiment resumes (default results)")
    run.add_argument("--jobs", type=int, default=1,
                     help="worker processes of a local Dask cluster, >= 1; 1 runs "
                     "in this process (default 1)")
    run.add_argument("--cluster", default=None,
                     help="where the runs go instead: serial, local:N (N worker "
                     "processes) or tcp://HOST:PORT (a running Dask scheduler)")
    run.add_argument("--box", choices=("wide", "narrow"), default="wide",
                     help="the levels the learners cover: wide, x in [-1200, "
                     "1500] (the book's), or narrow, x in [-30, 60], where many "
                     "episodes end early (default wide)")
    run.add_argument("--episodes", type=int, default=None,
                     help="episodes per run, >= 1 (default: the problem's)")
    run.add_argument("--periods", type=int, default=None,
                     help="periods per episode, >= 1 (default: the problem's)")
    _add_run_options(run)


def _add_run_options(run) -> None:
    """The options that experiment and sweep share."""
    from .experiments import SEED
    run.add_argument("--seed", type=int, default=SEED,
                     help=f"seed of all random numbers, >= 0 (default {SEED})")
    run.add_argument("--no-progress", action="store_true",
                     help="no progress bar (it goes to standard error)")
    run.add_argument("--json", action="store_true", help="print one JSON object")


def _stopped(stop) -> int:
    """Ctrl-C during experiment or sweep: one line, exit status 130."""
    print(f"interrupted: {stop.stored} of {stop.total} runs stored in "
          f"{stop.folder}; run the same command to resume", file=sys.stderr)
    return INTERRUPTED


def _experiment(args, out) -> int:
    from .experiments import Interrupted as Stopped
    from .experiments import format_tables, run_experiment, summary
    try:
        results = run_experiment(args.problem, args.agents, args.repetitions, args.out,
                                 args.jobs, not args.no_progress, args.episodes,
                                 args.periods, args.seed, args.cluster, args.box)
    except InvalidParameter as err:
        print(f"{PROG} experiment: error: {_as_option(err)}", file=sys.stderr)
        return 2
    except Stopped as stop:
        return _stopped(stop)
    data = summary(results)
    if args.json:
        json.dump(data, out)
        out.write("\n")
    else:
        print(format_tables(data), file=out)
    return 0


def _add_sweep(commands) -> None:
    from .approx import PROBLEMS
    from .experiments import DEFAULT_AGENTS
    from .parallel import MAX_LOCAL_WORKERS, default_cluster
    from .sweep import EPSILONS, KAPPAS, LEARNING_RATES, MAX_PERIODS_SCALE, REPETITIONS

    def listed(values):
        return " ".join(f"{v:g}" for v in values)
    run = commands.add_parser("sweep", help="the paper's claims across kappa, the "
                              "learning rate and epsilon, on a Dask cluster")
    run.add_argument("--problems", nargs="+", choices=tuple(PROBLEMS),
                     default=list(PROBLEMS), metavar="PROBLEM",
                     help="any of P1 P2 P3 (default: all three)")
    run.add_argument("--agents", nargs="+", choices=tuple(AGENTS),
                     default=list(DEFAULT_AGENTS), metavar="AGENT",
                     help="the agents, any of " + ", ".join(AGENTS) + " (default: "
                     + " ".join(DEFAULT_AGENTS) + ")")
    run.add_argument("--kappa", nargs="+", type=float, default=list(KAPPAS),
                     metavar="K", help="surprise scales, each > 0, for the agents "
                     f"that use one (default {listed(KAPPAS)})")
    run.add_argument("--learning-rate", nargs="+", type=float,
                     default=list(LEARNING_RATES), metavar="R",
                     help=f"learning rates, each in (0, 1] (default "
                     f"{listed(LEARNING_RATES)})")
    run.add_argument("--epsilon", nargs="+", type=float, default=list(EPSILONS),
                     metavar="E", help=f"exploration probabilities, each in [0, 1] "
                     f"(default {listed(EPSILONS)})")
    run.add_argument("--repetitions", type=int, default=REPETITIONS,
                     help=f"runs per point, >= 1 (default {REPETITIONS})")
    run.add_argument("--out", default="sweep",
                     help="folder of the stored runs (runs.csv), made if missing; "
                     "stored runs are reused, so an interrupted sweep resumes "
                     "(default sweep)")
    run.add_argument("--cluster", default=None,
                     help=f"serial, local:N (a Dask LocalCluster of N worker "
                     f"processes, N in 1..{MAX_LOCAL_WORKERS}) or tcp://HOST:PORT "
                     f"(a running Dask scheduler); default {default_cluster()}, "
                     "one worker per core")
    run.add_argument("--periods-scale", type=float, default=1.0,
                     help=f"multiply every run's episodes by this, in (0, "
                     f"{MAX_PERIODS_SCALE:g}] (default 1)")
    _add_run_options(run)


def _sweep(args, out) -> int:
    import time

    from .experiments import Interrupted as Stopped
    from .sweep import Grid, run_sweep
    begun = time.perf_counter()
    try:
        grid = Grid(args.problems, args.agents, args.kappa, args.learning_rate,
                    args.epsilon, args.repetitions, args.periods_scale, args.seed)
        runs = run_sweep(grid, args.out, args.cluster, not args.no_progress)
    except InvalidParameter as err:
        print(f"{PROG} sweep: error: {_as_option(err)}", file=sys.stderr)
        return 2
    except Stopped as stop:
        return _stopped(stop)
    seconds = time.perf_counter() - begun
    if args.json:
        json.dump({"runs": [{k: (None if isinstance(v, float) and v != v else v)
                             for k, v in r.items()} for r in runs],
                   "out": str(args.out), "seconds": seconds}, out)
        out.write("\n")
    else:
        print(f"{len(runs):,} runs in {args.out}/runs.csv ({seconds:.1f} s)",
              file=out)
    return 0


def _add_shop_options(solve) -> None:
    solve.add_argument("--capacity", type=int, default=10,
                       help=f"most bikes on hand plus on order, 0..{MAX_CAPACITY} "
                       "(default 10)")
    solve.add_argument("--demand-mean", type=float, default=4.0,
                       help="mean of the Poisson daily demand: 0, or at least "
                       f"{MIN_DEMAND_MEAN:g} (default 4)")
    solve.add_argument("--holding-cost", type=float, default=8.0,
                       help="cost per bike held per day, >= 0 (default 8)")
    solve.add_argument("--stockout-cost", type=float, default=10.0,
                       help="cost per customer turned away, >= 0 (default 10)")
    solve.add_argument("--discount", type=float, default=0.9,
                       help="discount factor per day, in [0, 1) (default 0.9)")
    solve.add_argument("--holding-on", choices=HOLDING_ON, default="next",
                       help="charge holding cost on the stock left at the end of the "
                       "day (next, the article's cost) or on this evening's stock "
                       "(current)")
    solve.add_argument("--json", action="store_true", help="print one JSON object")


def main(argv=None, out=None) -> int:
    try:
        return _main(argv, out)
    except Interrupted as stop:
        print(stop, file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted: nothing is stored", file=sys.stderr)
    return INTERRUPTED


def _main(argv, out) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "experiment":
        return _experiment(args, out)
    if args.command == "sweep":
        return _sweep(args, out)
    try:
        shop = _shop_from(args)
        if args.command == "solve":
            summary, show = solve_summary(shop), _print_table
        else:
            summary = train_summary(shop, _settings_from(args), args.seed,
                                    args.agent, not args.no_progress)
            show = _print_training
    except InvalidParameter as err:
        print(f"{PROG} {args.command}: error: {_as_option(err)}", file=sys.stderr)
        return 2
    except NumericalTrouble as err:
        print(f"{PROG} {args.command}: error: {err} (try a smaller --demand-mean)",
              file=sys.stderr)
        return 2
    if args.json:
        json.dump(summary, out)
        out.write("\n")
    else:
        show(shop, summary, out)
    return 0


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
