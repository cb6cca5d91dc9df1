"""Score learning agents against the exact optimum.

Dynamic programming knows the best long-run cost per day, so a learned policy can
be scored by its *gap*: how much more a day costs under it, exactly (not from a
noisy simulation). :func:`seed_sweep` does that over many seeds,
:func:`learning_curve` as training proceeds, and :func:`exact_score` for a policy
from anywhere: a function of the observation (a Gymnasium agent's), an order per
state, or the greedy policy of any Q-table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from .agents import Agent, AgentSettings
from .bikeshop import BikeShop, start_distribution
from .checks import InvalidParameter, check_choice
from .dp import (
    epsilon_greedy,
    epsilon_greedy_values,
    greedy_policy,
    policy_iteration,
    policy_matrix,
)
from .longrun import average_cost, stationary_distribution
from .mdp import FiniteMDP, bike_shop_mdp
from .parallel import run_all
from .simulate import as_generator

#: At most this many policies' exact costs are kept by a :class:`Benchmark`.
COST_CACHE = 4096


@dataclass(frozen=True)
class Benchmark:
    """A shop with its exact optimum, computed once."""
    shop: BikeShop
    mdp: FiniteMDP
    optimal_policy: np.ndarray
    optimal_cost: float          # long-run cost per day of the optimal policy
    # policy bytes -> cost: a learning curve scores the same greedy policy
    # again and again once it settles, and each exact score takes a
    # millisecond; left out of copies sent to other processes
    _costs: dict = field(default_factory=dict, compare=False, repr=False)

    def cost(self, policy) -> float:
        """Exact long-run cost per day of ``policy`` (from the article's random
        start, which matters only for policies that can get stuck)."""
        policy = np.asarray(policy)
        key = (policy.dtype.str, policy.shape, policy.tobytes())
        if key not in self._costs:
            if len(self._costs) >= COST_CACHE:
                self._costs.clear()
            self._costs[key] = average_cost(self.mdp, policy,
                                            start_distribution(self.shop))
        return self._costs[key]

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_costs": {}}

    def gap(self, policy) -> float:
        """Extra cost per day over the optimum, as a fraction."""
        return self.cost(policy) / self.optimal_cost - 1


def benchmark(shop: BikeShop) -> Benchmark:
    mdp = bike_shop_mdp(shop)
    policy = policy_iteration(mdp).policy
    return Benchmark(shop, mdp, policy,
                     average_cost(mdp, policy, start_distribution(shop)))


@dataclass(frozen=True)
class ExactScore:
    """A policy's exact long-run cost per day against the optimum."""
    policy: np.ndarray           # the order in each state of ``shop.states``
    average_cost: float          # long-run cost per day, $ (article's random start)
    optimal_cost: float          # the same for the optimal policy

    @property
    def gap(self) -> float:
        """Extra cost per day over the optimum, as a fraction."""
        return self.average_cost / self.optimal_cost - 1


def greedy_orders(shop: BikeShop, q_table, values: str) -> np.ndarray:
    """The greedy order per state of any Q-table over the bike shop, shaped
    ``(n_states, C + 1)`` (rows in the order of ``shop.states``, as invlib's
    agents keep them) or ``(C + 1, C + 1, C + 1)`` indexed ``[on_hand, on_order,
    order]``. ``values`` says what the table holds: ``"rewards"`` (higher is
    better: Gymnasium agents) or ``"costs"`` (lower is better: invlib's agents).
    Only orders that fit count; ties go to the smallest order."""
    check_choice("values", values, ("rewards", "costs"))
    C, states = shop.capacity, shop.states
    q = np.asarray(q_table, dtype=float)
    if q.shape == (C + 1, C + 1, C + 1):
        q = q[states[:, 0], states[:, 1]]
    if q.shape != (len(states), C + 1):
        raise InvalidParameter(f"q_table must have shape ({len(states)}, {C + 1}) or "
                               f"({C + 1}, {C + 1}, {C + 1}) for capacity {C}, got "
                               f"{q.shape}")
    costs = q if values == "costs" else -q
    fits = np.arange(C + 1)[None, :] <= (C - states.sum(axis=1))[:, None]
    if np.isnan(costs[fits]).any():
        raise InvalidParameter("q_table holds NaN for an order that fits")
    return greedy_policy(np.where(fits, costs, np.inf))


