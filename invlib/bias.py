"""Bias measured, not inferred: how far an agent's learned values are from the
true values of the policy it ends with.

After training, an agent's policy is the epsilon-greedy policy of its final tile
weights. Its true action value ``Q_pi(s, a)`` (the expected discounted cost of
ordering ``a`` in ``s`` and following that policy afterwards) is estimated by
Monte Carlo rollouts: from each of a fixed sample of (state, order) pairs,
``rollouts`` independent futures of ``horizon`` periods (``gamma^horizon`` of the
value is left out: 2e-5 of it at 100 periods and gamma = 0.9), each with its own
demand path and exploration uniforms. The same pairs, demands and uniforms are
used for every agent (common random numbers), so the agents' errors differ by
what they learned, not by the draw. A rollout that leaves the box is charged the
terminal cost, as the agents' targets are.

:func:`value_errors` returns, per pair, the learned value minus the estimated
true one, and the Monte Carlo standard error of each estimate;
:func:`agent_value_errors` does so for the agents of the experiments, each
repetition's training replayed, on any cluster (:mod:`invlib.parallel`) with the
same numbers, bit for bit.

The rollouts follow the policy, not the agent's learning, so most of a period is
the greedy choice: the state located in every tiling and the values of all
orders summed. An order placed during a rollout sits in the pipeline for the
rest of it, so its part of a tile's index is looked up (as the training loop
does for the orders' own dimension) instead of computed again; an exploring
period needs no values at all. Both give exactly the numbers of locating every
state afresh.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import numba
import numpy as np

from .approx import ApproxSettings, locate, order_parts, values
from .checks import check_choice, check_int
from .demand import check_generator
from .inventory import InventoryProblem, period_kernel
from .parallel import run_all
from .td import explore, greedy
from .tiles import TileCoder, cell_part, cell_parts


class Pairs(NamedTuple):
    """A fixed sample of (state, order) pairs and the futures that value them."""
    states: np.ndarray     # (pairs, L + 1): x, then u_1..u_L
    orders: np.ndarray     # (pairs,): an index into the problem's orders
    demands: np.ndarray    # (pairs, rollouts, horizon)
    uniforms: np.ndarray   # (pairs, rollouts, horizon): exploration


def draw_pairs(problem: InventoryProblem, rng, states=10, rollouts=40,
               horizon=100, x_range=(0.0, 40.0), u_range=(0.0, 20.0)) -> Pairs:
    """``states`` states with ``x`` and each ``u_i`` uniform on the given ranges
    (where the agents spend their time), each with every one of the problem's
    orders, and for each pair ``rollouts`` futures of ``horizon`` periods."""
    rng = check_generator(rng)
    n = check_int("states", states, 1)
    rollouts = check_int("rollouts", rollouts, 1)
    horizon = check_int("horizon", horizon, 1)
    L, m = problem.lead_time, len(problem.actions)
    s = np.empty((n, L + 1))
    s[:, 0] = rng.uniform(*x_range, n)
    s[:, 1:] = rng.uniform(*u_range, (n, L))
    states_ = np.repeat(s, m, axis=0)
    orders = np.tile(np.arange(m), n)
    demands = np.empty((n * m, rollouts, horizon))
    process = problem.new_demand()
    for i in range(n * m):
        for j in range(rollouts):
            process.reset()
            demands[i, j] = process.draw_many(rng, horizon)
    return Pairs(states_, orders, demands, rng.random((n * m, rollouts, horizon)))


@numba.njit(cache=True)
def _rollouts(weights, layout, parts, held, actions, model, position, states,
              orders, demands, uniforms, epsilon, returns, learned):
    """``held[i, j, k]``: the part of the index in tiling ``j`` of order ``k`` as
    the pipeline's entry ``u_(i+1)`` (empty for an agent that sees the position,
    which is located afresh)."""
    n, m = parts.shape
    discount = model[7]
    L = states.shape[1] - 1
    point = layout[0].copy()
    base = np.empty(n, np.int64)
    lowest = np.empty(n, np.int64)       # the lowest order's part (see locate)
    for g in range(n):
        lowest[g] = cell_part(layout, len(point) - 1, point[-1], g)
    table = np.empty((1, m))
    pipe, pipe2 = np.empty(L), np.empty(L)
    placed = np.empty(L, np.int64)       # the order in each entry (-1: drawn)
    for i in range(states.shape[0]):
        pipe[:] = states[i, 1:]
        locate(layout, states[i, 0], pipe, position, point, base)
        values(weights, base, parts, table)
        learned[i] = table[0, orders[i]]
        for j in range(demands.shape[1]):
            x = states[i, 0]
            pipe[:] = states[i, 1:]
            placed[:] = -1
            a = orders[i]
            total, weight = 0.0, 1.0
            for t in range(demands.shape[2]):
                x2, cost, done, terminal = period_kernel(x, pipe, actions[a],
                                                         demands[i, j, t], model,
                                                         pipe2)
                total += weight * cost
                if done:
                    total += weight * discount * terminal
                    break
                weight *= discount
                for q in range(L - 1):
                    placed[q] = placed[q + 1]
                placed[L - 1] = a
                u = uniforms[i, j, t]
                if u < epsilon:                  # td.choose, exploring
                    a = explore(m - 1, u, epsilon)
                else:
                    if position:
                        locate(layout, x2, pipe2, True, point, base)
                    else:                        # locate, with parts looked up
                        for g in range(n):
                            part = lowest[g] + cell_part(layout, 0, x2, g)
                            for q in range(L):
                                part += held[q, g, placed[q]] if placed[q] >= 0 \
                                    else cell_part(layout, 1 + q, pipe2[q], g)
                            base[g] = part
                    values(weights, base, parts, table)
                    a = greedy(table, 0, m - 1)
                x = x2
                pipe[:] = pipe2
            returns[i, j] = total


class ValueErrors(NamedTuple):
    learned: np.ndarray    # the agent's Q(s, a) per pair
    true: np.ndarray       # the Monte Carlo estimate of Q_pi(s, a)
    standard_error: np.ndarray

    @property
    def error(self) -> np.ndarray:
        """Learned minus true, per pair (positive: the agent over-estimates the
        cost)."""
        return self.learned - self.true


def value_errors(problem: InventoryProblem, settings: ApproxSettings,
                 coder: TileCoder, pairs: Pairs) -> ValueErrors:
    """The learned and the true values at ``pairs`` of the epsilon-greedy policy
    of ``coder``'s weights (an agent after training: the ``coder`` of its
    :class:`invlib.approx.AgentDraws`, whose weights training changed)."""
    actions = np.array(problem.actions, dtype=float)
    position = problem.agent_state == "position"
    held = np.zeros((0, coder.n_tilings, len(actions)), np.int64) if position \
        else np.array([cell_parts(coder.layout, 1 + i, actions)
                       for i in range(problem.lead_time)])
    returns = np.empty(pairs.demands.shape[:2])
    learned = np.empty(len(pairs.orders))
    _rollouts(coder.weights, coder.layout, order_parts(coder, actions), held,
              actions, problem.model, position, pairs.states, pairs.orders,
              pairs.demands, pairs.uniforms, settings.epsilon, returns, learned)
    se = returns.std(axis=1, ddof=1) / np.sqrt(returns.shape[1])
    return ValueErrors(learned, returns.mean(axis=1), se)


@functools.lru_cache(maxsize=4)
def _pairs(problem_name: str, pairs_seed: int, states: int, rollouts: int,
           horizon: int) -> Pairs:
    """A problem's pairs, drawn once per process: a worker measures many agents
    at the same pairs, and a few numbers travel to it instead of megabytes of
    demands and uniforms with every chunk of tasks."""
    from .approx import make_problem
    return draw_pairs(make_problem(problem_name), np.random.default_rng(pairs_seed),
                      states, rollouts, horizon)


def replayed_errors(problem_name: str, agent: str, repetition: int, seed: int,
                    pairs_seed: int, states: int, rollouts: int,
                    horizon: int) -> ValueErrors:
    """One (problem, agent, repetition) of the experiments: its training replayed
    (the same numbers as :func:`invlib.experiments.run_experiment`'s run, in the
    book's box), then :func:`value_errors` at the problem's pairs (in any
    process)."""
    from .approx import approx_settings, draw_agent, draw_environment, play
    from .experiments import experiment_problem, generators
    problem = experiment_problem(problem_name)
    env_rng, agent_rng = generators(problem_name, agent, repetition, seed)
    settings = approx_settings(agent, problem_name, problem)
    env = draw_environment(problem, env_rng)
    draws = draw_agent(problem, settings, agent_rng)
    play(problem, settings, env, draws)
    return value_errors(problem, settings, draws.coder,
                        _pairs(problem_name, pairs_seed, states, rollouts, horizon))


def agent_value_errors(problem_names, agents, repetitions: int, pairs_seed: int,
                       states: int = 10, rollouts: int = 40, horizon: int = 100,
                       seed: int | None = None, cluster: str = "serial") -> dict:
    """Per (problem, agent), the pooled :class:`ValueErrors` over
    ``repetitions`` runs of the experiment (:func:`replayed_errors`), measured
    at each problem's pairs ``draw_pairs(make_problem(name),
    np.random.default_rng(pairs_seed), states, rollouts, horizon)``: the same
    pairs for every agent. The runs go to ``cluster`` (:mod:`invlib.parallel`),
    the longest schedules first; the numbers do not depend on where they ran."""
    from .experiments import SEED, experiment_problem
    from .rumination import AGENTS
    seed = SEED if seed is None else check_int("seed", seed, 0)
    agents = tuple(dict.fromkeys(check_choice("agents", a, tuple(AGENTS))
                                 for a in agents))
    repetitions = check_int("repetitions", repetitions, 1)
    recipe = (check_int("pairs_seed", pairs_seed, 0), check_int("states", states, 1),
              check_int("rollouts", rollouts, 1), check_int("horizon", horizon, 1))
    names = list(dict.fromkeys(problem_names))
    schedule = {n: experiment_problem(n) for n in names}
    longest = sorted(names, key=lambda n: -schedule[n].episodes * schedule[n].periods)
    tasks = [(name, agent, rep, seed, *recipe) for name in longest
             for agent in agents for rep in range(repetitions)]
    found = {}

    def store(task, errors):
        found[task[:3]] = errors

    run_all(replayed_errors, tasks, store, cluster)
    return {(name, agent): ValueErrors(*(np.concatenate(f) for f in zip(
        *(found[name, agent, rep] for rep in range(repetitions)), strict=True)))
        for name in names for agent in agents}
