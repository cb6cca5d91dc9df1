"""Floors for P1 and P2: the lowest long-run cost per period a policy can reach,
exactly, on the discretised problem; a continuous-demand check by simulation;
and, for P3, a yardstick by simulation (:func:`s_S_yardstick`).

Discretisation. Demand Normal(10, 3) cut at 0 is rounded to the nearest integer:
``P(D = k) = Phi((k + 1/2 - mu) / sigma) - Phi((k - 1/2 - mu) / sigma)`` for
``k = 1 .. top - 1``, ``P(D = 0)`` takes everything below 1/2 (the cut included),
``P(D = top)`` everything from ``top - 1/2`` on. The probabilities are differences
of one increasing list that starts at 0 and ends at 1, so they telescope to one.
Levels are integers, orders the problem's (even) ones.

Reduction. With lead time 1, the period's cost and everything after it depend on
the state ``(x, u_1)`` only through the position ``y = x + u_1``: the level after
the period is ``x' = y - D`` and the next position ``x' + a``. So the MDP on the
positions ``y = x_min .. x_max + u_max`` (21 orders; 131 positions on
:data:`FLOOR_RANGE`, 371 on :data:`EXPLORING_RANGE`) loses nothing of the
*discretised* P1: the ~3700 pairs ``(x, u_1)`` only repeat it. It is an
approximation of the problem the agents play, whose demand is continuous:
:func:`simulate_long_run` plays the same policies with continuous demand, and
the best (s, S) policy costs a few cents more there than on the discretised
chain (P1: 37.07 against 37.03). P2 is P1 with K = 20 and Normal(10, 5) demand,
so the same reduction gives its floor.

Boundary. A level ``x'`` outside ``[x_min, x_max]`` is put back on the nearest
edge, so the chain stays finite; the period's cost is charged on the real
``x'``. The search for the best (s, S) pair runs on the levels of
:data:`FLOOR_RANGE` (131 positions, quick); every cost :class:`Floor` reports
is then evaluated on the wider :data:`EXPLORING_RANGE`, which the policies
leave with a probability below 1e-9 per period (``outside`` and
``exploring_outside`` report it), so the edge rule does not touch the numbers.
That matters for the policy that keeps exploring: random orders of up to 40
pile up, and it leaves :data:`FLOOR_RANGE` in about a period in a thousand;
the clipped chain's number is kept beside it (``exploring_clipped``) to show
the difference.

Cost. The floor is a *long-run average cost per period* (the unit of the
experiments' period costs), from the stationary distribution
(:func:`invlib.longrun.average_cost`). :func:`floor` gives the best (s, S)
policy (order up to ``S`` when ``y <= s``, in steps of 2, at most 40; the book
writes it (theta, T), as ``s`` is a state there) by a search over
``s = -10..40`` and ``S - s = 2..60``, every pair evaluated exactly, and the
optimal policy by relative value iteration (which matches the best pair on P1
and P2);
since the learners keep exploring, the cost of that optimal policy when 10% of
the orders are uniformly random (the *exploring optimum*: a yardstick for
exploring learners, not a bound on them, since a policy that is not optimal
can fare better than the optimal one under the same random orders); and,
since the learners estimate discounted costs (gamma = 0.9), the long-run cost
of the policy that is optimal for those (by :func:`invlib.dp.policy_iteration`).

Episodes. The agents are scored on 100-period episodes that start from the
problem's start distribution, not in the long run; :func:`episodic_cost` gives
a policy's mean cost per period over such episodes (simulated, continuous
demand, with a 95% interval), the yardstick to set beside their costs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numba
import numpy as np

from .checks import InvalidParameter, check_int, check_real
from .demand import NormalDemand, check_generator
from .dp import epsilon_greedy, policy_iteration, policy_matrix
from .inventory import ACTIONS, InventoryProblem, period_kernel, problem_p1
from .longrun import average_cost, stationary_distribution
from .mdp import FiniteMDP

STEP, LARGEST = ACTIONS[1], ACTIONS[-1]


def demand_pmf(mean=10.0, std=3.0, top=40) -> np.ndarray:
    """``P(D = k)``, ``k = 0..top``, of Normal(mean, std) cut at 0 and rounded."""
    top = check_int("top", top, 1)
    from scipy.stats import norm  # (slow to import; see mdp.py)
    edges = norm.cdf((np.arange(top) + 0.5 - check_real("mean", mean))
                     / check_real("std", std, 0, low_open=True))
    return np.diff(np.concatenate(([0.0], edges, [1.0])))


def _check_problem(problem: InventoryProblem) -> None:
    whole = [*problem.x_range, problem.u_max]
    if problem.lead_time != 1 or problem.demand != "normal" or \
            problem.actions != ACTIONS or any(not float(v).is_integer() for v in whole):
        raise InvalidParameter("problem must have lead_time 1, normal demand, the "
                               "orders 0, 2, ..., 40 and whole-numbered bounds for "
                               "the floor")


#: The levels of the chain on which the best (s, S) pair is searched (at most):
#: the learners' box can be far wider (invlib.inventory.BOXES), but the good
#: (s, S) policies rarely leave this one, and the search evaluates thousands of
#: pairs, each quicker on 131 positions.
FLOOR_RANGE = (-30.0, 60.0)

#: The levels of the chain on which the floor's costs are evaluated: wide
#: enough that even the exploring optimum leaves them with a probability below
#: 1e-9 per period (``Floor.exploring_outside``), which :data:`FLOOR_RANGE` is
#: not (a chain on the learners' whole box would have thousands of states for
#: the same numbers).
EXPLORING_RANGE = (-80.0, 250.0)


def floor_problem(problem: InventoryProblem, levels=FLOOR_RANGE) -> InventoryProblem:
    """``problem`` with its box clipped to ``levels`` (:data:`FLOOR_RANGE`)."""
    x_min, x_max = problem.x_range
    return replace(problem, x_range=(max(x_min, levels[0]),
                                     min(x_max, levels[1])))


def position_mdp(problem: InventoryProblem = None, top=40,
                 levels=FLOOR_RANGE) -> FiniteMDP:
    """The discretised problem as an MDP on positions (see the module docstring),
    its levels clipped to ``levels`` (:data:`FLOOR_RANGE`); ``states`` holds the
    positions, action ``k`` is ``problem.actions[k]``."""
    problem = floor_problem(problem_p1() if problem is None else problem, levels)
    _check_problem(problem)
    x_min, x_max = (int(v) for v in problem.x_range)
    positions = np.arange(x_min, x_max + int(problem.u_max) + 1)
    orders = np.array(problem.actions, dtype=int)
    pmf = demand_pmf(*problem.demand_params, top=top)
    demand = np.arange(len(pmf))
    level = positions[:, None] - demand[None, :]               # x' for each (y, D)
    expected = (problem.h * np.maximum(level, 0)
                + problem.p * np.maximum(-level, 0)) @ pmf             # E[h x'+ + p x'-]
    # where each (y, D) lands, as an index of the level x' put back in the box
    landing = np.clip(level, x_min, x_max) - x_min
    levels = np.zeros((len(positions), x_max - x_min + 1))
    for d, prob in enumerate(pmf):
        np.add.at(levels, (np.arange(len(positions)), landing[:, d]), prob)
    transition = np.zeros((len(positions), len(orders), len(positions)))
    for k, a in enumerate(orders):
        transition[:, k, a:a + levels.shape[1]] = levels      # y' = x' + a
    cost = problem.K * (orders > 0) + problem.c * orders + expected[:, None]
    return FiniteMDP(positions, transition, cost, np.ones(cost.shape, dtype=bool),
                     problem.discount)


@numba.njit(cache=True)
def s_S_order(y, s, S, step, largest):
    """The (s, S) rule: if ``y <= s``, the largest multiple of ``step`` that does
    not lift the position above ``S`` (at most ``largest``), else 0."""
    if y > s:
        return 0.0
    return min(largest, step * math.floor((S - y) / step))


@numba.njit(cache=True)
def _s_S_actions(positions, s, S, step, largest, out):
    for i in range(len(positions)):
        out[i] = int(s_S_order(positions[i], s, S, step, largest) / step)


def s_S_policy(mdp: FiniteMDP, s: int, S: int) -> np.ndarray:
    """The (s, S) rule as an action index per position of ``mdp`` (order
    ``2 k`` is action ``k``)."""
    out = np.empty(mdp.n_states, dtype=np.int64)
    _s_S_actions(mdp.states.astype(float), float(s), float(S), STEP, LARGEST, out)
    return out


def outside_probability(problem: InventoryProblem, mdp: FiniteMDP, policy,
                        top=40, levels=FLOOR_RANGE) -> float:
    """Long-run probability per period that the level leaves ``[x_min, x_max]``
    (``policy`` as for :func:`invlib.dp.policy_matrix`), the box clipped to
    ``levels`` as the chain ``mdp`` is (:func:`position_mdp`)."""
    problem = floor_problem(problem, levels)
    mu = stationary_distribution(policy_matrix(mdp, policy)[0])
    pmf = demand_pmf(*problem.demand_params, top=top)
    level = mdp.states[:, None] - np.arange(len(pmf))[None, :]
    out = (level < problem.x_range[0]) | (level > problem.x_range[1])
    return float(max(0.0, mu @ (out @ pmf)))


def relative_value_iteration(mdp: FiniteMDP, tol=1e-9, max_iter=100_000):
    """Optimal long-run cost per period and a policy achieving it (the greedy
    policy once the differences of the relative values settle within ``tol``)."""
    h = np.zeros(mdp.n_states)
    for _ in range(max_iter):
        q = mdp.cost + mdp.transition @ h
        new = q.min(axis=1)
        diff = new - h
        if diff.max() - diff.min() < tol:
            return float(diff.mean()), np.argmin(q, axis=1)
        h = new - new[0]
    raise RuntimeError(f"relative value iteration did not settle in {max_iter} steps")


@dataclass(frozen=True)
class Floor:
    s: int
    S: int
    s_S_cost: float           # long-run cost per period of the best (s, S) policy
    optimal_cost: float       # of the optimal policy
    optimal_orders: np.ndarray  # the optimal order per position
    positions: np.ndarray
    outside: float            # P(level leaves EXPLORING_RANGE) per period,
                              # best (s, S) policy
    exploring_cost: float     # the optimal policy with 10% random orders, on
                              # the chain of EXPLORING_RANGE
    exploring_outside: float  # ... and how often it leaves EXPLORING_RANGE
    discounted_cost: float    # long-run cost per period of the policy that is
                              # optimal for the discounted cost (what Q estimates)
    exploring_clipped: float  # the exploring optimum on the chain clipped to
                              # FLOOR_RANGE (which it leaves: clipped_outside)
    clipped_outside: float
    epsilon: float            # the share of random orders of exploring_cost


def s_S_costs(mdp: FiniteMDP, s: int, widths) -> np.ndarray:
    """Long-run cost per period of the (s, s + width) policies, exactly: each
    chain's stationary distribution ``mu (I - P) = 0, sum(mu) = 1`` from one batched
    solve. (An (s, S) chain has one recurrent class: the position falls to ``s``
    and jumps back near ``S`` from anywhere; :func:`best_s_S` checks the winner
    with the general :func:`invlib.longrun.average_cost`.)"""
    rows = np.arange(mdp.n_states)
    policies = np.array([s_S_policy(mdp, s, s + w) for w in widths])
    P = mdp.transition[rows, policies]                     # (len(widths), S, S)
    A = np.eye(mdp.n_states) - P.transpose(0, 2, 1)
    A[:, -1, :] = 1.0                  # one balance equation gives way to the sum
    b = np.zeros(mdp.n_states)
    b[-1] = 1.0
    mu = np.linalg.solve(A, np.broadcast_to(b, (len(widths), mdp.n_states))[..., None])
    return np.einsum("ks,ks->k", mu[..., 0], mdp.cost[rows, policies])


def best_s_S(mdp: FiniteMDP, s_range=None, widths=None) -> tuple[int, int, float]:
    """The (s, S) pair of least long-run cost per period, every pair evaluated
    exactly; by default ``s`` over the levels -10..40 and ``S - s`` over 2..60."""
    s_range = range(-10, 41) if s_range is None else s_range
    widths = np.arange(2, 61) if widths is None else np.asarray(widths)
    best = (None, None, np.inf)
    for s in s_range:
        costs = s_S_costs(mdp, s, widths)
        k = int(np.argmin(costs))
        if costs[k] < best[2]:
            best = (s, s + int(widths[k]), float(costs[k]))
    s, S, cost = best
    check = average_cost(mdp, s_S_policy(mdp, s, S))
    assert abs(check - cost) < 1e-9 * cost, (check, cost)
    return s, S, check


def floor(problem: InventoryProblem = None, epsilon=0.1, top=40) -> Floor:
    """The floor of a problem (P1 by default): see the module docstring. The
    best (s, S) pair is searched on the chain of :data:`FLOOR_RANGE`; every
    cost is evaluated on the chain of :data:`EXPLORING_RANGE`."""
    problem = problem_p1() if problem is None else problem
    mdp = position_mdp(problem, top)
    s, S, _ = best_s_S(mdp)
    wide = position_mdp(problem, top, EXPLORING_RANGE)
    optimal, orders = relative_value_iteration(wide)
    exact = average_cost(wide, orders)
    assert abs(exact - optimal) < 1e-6, (exact, optimal)
    rule = s_S_policy(wide, s, S)
    exploring = epsilon_greedy(wide, orders, epsilon)
    clipped = epsilon_greedy(mdp, relative_value_iteration(mdp)[1], epsilon)

    def outside(mdp_, policy, levels):
        return outside_probability(problem, mdp_, policy, top, levels)

    return Floor(s, S, average_cost(wide, rule), exact,
                 np.array(problem.actions)[orders], wide.states,
                 outside(wide, rule, EXPLORING_RANGE),
                 average_cost(wide, exploring),
                 outside(wide, exploring, EXPLORING_RANGE),
                 average_cost(wide, policy_iteration(wide).policy),
                 average_cost(mdp, clipped),
                 outside(mdp, clipped, FLOOR_RANGE), epsilon)


@numba.njit(cache=True)
def _simulate(x, pipeline, s, S, step, largest, demands, model, costs):
    x_min, x_max = model[4], model[5]
    for t in range(len(demands)):
        a = s_S_order(x + pipeline.sum(), s, S, step, largest)
        x, costs[t], _, _ = period_kernel(x, pipeline, a, demands[t], model, pipeline)
        x = min(max(x, x_min), x_max)         # the floor's edge rule


def simulate_s_S(problem: InventoryProblem, s, S, rng, periods, discrete=True,
                 top=40, start=(0.0, 0.0)) -> np.ndarray:
    """Costs of ``periods`` periods of the (s, S) policy on ``problem``, demand from
    ``rng`` (rounded and capped at ``top`` if ``discrete``, as the floor's model)."""
    problem = floor_problem(problem)
    _check_problem(problem)
    demands = NormalDemand(*problem.demand_params).draw_many(rng, periods)
    if discrete:
        demands = np.minimum(np.rint(demands), top)
    costs = np.empty(check_int("periods", periods, 1))
    _simulate(float(start[0]), np.array([float(start[1])]), float(s), float(S), STEP,
              LARGEST, demands, problem.model, costs)
    return costs


@numba.njit(cache=True)
def _play_s_S(starts, demands, uniforms, s, S, epsilon, actions, model, costs,
              ended):
    step, largest = actions[1] - actions[0], actions[-1]
    for e in range(len(starts)):
        x, pipeline = starts[e, 0], starts[e, 1:].copy()
        for t in range(demands.shape[1]):
            if uniforms[e, t, 0] < epsilon:
                a = actions[int(uniforms[e, t, 1] * len(actions))]
            else:
                a = s_S_order(x + pipeline.sum(), s, S, step, largest)
            x, costs[e, t], done, _ = period_kernel(x, pipeline, a,
                                                    demands[e, t], model,
                                                    pipeline)
            if done:
                ended[e] = True
                break


def play_s_S(problem: InventoryProblem, s, S, starts, demands, rng,
             epsilon=0.1) -> tuple[float, np.ndarray]:
    """Play the (s, S) policy (order up to ``S`` when the position
    ``x + sum(u)`` is ``s`` or below; the book's (theta, T)) on given episodes,
    as the learners play them: from the start states ``starts`` (one row
    ``(x, u_1, ..., u_L)`` per episode) with the demands ``demands`` (episodes x
    periods), an :class:`invlib.approx.Environment`'s fields; with probability
    ``epsilon`` an order is drawn uniformly from the problem's orders instead
    (uniforms from ``rng``), and an episode ends where the state leaves the box.
    Returns the mean cost per period played and, per episode, whether it ended
    early. Works for any lead time and demand."""
    starts = np.asarray(starts, dtype=float)
    demands = np.asarray(demands, dtype=float)
    epsilon = check_real("epsilon", epsilon, 0, 1)
    if starts.shape != (len(demands), problem.lead_time + 1):
        raise InvalidParameter("starts must hold one (x, u_1, ..., u_L) per "
                               "episode of demands")
    uniforms = check_generator(rng).random(demands.shape + (2,))
    costs = np.full(demands.shape, np.nan)
    ended = np.zeros(len(demands), dtype=np.bool_)
    _play_s_S(starts, demands, uniforms, float(s), float(S), epsilon,
              np.array(problem.actions, dtype=float), problem.model, costs,
              ended)
    return float(np.nanmean(costs)), ended


def best_s_S_played(problem: InventoryProblem, starts, demands,
                    s_range=range(-10, 61, 2), widths=range(2, 61, 2)):
    """A good fixed policy for a problem without an exact floor (P2, P3): of the
    (s, S) pairs, played on the given episodes without exploration, those that
    end the fewest episodes early (some starts leave the box whatever the
    policy), and of these the one of least mean cost per period. Returns
    ``(s, S, cost, share of episodes ended early)``."""
    rng = np.random.default_rng(0)      # unused: no exploration
    best = (None, None, np.inf, np.inf)
    for s in s_range:
        for width in widths:
            cost, ended = play_s_S(problem, s, s + width, starts, demands, rng,
                                   epsilon=0.0)
            if (ended.mean(), cost) < (best[3], best[2]):
                best = (s, s + width, cost, float(ended.mean()))
    return best


@dataclass(frozen=True)
class Yardstick:
    """A good fixed (s, S) policy's cost per period on fresh episodes, with 95%
    confidence intervals (over independent episodes), greedy and exploring."""
    s: int
    S: int
    cost: float
    cost_interval: tuple
    exploring_cost: float     # with the agents' share of random orders
    exploring_interval: tuple
    ended: float              # share of the fresh episodes that ended early,
    exploring_ended: float    # without and with exploration
    episodes: int


def _interval(episode_means: np.ndarray) -> tuple[float, tuple]:
    mean = float(episode_means.mean())
    half = 1.96 * float(episode_means.std(ddof=1)) / math.sqrt(len(episode_means))
    return mean, (mean - half, mean + half)


def _play_episodes(problem: InventoryProblem, env, s, S, epsilon, rng):
    """The (s, S) policy with ``epsilon`` random orders on the episodes of
    ``env`` (uniforms from ``rng``): the mean cost per period played, its 95%
    interval over the episodes, and the share of episodes that ended early."""
    uniforms = rng.random(env.demands.shape + (2,))
    costs = np.full(env.demands.shape, np.nan)
    ended = np.zeros(len(env.demands), dtype=np.bool_)
    _play_s_S(env.starts, env.demands, uniforms, float(s), float(S),
              float(epsilon), np.array(problem.actions, dtype=float),
              problem.model, costs, ended)
    return (*_interval(np.nanmean(costs, axis=1)), float(ended.mean()))


def _fresh_episodes(problem: InventoryProblem, episodes: int, rng):
    from .approx import draw_environment
    fresh = replace(problem, episodes=episodes,
                    early_window=min(problem.early_window,
                                     episodes * problem.periods))
    return draw_environment(fresh, rng)


def s_S_yardstick(problem: InventoryProblem, search, rng, episodes=4000,
                  epsilon=0.1) -> Yardstick:
    """For a problem without an exact floor (P3): the (s, S) policy of
    :func:`best_s_S_played` on the episodes ``search`` (an
    :class:`invlib.approx.Environment`, e.g. the agents' first repetition), then
    its cost per period on ``episodes`` fresh episodes drawn from ``rng``, so
    the interval is not flattered by the search. Episodes are independent (each
    a fresh start and demand process), so the interval comes from the episodes'
    mean costs. Works for any problem."""
    episodes = check_int("episodes", episodes, 2)
    s, S, _, _ = best_s_S_played(problem, search.starts, search.demands)
    env = _fresh_episodes(problem, episodes, check_generator(rng))
    (cost, ci, ended), (e_cost, e_ci, e_ended) = (
        _play_episodes(problem, env, s, S, eps, rng) for eps in (0.0, epsilon))
    return Yardstick(s, S, cost, ci, e_cost, e_ci, ended, e_ended, episodes)


@dataclass(frozen=True)
class Simulated:
    """A policy's mean cost per period by simulation, with continuous demand."""
    cost: float
    interval: tuple           # 95% confidence interval, over independent runs
    outside: float            # share of the periods (long run) or of the
                              # episodes (episodic) that left the box
    runs: int                 # independent chains or episodes


def episodic_cost(problem: InventoryProblem, s, S, rng, episodes=20_000,
                  epsilon=0.1) -> Simulated:
    """The (s, S) policy with ``epsilon`` random orders on ``episodes`` fresh
    episodes of the problem's length, each from the problem's start
    distribution with its own demand (continuous, as the agents meet it): the
    mean cost per period, the yardstick for agents scored on such episodes, with
    a 95% interval over the episodes, and the share that ended early."""
    from .approx import Environment
    episodes = check_int("episodes", episodes, 2)
    rng = check_generator(rng)
    if isinstance(problem.new_demand(), NormalDemand):
        # independent demands: one draw for all the episodes, the same law as
        # a fresh process per episode, and quicker
        low, high = np.array(problem.start).T
        starts = rng.uniform(low, high, size=(episodes, len(low)))
        demands = problem.new_demand().draw_many(rng, episodes * problem.periods)
        env = Environment(starts, demands.reshape(episodes, problem.periods))
    else:
        env = _fresh_episodes(problem, episodes, rng)
    return Simulated(*_play_episodes(problem, env, s, S, epsilon, rng),
                     episodes)


@numba.njit(cache=True)
def _long_run(s, S, epsilon, actions, model, lead_time, demands, uniforms,
              warmup, means, outside):
    step, largest = actions[1] - actions[0], actions[-1]
    x_min, x_max = model[4], model[5]
    for r in range(demands.shape[0]):
        x, pipeline = S, np.zeros(lead_time)
        total = 0.0
        for t in range(demands.shape[1]):
            if uniforms[r, t, 0] < epsilon:
                a = actions[int(uniforms[r, t, 1] * len(actions))]
            else:
                a = s_S_order(x + pipeline.sum(), s, S, step, largest)
            x, cost, done, _ = period_kernel(x, pipeline, a, demands[r, t],
                                             model, pipeline)
            if done:
                outside[r] += 1
                x = min(max(x, x_min), x_max)     # the floor's edge rule
            if t >= warmup:
                total += cost
        means[r] = total / (demands.shape[1] - warmup)


def simulate_long_run(problem: InventoryProblem, s, S, rng, epsilon=0.1,
                      chains=200, periods=20_000, warmup=200) -> Simulated:
    """The long-run cost per period of the (s, S) policy with ``epsilon``
    random orders on ``problem`` with its own continuous demand (the floor's
    chain rounds it): ``chains`` independent runs from ``x = S`` and an empty
    pipeline, each ``warmup`` periods and then ``periods`` counted. The
    interval is over the chains' means; ``outside`` is the share of the periods
    that left the problem's box (the level is then put back on its edge)."""
    chains = check_int("chains", chains, 2)
    periods = check_int("periods", periods, 1)
    warmup = check_int("warmup", warmup, 0)
    rng = check_generator(rng)
    process = problem.new_demand()
    demands = np.empty((chains, warmup + periods))
    for r in range(chains):
        process.reset()
        demands[r] = process.draw_many(rng, warmup + periods)
    uniforms = rng.random((chains, warmup + periods, 2))
    means, outside = np.empty(chains), np.zeros(chains)
    _long_run(float(s), float(S), check_real("epsilon", epsilon, 0, 1),
              np.array(problem.actions, dtype=float), problem.model,
              problem.lead_time, demands, uniforms, warmup, means, outside)
    return Simulated(*_interval(means),
                     float(outside.sum() / (chains * (warmup + periods))),
                     chains)