def _orders_of(shop: BikeShop, policy) -> np.ndarray:
    """An order per state from a callable or an array, every one checked."""
    states = shop.states
    if callable(policy):
        orders = []
        for on_hand, on_order in states:
            order = policy(np.array([on_hand, on_order], dtype=np.int64))
            order = np.asarray(order).squeeze()
            if order.shape != () or not float(order).is_integer():
                raise InvalidParameter(f"policy must return a whole number of bikes, "
                                       f"got {order!r} in state ({on_hand}, "
                                       f"{on_order})")
            orders.append(int(order))
        orders = np.array(orders, dtype=np.int64)
    else:
        orders = np.asarray(policy)
        if orders.shape != (len(states),):
            raise InvalidParameter(f"policy must be a function of the observation "
                                   f"(on_hand, on_order) or one order per state "
                                   f"({len(states)}), got shape {orders.shape}")
        if orders.dtype.kind not in "iuf" or not np.all(np.isfinite(orders)) \
                or np.any(orders != np.round(orders)):
            raise InvalidParameter("policy must give whole numbers of bikes, "
                                   f"from 0 to {shop.capacity}")
        orders = orders.astype(np.int64)
    room = shop.capacity - states.sum(axis=1)
    bad = np.flatnonzero((orders < 0) | (orders > room))
    if len(bad):
        i = bad[0]
        raise InvalidParameter(
            f"policy orders {orders[i]} in state ({states[i, 0]}, {states[i, 1]}), "
            f"where orders 0..{room[i]} fit (capacity {shop.capacity}); "
            f"{len(bad)} of {len(states)} states have such an order")
    return orders


def exact_score(shop: BikeShop | Benchmark, policy=None, *, q_table=None,
                values: str | None = None) -> ExactScore:
    """Score a policy exactly: its long-run cost per day (from the article's
    random start) and its gap to the optimum.

    Give either ``policy`` - a function from the observation
    ``array([on_hand, on_order])`` to an order (a Gymnasium agent's greedy
    choice), or one order per state of ``shop.states`` - or ``q_table`` with
    ``values`` (see :func:`greedy_orders`). An order that does not fit in some
    state is an error, not clipped: the score is of the policy as written.
    ``shop`` may be a :class:`Benchmark`, to reuse its optimum."""
    bench = shop if isinstance(shop, Benchmark) else benchmark(shop)
    if (policy is None) == (q_table is None):
        raise InvalidParameter("give exactly one of policy and q_table")
    if q_table is not None:
        if values is None:
            raise InvalidParameter("values must be 'rewards' (higher is better) or "
                                   "'costs' (lower is better) with a q_table")
        orders = greedy_orders(bench.shop, q_table, values)
    else:
        orders = _orders_of(bench.shop, policy)
    return ExactScore(orders, bench.cost(orders), bench.optimal_cost)


@dataclass(frozen=True)
class Sweep:
    gaps: np.ndarray              # per seed, fraction above the optimum
    policies: np.ndarray          # (seeds, states) greedy orders
    seconds: np.ndarray           # training loop per seed
    learning_costs: np.ndarray    # mean cost per period paid while learning
    episode_costs: np.ndarray     # (seeds, episodes) mean cost per period
    tables: np.ndarray            # (seeds, states, orders) learned values
    rumination_rates: np.ndarray  # per seed, share of periods with rumination
    imagined_per_day: np.ndarray  # per seed, imagined updates per period
    # with ``every`` (see seed_sweep): the trace of each seed's training
    steps: np.ndarray | None = None        # days trained at each checkpoint
    curves: np.ndarray | None = None       # (seeds, checkpoints) exact gaps
    rate_curves: np.ndarray | None = None  # (seeds, chunks) share ruminated

    @property
    def median_gap(self) -> float:
        return float(np.median(self.gaps))


