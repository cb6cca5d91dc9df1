"""SARSA and its ruminative family with tile coding, on the paper's problems P1-P3.

The states of the periodic-review model (:mod:`invlib.inventory`) are real numbers,
so a table no longer fits: ``Q(s, a)`` is a tile-coded linear function
(:mod:`invlib.tiles`) over the box of (agent state, order). Everything else is the
tabular family of :mod:`invlib.agents` and :mod:`invlib.rumination` carried over:
one compiled loop, :func:`_episodes`, serves every agent, and an agent is the
triple of :data:`invlib.rumination.AGENTS` (target, rumination weights, selective).

Per period the agent observes its state, orders, the period's demand arrives, and
:func:`~invlib.inventory.period_kernel` gives the cost and the next state. The
SARSA target is ``c + gamma Q(s', a')``, or ``c + gamma * terminal_cost`` when the
next state leaves the box (the episode then ends early). A ruminating agent then
replays the period for every other order ``b`` at once
(:func:`~invlib.inventory.orders_kernel`), picks the imagined next order by the
policy, and applies SARSA's update to each ``Q(s, b)`` in turn with the weights of
:mod:`invlib.rumination` (``pi(b|s)`` is read once, after the real update).

Tile coding (:data:`TILINGS`): P1 uses the paper's 10 tilings, with its tile widths
(on its box x in [-30, 60], 8 x 3 x 4 tiles over ``(x, u_1, a)``: x 11.25, u 13.3,
a 10). The other grids are the book's choice, made so that every dimension has
about P1's tile width: P2 sees the position ``y = x + u_1``, tiles of 10 by 10
for the order, with the paper's 5 tilings; P3 adds ``u_2`` with P1's width, 10
tilings. The widths are kept whatever the box (:func:`tiles_for`): a wider box
gets more tiles, not coarser ones (the book's wide box, x in [-1200, 1500], has
240 tiles along x on P1 and P3 and 274 along y on P2). A tiling's shifts are
below one tile, so with ``m`` tilings the function resolves about a tile width
over ``m``: 1 unit of order on P1 and P3, 2 on P2 (the orders' own step).

Speed. The cell of a point along one dimension depends on that coordinate alone
(:func:`~invlib.tiles.cell_part`), so a tile index is (state part) + (order part).
The order parts of the problem's orders are computed once per run
(:func:`order_parts`), and the values of all 21 orders of a state cost one state
lookup per tiling plus 21 sums, summed tiling by tiling for all orders at once
(independent sums the processor overlaps; each in the same order as one at a
time, so the same bits). The next states of all orders from one state differ
only in the pipeline's last entry, the order itself: their shared part is located
once per period (:func:`locate_shared`) and each order adds its part from a table
(:func:`arrival_parts`), so rumination's replay of every order divides nothing
(an agent that sees the position ``y`` still locates each). The small kernels are
inlined into the loop (``inline="always"``): as separate calls they cost about as
much again (measured in ``benchmarks/kernel_floor.py``). The next state's tiles
are written out where they are needed, in :func:`_episodes` and in
:func:`ruminate`, not called: as an inlined helper (which took a view of the
pipeline's row in rumination, and counted its arrays' references) they cost over
a third of the loop's time. On a 2-core Xeon the loops ran at 1.7 to 2.7 times
their floor with the helper, and at 1.1 to 1.9 times without it.

Termination is kept as the problem defines it (terminal cost = the cost of staying
on the boundary for a discounted horizon, :mod:`invlib.inventory`); the episode
ends there. One SPEC setting is changed: Q does not start at 0 but at
:func:`starting_value`, ``(K + (v + h) E[D]) / (1 - gamma)``: a setup, the
purchase of a period's mean demand and holding it for a period, paid every period
for ever (400 on P1 and P3, 500 on P2). Why: with costs, 0 is far below every true
value (a few hundred), so every untried order looks best. Together with the slow
step (0.1 over all tilings) this sends SARSA sweeping through the orders into the
box's edges: from 0, in the narrow box (x in [-30, 60]), SARSA ended nearly
every episode early, after a dozen periods or so, and played only a small part
of its schedule. From the neutral start a tried order that turns out fine looks
better than untried ones, and most episodes run to the end. In the narrow box
terminations still occur, and exploration alone explains many: a random order
of up to 40 on top of a full pipeline can lift ``x`` past 60 (see
:func:`invlib.floor.play_s_S` and the book's replication chapter, which
measures it). The book's box (:data:`invlib.inventory.BOXES`) is wide enough
that fewer than 1% of episodes end early; the experiments count them.

Randomness: the environment (start states, then each episode's demand drawn at
once by the demand process's compiled path) comes from one generator, the agent's
tile offsets and exploration uniforms from another, and rumination's uniforms
from a generator spawned from the agent's, so an agent that never ruminates sees
exactly the numbers SARSA sees.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, replace
from typing import NamedTuple

import numba
import numpy as np

from .agents import TARGETS
from .checks import InvalidParameter, check_choice, check_int, check_real
from .demand import check_generator
from .inventory import (
    InventoryProblem,
    orders_kernel,
    period_kernel,
    problem_p1,
    problem_p2,
    problem_p3,
    start_state,
)
from .rumination import AGENTS, WEIGHTS, beta, rumination_weight, weight_code
from .td import choose, greedy, policy_probability, td_target
from .tiles import TileCoder, cell_part, cell_parts

#: The paper's problems by name.
PROBLEMS = {"P1": problem_p1, "P2": problem_p2, "P3": problem_p3}

#: Tile coding per problem: (tilings, tile width along each agent-state
#: dimension and then along the order).
TILINGS = {"P1": (10, (90 / 8, 40 / 3, 10.0)), "P2": (5, (10.0, 10.0)),
           "P3": (10, (90 / 8, 40 / 3, 40 / 3, 10.0))}


def tiles_for(problem: InventoryProblem, problem_name: str) -> tuple[int, tuple]:
    """``(tilings, tiles per dimension)`` covering ``problem``'s box with the tile
    widths of :data:`TILINGS` (at least one tile per dimension)."""
    n_tilings, widths = TILINGS[check_choice("problem", problem_name,
                                             tuple(PROBLEMS))]
    low, high = tile_box(problem)
    return n_tilings, tuple(max(1, round((b - a) / w))
                            for a, b, w in zip(low, high, widths, strict=True))

def make_problem(name: str, **changes) -> InventoryProblem:
    """Problem ``"P1"``, ``"P2"`` or ``"P3"`` with optional changes."""
    return PROBLEMS[check_choice("problem", name, tuple(PROBLEMS))](**changes)


@dataclass(frozen=True)
class ApproxSettings:
    n_tilings: int = 10
    tiles: tuple = (8, 3, 4)          # per dimension of (agent state, order)
    learning_rate: float = 0.1        # split over the tilings
    epsilon: float = 0.1
    target: str = "sarsa"
    rumination: str = "none"          # "none", "all", "policy" or "beta"
    selective: bool = False           # ruminate with probability 1 - omega
    # the calm factor omega = exp(-|delta| / tau), tau = kappa |Q(s, a)| (the
    # paper's beta and eta; invlib.rumination.beta computes it)
    kappa: float = 1.0
    initial: float = 0.0              # the starting Q of every (state, order);
                                      # approx_settings: starting_value(problem)

    def __post_init__(self):
        check_int("n_tilings", self.n_tilings, 1)
        check_real("initial", self.initial)
        if not isinstance(self.tiles, (tuple, list)):
            raise InvalidParameter(f"tiles must be a list of tile counts, one per "
                                   f"dimension, got {self.tiles!r}")
        object.__setattr__(self, "tiles", tuple(
            check_int(f"tiles[{d}]", t, 1) for d, t in enumerate(self.tiles)))
        check_real("learning_rate", self.learning_rate, 0, 1, low_open=True)
        check_real("epsilon", self.epsilon, 0, 1)
        check_choice("target", self.target, TARGETS)
        check_choice("rumination", self.rumination, WEIGHTS)
        check_real("kappa", self.kappa, 0)
        if self.selective and self.rumination == "none":
            raise InvalidParameter("selective must be False when rumination is 'none'")


def starting_value(problem: InventoryProblem) -> float:
    """``(K + (v + h) E[D]) / (1 - gamma)`` with the unit cost ``v`` (the
    problem's field ``c``), the book's start for every Q (see the module's
    docstring for why not 0)."""
    mean = problem.new_demand().long_run_mean()
    return (problem.K + (problem.c + problem.h) * mean) / (1.0 - problem.discount)


def approx_settings(agent: str, problem_name: str = "P1", problem=None,
                    **changes) -> ApproxSettings:
    """Settings of a named agent (a key of :data:`invlib.rumination.AGENTS`) with
    the tile coding (:func:`tiles_for`) and the starting value of a problem
    (``problem``, by default the named problem with the book's box);
    ``changes`` override any field."""
    check_choice("agent", agent, tuple(AGENTS))
    if problem is None:
        problem = make_problem(problem_name)
    n_tilings, tiles = tiles_for(problem, problem_name)
    target, rumination, selective = AGENTS[agent]
    return replace(ApproxSettings(n_tilings=n_tilings, tiles=tiles, target=target,
                                  rumination=rumination, selective=selective,
                                  initial=starting_value(problem)),
                   **changes)


class Environment(NamedTuple):
    starts: np.ndarray     # (episodes, L + 1): x, then u_1..u_L
    demands: np.ndarray    # (episodes, periods)


class AgentDraws(NamedTuple):
    coder: TileCoder       # the tilings, weights at the starting value
    uniforms: np.ndarray   # (episodes, periods + 1): the choices of orders
    extra: np.ndarray      # (episodes, periods, orders + 1): coin, then one per order


def draw_environment(problem: InventoryProblem, rng) -> Environment:
    """Every episode's start state and demands, episode by episode: the start
    (:func:`~invlib.inventory.start_state`), then the whole episode's demand at once
    from a fresh demand process."""
    check_generator(rng)
    starts = np.empty((problem.episodes, problem.lead_time + 1))
    demands = np.empty((problem.episodes, problem.periods))
    process = problem.new_demand()
    for e in range(problem.episodes):
        x, pipeline = start_state(problem, rng)
        starts[e] = (x, *pipeline)
        process.reset()
        demands[e] = process.draw_many(rng, problem.periods)
    return Environment(starts, demands)


def tile_box(problem: InventoryProblem) -> tuple[np.ndarray, np.ndarray]:
    """The box the tilings cover: what the agent sees, then the orders."""
    low, high = problem.observation_bounds
    return (np.append(low, min(problem.actions)), np.append(high, max(problem.actions)))


def draw_agent(problem: InventoryProblem, settings: ApproxSettings, rng) -> AgentDraws:
    """The agent's tilings and all its uniforms; rumination's come from a generator
    spawned from ``rng`` (drawn only if the agent ruminates)."""
    low, high = tile_box(problem)
    if len(settings.tiles) != len(low):
        raise InvalidParameter(f"tiles must hold {len(low)} counts (agent state, then "
                               f"order) for this problem, got {len(settings.tiles)}")
    check_generator(rng)
    rumination_rng = rng.spawn(1)[0]
    coder = TileCoder(low, high, settings.tiles, settings.n_tilings, rng)
    coder.weights[:] = settings.initial / settings.n_tilings
    E, T, m = problem.episodes, problem.periods, len(problem.actions)
    uniforms = rng.random((E, T + 1))
    extra = rumination_rng.random((E, T, m + 1)) if settings.rumination != "none" \
        else np.zeros((1, 1, 1))
    return AgentDraws(coder, uniforms, extra)


def order_parts(coder: TileCoder, actions) -> np.ndarray:
    """``parts[j, k]``: the start of tiling ``j``'s block in the weights plus order
    ``k``'s :func:`~invlib.tiles.cell_part`. Adding a state's own part
    (:func:`locate`) gives the full index."""
    actions = np.asarray(actions, dtype=float)
    starts = np.arange(coder.n_tilings, dtype=np.int64)[:, None] * coder.size
    return starts + cell_parts(coder.layout, coder.dims - 1, actions)


def arrival_parts(coder: TileCoder, actions) -> np.ndarray:
    """``parts[j, k]``: the state part in tiling ``j`` of order ``k`` as the last
    entry of the pipeline ``u_L`` (where an order placed now sits a period later)."""
    return cell_parts(coder.layout, coder.dims - 2, np.asarray(actions, dtype=float))


@dataclass(frozen=True)
class Run:
    """What one training run leaves behind."""
    costs: np.ndarray            # cost of every period played, in order
    episode_lengths: np.ndarray  # periods played in each episode
    terminated: np.ndarray       # whether each episode ended in a termination state
    ruminating_periods: int      # periods in which the agent ruminated
    imagined_updates: int        # updates of orders not placed
    seconds: float               # the compiled loop's CPU time (compilation excluded)
    terminal_costs: np.ndarray   # per episode: the terminal cost charged (0 if none)
    weights: np.ndarray | None = None   # the learned tile weights (not stored)
    orders: np.ndarray | None = None    # the index of every order placed, in order

    @property
    def periods(self) -> int:
        return len(self.costs)

    @property
    def terminations(self) -> int:
        return int(self.terminated.sum())

    @property
    def rumination_rate(self) -> float:
        """Fraction of periods in which the agent ruminated."""
        return self.ruminating_periods / self.periods

    @property
    def seconds_per_period(self) -> float:
        return self.seconds / self.periods

    @property
    def termination_rate(self) -> float:
        """Share of episodes that ended early."""
        return float(self.terminated.mean())

    def scheduled_costs(self, periods: int, discount: float) -> np.ndarray:
        """The cost of every period of the schedule (``periods`` per episode),
        exits counted: a period an episode did not play because it left the box
        is charged the cost of staying on the boundary it crossed, the terminal
        cost's per-period part ``(1 - gamma) * terminal cost``. Every agent then
        has a cost for every scheduled period, so leaving early does not shrink
        the average to the periods played. But the charge is one boundary
        period's cost, not the cost of the excursion the episode would have
        made had it gone on, so an exit can be cheaper than playing on, and in
        a box as narrow as the paper's range, x in [-30, 60], much cheaper
        (:func:`invlib.robustness.narrow_costs` accounts a run that way; the
        robustness chapter compares it for SARSA's early periods on P1)."""
        played = np.arange(periods) < self.episode_lengths[:, None]
        out = np.repeat(((1.0 - discount) * self.terminal_costs)[:, None], periods,
                        axis=1)
        out[played] = self.costs
        return out.ravel()


# --- compiled kernels ----------------------------------------------------------

@numba.njit(cache=True, inline="always")
def locate(layout, x, pipeline, position, point, base):
    """Each tiling's state part of the index (``base[j]``) for the state
    ``(x, pipeline)`` as the agent sees it: ``(x, u_1, ..., u_L)``, or the position
    ``x + sum(u)`` if ``position``, written into ``point``."""
    if position:
        point[0] = x + pipeline.sum()
    else:
        point[0] = x
        point[1:1 + len(pipeline)] = pipeline
    locate_point(layout, point, base)


@numba.njit(cache=True, inline="always")
def locate_point(layout, point, base):
    """:func:`locate` for a ``point`` that holds the state as the agent sees it:
    the cell parts of its state dimensions, not of its last, the order's, which
    :func:`order_parts` adds. (The full index of the lowest order, at the box's
    lower edge, has an order part of 0 in every tiling, so this is
    ``tile_index`` less the tiling's start for that order, at half the work
    for an agent that sees one number.)"""
    for j in range(len(base)):
        part = 0
        for d in range(len(layout[0]) - 1):
            part += cell_part(layout, d, point[d], j)
        base[j] = part


@numba.njit(cache=True, inline="always")
def row_sum(table, row):
    """``table[row].sum()``, in the same order, without making a view of the
    row: a view costs two atomic reference counts, which in rumination's replay
    of every order once took more time than the arithmetic (a third of it)."""
    total = 0.0
    for i in range(table.shape[1]):
        total += table[row, i]
    return total


@numba.njit(cache=True, inline="always")
def estimate(weights, base, parts, k):
    """``Q`` of order ``k`` in the state located at ``base`` (tilings summed in
    order, as :func:`invlib.tiles.estimate` does)."""
    total = 0.0
    for j in range(len(base)):
        total += weights[base[j] + parts[j, k]]
    return total


@numba.njit(cache=True, inline="always")
def values(weights, base, parts, out):
    """``out[0, k] = Q(s, order k)`` for every order (a one-row table, so that the
    tabular helpers of :mod:`invlib.td` apply)."""
    m = parts.shape[1]
    for k in range(m):
        out[0, k] = 0.0
    for j in range(len(base)):
        row = base[j]
        for k in range(m):
            out[0, k] += weights[row + parts[j, k]]


@numba.njit(cache=True, inline="always")
def learn(weights, base, parts, k, target, rate):
    """Move ``Q(s, order k)`` towards ``target``: each active weight gains
    ``rate / n * error`` (the arithmetic of :func:`invlib.tiles.update`); returns
    ``Q(s, order k)`` before the update."""
    q = estimate(weights, base, parts, k)
    change = rate / len(base) * (target - q)
    for j in range(len(base)):
        weights[base[j] + parts[j, k]] += change
    return q


@numba.njit(cache=True, inline="always")
def locate_shared(layout, x, pipeline, shared):
    """Each tiling's state part of ``x`` and of the pipeline but its last entry:
    the part that the next states of all orders from one state share, as an order
    placed now only enters the pipeline's last entry (:func:`arrival_parts`
    gives its part)."""
    for j in range(len(shared)):
        part = cell_part(layout, 0, x, j)
        for i in range(len(pipeline) - 1):
            part += cell_part(layout, 1 + i, pipeline[i], j)
        shared[j] = part


@numba.njit(cache=True)
def ruminate(weights, layout, parts, arrivals, actions, model, position, x, pipeline, a,
             demand, base, shared, uniforms, learning_rate, epsilon, sarsa, code,
             b_value, scratch):
    """Imagined SARSA updates of ``Q(s, b)`` for every order ``b != a`` from the
    state ``(x, pipeline)`` located at ``base``, for the period's ``demand``;
    ``shared`` is the part of the next states' location they all share
    (:func:`locate_shared`); ``uniforms[1 + b]`` picks the imagined next order.
    Returns how many."""
    point, base_b, table, x_out, pipe_out, cost_out, term_out, terminal_out = scratch
    m = len(actions)
    discount = model[7]
    values(weights, base, parts, table)
    favourite = greedy(table, 0, m - 1)         # pi(b|s) as the policy stands now
    orders_kernel(x, pipeline, actions, demand, model, x_out, pipe_out, cost_out,
                  term_out, terminal_out)
    for b in range(m):
        if b == a:
            continue
        if term_out[b]:
            target = cost_out[b] + discount * terminal_out[b]
        else:
            # the next state's tiles, as in _episodes (written out in both:
            # see the module docstring)
            if position:
                point[0] = x_out[b] + row_sum(pipe_out, b)
                locate_point(layout, point, base_b)
            else:
                for j in range(len(base_b)):
                    base_b[j] = shared[j] + arrivals[j, b]
            values(weights, base_b, parts, table)
            b2 = choose(table, 0, m - 1, uniforms[1 + b], epsilon)
            target = td_target(table, 0, m - 1, b2, cost_out[b], discount, sarsa)
        pi = policy_probability(b, favourite, m - 1, epsilon)
        learn(weights, base, parts, b, target,
              learning_rate * rumination_weight(code, pi, b_value))
    return m - 1


@numba.njit(cache=True)
def _episodes(weights, layout, parts, arrivals, actions, model, position, starts,
              demands, uniforms, extra, learning_rate, epsilon, sarsa, code, selective,
              kappa, costs, orders, lengths, terminated, terminal_costs, counts):
    """Play every episode, learning into ``weights`` (changed in place); fills
    ``costs`` and ``orders`` (the index of the order placed; period by period),
    ``lengths``, ``terminated``, ``terminal_costs`` (per episode, 0 unless it
    ended early) and ``counts`` (periods with rumination, imagined updates);
    returns the number of periods played."""
    n, m = parts.shape
    episodes, periods = demands.shape
    L = starts.shape[1] - 1
    discount = model[7]
    point = layout[0].copy()                    # its last entry stays the lowest order
    base, base2, shared = np.empty(n, np.int64), np.empty(n, np.int64), \
        np.empty(n, np.int64)
    pipe, pipe2 = np.empty(L), np.empty(L)
    table = np.empty((1, m))
    scratch = (point, np.empty(n, np.int64), np.empty((1, m)), np.empty(m),
               np.empty((m, L)), np.empty(m), np.empty(m, np.bool_), np.empty(m))
    played = 0
    for e in range(episodes):
        x = starts[e, 0]
        pipe[:] = starts[e, 1:]
        locate(layout, x, pipe, position, point, base)
        values(weights, base, parts, table)
        a = choose(table, 0, m - 1, uniforms[e, 0], epsilon)
        length = 0
        for t in range(periods):
            demand = demands[e, t]
            x2, cost, done, terminal = period_kernel(x, pipe, actions[a], demand, model,
                                                     pipe2)
            costs[played] = cost
            orders[played] = a
            played += 1
            length += 1
            a2 = 0
            if not position:
                locate_shared(layout, x2, pipe2, shared)
            if done:
                target = cost + discount * terminal
            else:                               # the next order, before learning
                # the next state's tiles: an agent that sees the position
                # locates it afresh; for the others it is the part all next
                # states share plus the order's part as the pipeline's last
                # entry (no divisions). Written out here and in ruminate, not
                # called: see the module docstring
                if position:
                    point[0] = x2 + pipe2.sum()
                    locate_point(layout, point, base2)
                else:
                    for j in range(n):
                        base2[j] = shared[j] + arrivals[j, a]
                values(weights, base2, parts, table)
                a2 = choose(table, 0, m - 1, uniforms[e, t + 1], epsilon)
                target = td_target(table, 0, m - 1, a2, cost, discount, sarsa)
            q_sa = learn(weights, base, parts, a, target, learning_rate)
            if code > 0:
                b_value = beta(target - q_sa, q_sa, kappa)
                if not selective or extra[e, t, 0] < 1.0 - b_value:
                    counts[0] += 1
                    counts[1] += ruminate(weights, layout, parts, arrivals, actions,
                                          model, position, x, pipe, a, demand, base,
                                          shared, extra[e, t], learning_rate, epsilon,
                                          sarsa, code, b_value, scratch)
            if done:
                terminated[e] = True
                terminal_costs[e] = terminal
                break
            x, a = x2, a2
            pipe, pipe2 = pipe2, pipe
            base, base2 = base2, base
        lengths[e] = length
    return played


class Replayed(NamedTuple):
    costs: np.ndarray            # every period's cost, in order
    levels: np.ndarray           # the inventory level after every period
    episode_lengths: np.ndarray  # periods played in each episode
    terminated: np.ndarray       # whether each episode ended in a termination state
    terminal_costs: np.ndarray   # per episode: the terminal cost charged (0 if none)


@numba.njit(cache=True)
def _replay(actions, model, starts, demands, orders, costs, levels, lengths,
            terminated, terminal_costs):
    """Place the ``orders`` (indices into ``actions``) again, in order, on the
    episodes' starts and demands, through the loop's own
    :func:`~invlib.inventory.period_kernel` (so the same bits); fills the
    outputs as :func:`_episodes` does, and the level after each period.
    Returns the number of orders placed, or -1 if the episodes wanted more."""
    pipe = np.empty(starts.shape[1] - 1)
    i = 0
    for e in range(starts.shape[0]):
        x = starts[e, 0]
        pipe[:] = starts[e, 1:]
        length = 0
        for t in range(demands.shape[1]):
            if i == len(orders):
                return -1
            x, cost, done, terminal = period_kernel(x, pipe, actions[orders[i]],
                                                    demands[e, t], model, pipe)
            costs[i], levels[i] = cost, x
            i += 1
            length += 1
            if done:
                terminated[e] = True
                terminal_costs[e] = terminal
                break
        lengths[e] = length
    return i


def replay(problem: InventoryProblem, env: Environment, orders) -> Replayed:
    """Place a run's orders (:attr:`Run.orders`) again on the episodes it
    played (``env``, drawn again from its generator): a run's costs, levels
    and exits follow from its orders, so a run can be stored as its orders
    alone. Orders that do not fit the episodes (an index outside the
    problem's orders, too few, or left over) are refused."""
    orders = np.asarray(orders)
    if orders.size == 0:
        orders = orders.astype(np.uint8)         # [] is a list of no indices
    m = len(problem.actions)
    if orders.ndim != 1 or orders.dtype.kind not in "ui" or \
            (len(orders) and not 0 <= orders.min() <= orders.max() < m):
        raise InvalidParameter(f"orders must be indices of the problem's {m} "
                               f"orders, from 0 to {m - 1}")
    E = problem.episodes
    shapes = ((E, problem.lead_time + 1), (E, problem.periods))
    if (env.starts.shape, env.demands.shape) != shapes:
        raise InvalidParameter(f"env must hold the problem's {E} episodes of "
                               f"{problem.periods} periods (starts {shapes[0]}, "
                               f"demands {shapes[1]}), got starts "
                               f"{env.starts.shape}, demands {env.demands.shape}")
    costs, levels = np.empty(len(orders)), np.empty(len(orders))
    lengths = np.zeros(E, dtype=np.int64)
    terminated = np.zeros(E, dtype=np.bool_)
    terminal_costs = np.zeros(E)
    placed = _replay(np.array(problem.actions, dtype=float), problem.model,
                     env.starts, env.demands, orders, costs, levels, lengths,
                     terminated, terminal_costs)
    if placed != len(orders):
        raise InvalidParameter(f"orders must fit the run's episodes: "
                               f"{len(orders)} orders for episodes that "
                               f"{'want more' if placed < 0 else f'take {placed}'}")
    return Replayed(costs, levels, lengths, terminated, terminal_costs)


def _play(problem, settings, env: Environment, draws: AgentDraws, time_it=True) -> Run:
    E = problem.episodes
    costs = np.empty(E * problem.periods)
    # one byte an order for the paper's 21 orders (runs are stored as orders)
    orders = np.empty(E * problem.periods, dtype=np.uint8
                      if len(problem.actions) <= 256 else np.uint16)
    lengths = np.zeros(E, dtype=np.int64)
    terminated = np.zeros(E, dtype=np.bool_)
    terminal_costs = np.zeros(E)
    counts = np.zeros(2, dtype=np.int64)
    weights = draws.coder.weights
    actions = np.array(problem.actions, dtype=float)
    position = problem.agent_state == "position"
    arrivals = np.zeros((draws.coder.n_tilings, 0), dtype=np.int64) if position \
        else arrival_parts(draws.coder, actions)
    arguments = (weights, draws.coder.layout, order_parts(draws.coder, actions),
                 arrivals, actions, problem.model, position, env.starts, env.demands,
                 draws.uniforms, draws.extra, settings.learning_rate, settings.epsilon,
                 settings.target == "sarsa", weight_code(settings.rumination),
                 settings.selective, settings.kappa, costs, orders, lengths,
                 terminated, terminal_costs, counts)
    if time_it:
        _compile_once()                 # so that the timing below is the loop alone
    # the thread's CPU time: on a busy machine the waits for a core don't count
    tic = time.thread_time()
    played = _episodes(*arguments)
    seconds = time.thread_time() - tic
    return Run(costs[:played].copy(), lengths, terminated, int(counts[0]),
               int(counts[1]), seconds, terminal_costs, weights,
               orders[:played].copy())


def play(problem: InventoryProblem, settings: ApproxSettings, env: Environment,
         draws: AgentDraws) -> Run:
    """Train on drawn numbers (the weights of ``draws.coder`` change in place)."""
    return _play(problem, settings, env, draws)


@functools.cache
def _compile_once():
    """Compile (or load from the disk cache) the loop with a one-period run."""
    problem = problem_p1(episodes=1, periods=1, early_window=1)
    settings = approx_settings("rsarsa-td", "P1")
    rng = np.random.default_rng(0)
    _play(problem, settings, draw_environment(problem, rng),
          draw_agent(problem, settings, rng), time_it=False)


def train(problem: InventoryProblem, settings: ApproxSettings, env_rng,
          agent_rng) -> Run:
    """Train an agent with ``settings`` on ``problem`` for the problem's schedule;
    the environment's numbers come from ``env_rng``, the agent's from
    ``agent_rng`` (both ``numpy.random.Generator``)."""
    env = draw_environment(problem, env_rng)
    return play(problem, settings, env, draw_agent(problem, settings, agent_rng))
