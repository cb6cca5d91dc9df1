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
true one, and the Monte Carlo standard error of each estimate.
"""
from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from .approx import ApproxSettings, locate, order_parts, values
from .checks import check_int
from .demand import check_generator
from .inventory import InventoryProblem, period_kernel
from .td import choose
from .tiles import TileCoder


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
def _rollouts(weights, layout, parts, actions, model, position, states, orders,
              demands, uniforms, epsilon, returns, learned):
    n, m = parts.shape
    discount = model[7]
    L = states.shape[1] - 1
    point = layout[0].copy()
    base = np.empty(n, np.int64)
    table = np.empty((1, m))
    pipe, pipe2 = np.empty(L), np.empty(L)
    for i in range(states.shape[0]):
        pipe[:] = states[i, 1:]
        locate(layout, states[i, 0], pipe, position, point, base)
        values(weights, base, parts, table)
        learned[i] = table[0, orders[i]]
        for j in range(demands.shape[1]):
            x = states[i, 0]
            pipe[:] = states[i, 1:]
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
                locate(layout, x2, pipe2, position, point, base)
                values(weights, base, parts, table)
                a = choose(table, 0, m - 1, uniforms[i, j, t], epsilon)
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
    returns = np.empty(pairs.demands.shape[:2])
    learned = np.empty(len(pairs.orders))
    _rollouts(coder.weights, coder.layout, order_parts(coder, actions), actions,
              problem.model, problem.agent_state == "position", pairs.states,
              pairs.orders, pairs.demands, pairs.uniforms, settings.epsilon,
              returns, learned)
    se = returns.std(axis=1, ddof=1) / np.sqrt(returns.shape[1])
    return ValueErrors(learned, returns.mean(axis=1), se)


def agent_value_errors(problem_name: str, agents, repetitions: int, pairs: Pairs,
                       seed: int | None = None) -> dict:
    """Per agent, the pooled :class:`ValueErrors` over ``repetitions`` runs of the
    experiment (the same runs as :func:`invlib.experiments.run_experiment`'s, in
    the book's box), measured at ``pairs``."""
    from .approx import approx_settings, draw_agent, draw_environment, play
    from .experiments import SEED, experiment_problem, generators
    seed = SEED if seed is None else seed
    problem = experiment_problem(problem_name)
    out = {}
    for agent in agents:
        parts = []
        for rep in range(check_int("repetitions", repetitions, 1)):
            env_rng, agent_rng = generators(problem_name, agent, rep, seed)
            settings = approx_settings(agent, problem_name, problem)
            env = draw_environment(problem, env_rng)
            draws = draw_agent(problem, settings, agent_rng)
            play(problem, settings, env, draws)
            parts.append(value_errors(problem, settings, draws.coder, pairs))
        out[agent] = ValueErrors(*(np.concatenate(f) for f in zip(*parts, strict=True)))
    return out