def _one_seed(key, bench: Benchmark, settings: AgentSettings, seed, every, score):
    """One seed of :func:`seed_sweeps` (in any process): its training and, with
    ``every``, its trace. ``key`` only tells the caller where it goes."""
    if every is None:
        return Agent(bench.shop, settings, seed).train().result(), None
    trace = training_trace(bench, settings, seed, every, score)
    return trace.pop("training"), trace


def seed_sweep(bench: Benchmark, settings: AgentSettings, seeds, progress=False, *,
               every: int | None = None, score: bool = True,
               cluster: str = "serial") -> Sweep:
    """Train once per seed and score each greedy policy exactly.

    With ``every``, each seed is trained in chunks of ``every`` episodes (the
    same training as in one call) and traced as :func:`training_trace` does:
    the sweep's ``steps``, ``curves`` (the exact gaps; NaN with
    ``score=False``, which skips scoring the checkpoints) and ``rate_curves``.
    The seeds are independent jobs on ``cluster`` (:mod:`invlib.parallel`):
    the numbers are the same on any cluster, bit for bit."""
    return seed_sweeps(bench, {"": settings}, seeds, progress, every=every,
                       score=score, cluster=cluster)[""]


def seed_sweeps(bench: Benchmark, schemes: dict, seeds, progress=False, *,
                every=None, score: bool = True, cluster: str = "serial") -> dict:
    """:func:`seed_sweep` of several schemes (name -> settings) at once, every
    (scheme, seed) an independent job on ``cluster``, so one cluster serves
    them all; ``every`` is one number for all or a dict name -> every.
    Returns name -> :class:`Sweep`."""
    seeds = list(seeds)
    everies = every if isinstance(every, dict) else dict.fromkeys(schemes, every)
    done = {}

    def store(task, result):
        done[task[0]] = result

    tasks = [((name, i), bench, settings, seed, everies[name], score)
             for name, settings in schemes.items() for i, seed in enumerate(seeds)]
    with tqdm(total=len(tasks), disable=not progress, leave=False) as bar:
        run_all(_one_seed, tasks, store, cluster, bar)
    return {name: _sweep([done[name, i] for i in range(len(seeds))], bench)
            for name in schemes}


def _sweep(done: list, bench: Benchmark) -> Sweep:
    """A :class:`Sweep` of each seed's (training, trace or None)."""
    results = [r for r, _ in done]
    traces = [t for _, t in done]
    traced = {} if traces[0] is None else {
        "steps": traces[0]["steps"],
        "curves": np.array([t["gaps"] for t in traces]),
        "rate_curves": np.array([t["rumination_rates"] for t in traces])}
    return Sweep(np.array([bench.gap(r.policy) for r in results]),
                 np.array([r.policy for r in results]),
                 np.array([r.seconds for r in results]),
                 np.array([r.learning_cost for r in results]),
                 np.array([r.episode_costs for r in results]),
                 np.array([r.q for r in results]),
                 np.array([r.rumination_rate for r in results]),
                 np.array([r.imagined_updates / r.steps for r in results]),
                 **traced)


def training_trace(bench: Benchmark, settings: AgentSettings, seed, every: int = 10,
                   score: bool = True):
    """Train in chunks of ``every`` episodes (the same training as in one call) and
    record after each: ``steps`` so far, the exact ``gaps`` of the greedy policy
    (also at the start; NaN with ``score=False``, which saves the exact scoring,
    the larger part of the work when ``every`` is small), and the
    ``rumination_rates`` within the chunk; ``training`` is the whole training's
    result."""
    agent = Agent(bench.shop, settings, seed)

    def gap():
        return bench.gap(agent.policy) if score else np.nan

    steps, gaps, rates = [0], [gap()], []
    while agent.episodes_done < settings.episodes:
        before = agent.counts[0]
        chunk = min(every, settings.episodes - agent.episodes_done)
        agent.train(chunk)
        steps.append(agent.episodes_done * settings.steps)
        gaps.append(gap())
        rates.append((agent.counts[0] - before) / (chunk * settings.steps))
    return {"steps": np.array(steps), "gaps": np.array(gaps),
            "rumination_rates": np.array(rates), "training": agent.result()}


def learning_curve(bench: Benchmark, settings: AgentSettings, seed, every: int = 10):
    """Gap of the greedy policy after every ``every`` episodes (and at the start):
    ``(steps, gaps)``."""
    trace = training_trace(bench, settings, seed, every)
    return trace["steps"], trace["gaps"]


def learning_curves(bench: Benchmark, settings: AgentSettings, seeds, every: int = 10,
                    progress=False, cluster: str = "serial"):
    """:func:`learning_curve` for several seeds: ``(steps, gaps[seed, checkpoint])``
    (the seeds on ``cluster``, as in :func:`seed_sweep`)."""
    sweep = seed_sweep(bench, settings, seeds, progress, every=every, cluster=cluster)
    return sweep.steps, sweep.curves


def steps_to_reach(steps: np.ndarray, gaps: np.ndarray, within: float = 0.01) -> float:
    """First checkpoint from which the gap stays within ``within`` (inf if never)."""
    above = np.flatnonzero(gaps > within)
    if len(above) == 0:
        return float(steps[0])
    if above[-1] == len(gaps) - 1:
        return float("inf")
    return float(steps[above[-1] + 1])


def value_error(bench: Benchmark, tables, exact=None, epsilon: float = 0.1) -> np.ndarray:
    """How far learned tables are from exact values, one number per table: the mean
    relative error over the feasible orders of each state, averaged over states
    weighted by how often the shop is in them when it follows the optimal policy
    while exploring with probability ``epsilon``. ``exact`` defaults to the values
    the SARSA family aims at, ``epsilon_greedy_values(mdp, epsilon)``; the error
    is in the states the shop actually visits, where it matters."""
    mdp, feasible = bench.mdp, bench.mdp.feasible
    exact = epsilon_greedy_values(mdp, epsilon) if exact is None else exact
    visits = stationary_distribution(
        policy_matrix(mdp, epsilon_greedy(mdp, bench.optimal_policy, epsilon))[0])
    learned = np.where(feasible, np.asarray(tables), 1.0)
    exact = np.where(feasible, exact, 1.0)
    relative = np.abs(learned - exact) / exact            # zero where infeasible
    per_state = relative.sum(axis=-1) / feasible.sum(axis=1)
    return per_state @ visits


def tile_coded_values(bench: Benchmark, exact, tiles, n_tilings: int, rng,
                      sweeps: int = 200, learning_rate: float = 0.1) -> np.ndarray:
    """What tile coding alone can represent: fit a tile coder over
    ``(on_hand, on_order, order)`` to exact action values ``exact`` (every feasible
    pair, in a fresh random order each sweep, with the learning rule of the
    agents), and return its estimates as a table (``inf`` where infeasible)."""
    from .tiles import TileCoder
    shop, feasible = bench.shop, bench.mdp.feasible
    rng = as_generator(rng)
    C = shop.capacity
    coder = TileCoder([0, 0, 0], [C, C, C], tiles, n_tilings, rng)
    s, a = np.nonzero(feasible)
    points = np.column_stack([shop.states[s], a]).astype(float)
    targets = exact[s, a]
    for _ in range(sweeps):
        order = rng.permutation(len(points))
        coder.update_many(points[order], targets[order], learning_rate)
    table = np.full(feasible.shape, np.inf)
    table[s, a] = coder.estimate_many(points)
    return table
