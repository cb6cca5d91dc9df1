"""Tabular temporal-difference agents for the bike shop: Q-learning, SARSA and the
ruminative SARSA family.

One compiled loop, :func:`_run_episodes`, does all the work; an agent is a set of
:class:`AgentSettings` that says which target it learns towards and how:

* ``target`` - ``"qlearning"`` bootstraps on the best next order,
  ``min_b Q(s', b)``; ``"sarsa"`` on the order the policy actually takes next;
* ``rumination`` and ``selective`` - whether and how the agent also updates the
  orders it did not place (:mod:`invlib.rumination`); ``kappa`` sets the surprise
  scale ``tau = kappa |Q(s, a)|`` of the calm factor ``omega``;
* ``batch_updates`` - the article's scheme: the table is frozen while an episode is
  played, and the episode's transitions are applied in order at its end;
* ``initial`` - ``"uniform"`` gives the article's random start values (rewards drawn
  from U(0, 1), so costs from U(-1, 0)); a number starts every entry at that cost;
* ``step_power`` - step size ``eta = learning_rate / N(s, a)**step_power``, where
  ``N(s, a)`` counts the updates of the pair so far, each by its weight: 1 for the
  day the agent lives, the rumination weight for an imagined update
  (:func:`invlib.td.update`); 0 keeps the step constant;
* ``share_position`` - learn one row per inventory position ``y = alpha + beta``
  instead of one per state, which is exact for the article's cost (chapter 2).

Costs are minimised throughout (the article maximises rewards = -costs; the greedy
choices are the same). Randomness: every number the loop needs is drawn in advance,
episode by episode, from the ``numpy.random.Generator`` the caller passes, so a seed
fixes the run completely, with or without the JIT (``NUMBA_DISABLE_JIT=1``). Per
period that is two uniforms: one decides exploration and, when it explores, which
order (``u < epsilon`` makes ``u / epsilon`` uniform again); the other becomes the
demand by inverting the Poisson distribution function, which is faster than
drawing Poisson variates and exact to the resolution of the uniform. Rumination
draws its own uniforms from a second generator spawned from the first, so an agent
that never ruminates sees exactly the days SARSA sees.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, replace

import numba
import numpy as np

from .bikeshop import BikeShop, day_kernel
from .checks import InvalidParameter, check_choice, check_int, check_real
from .dp import greedy_policy
from .rumination import AGENTS, WEIGHTS, beta, ruminate, weight_code
from .simulate import as_generator
from .td import choose_kept, greedy, invert, keep_favourite, td_target, update

TARGETS = ("qlearning", "sarsa")


@dataclass(frozen=True)
class AgentSettings:
    episodes: int = 1000
    steps: int = 1000                 # periods per episode
    learning_rate: float = 0.1
    epsilon: float = 0.1
    target: str = "qlearning"
    batch_updates: bool = False
    initial: object = 0.0             # "uniform" or a starting cost for every entry
    step_power: float = 0.0
    share_position: bool = False
    rumination: str = "none"          # "none", "all", "policy" or "beta"
    selective: bool = False           # ruminate only with probability 1 - omega
    kappa: float = 1.0                # tau = kappa * |Q(s, a)| in omega

    def __post_init__(self):
        check_int("episodes", self.episodes, 1)
        check_int("steps", self.steps, 1)
        check_real("learning_rate", self.learning_rate, 0, 1, low_open=True)
        check_real("epsilon", self.epsilon, 0, 1)
        check_choice("target", self.target, TARGETS)
        check_real("step_power", self.step_power, 0, 1)
        check_choice("rumination", self.rumination, WEIGHTS)
        check_real("kappa", self.kappa, 0)
        if not (isinstance(self.initial, str) and self.initial == "uniform"):
            check_real("initial", self.initial)
        if self.batch_updates and self.rumination != "none":
            raise InvalidParameter("rumination must be 'none' with batch_updates "
                                   "(the article's scheme does not ruminate)")
        if self.selective and self.rumination == "none":
            raise InvalidParameter("selective must be False when rumination is 'none'")

    @property
    def total_steps(self) -> int:
        return self.episodes * self.steps


def article_settings(**changes) -> AgentSettings:
    """The article's Q-learning, exactly: random U(0,1) start values, table frozen
    during an episode, batch update at its end, 1000 episodes of 1000 steps."""
    return replace(AgentSettings(episodes=1000, steps=1000, learning_rate=0.1,
                                 epsilon=0.1, target="qlearning", batch_updates=True,
                                 initial="uniform"), **changes)


def recommended_settings(**changes) -> AgentSettings:
    """The book's recommended scheme (chapter "Q-learning"): the article's budget,
    but updates applied at once, a step size ``eta = N(s, a)**-0.7`` where
    ``N(s, a)`` counts the updates of the state-order pair, and start values of
    zero (optimistic, as costs are positive)."""
    return replace(AgentSettings(episodes=1000, steps=1000, learning_rate=1.0,
                                 epsilon=0.1, target="qlearning", batch_updates=False,
                                 initial=0.0, step_power=0.7), **changes)


def paper_settings(**changes) -> AgentSettings:
    """The paper's learning settings: constant step 0.1, epsilon 0.1, values
    starting at zero, updates at once (here on the article's budget)."""
    return replace(AgentSettings(episodes=1000, steps=1000, learning_rate=0.1,
                                 epsilon=0.1, target="sarsa", initial=0.0), **changes)


def agent_settings(agent: str, base=paper_settings, **changes) -> AgentSettings:
    """Settings of a named agent (``"sarsa"``, ``"rsarsa"``, ``"prs"``,
    ``"prs-beta"``, ``"rsarsa-td"``, ``"prs-td"``, ``"qlearning"``) on top of a base
    scheme."""
    check_choice("agent", agent, tuple(AGENTS))
    target, rumination, selective = AGENTS[agent]
    return base(**{"target": target, "rumination": rumination, "selective": selective,
                   **changes})


@dataclass(frozen=True)
class Training:
    q: np.ndarray               # (states, orders) learned costs, +inf where infeasible
    policy: np.ndarray          # greedy order per state (ties to the smaller order)
    episode_costs: np.ndarray   # mean cost per period of each episode, while learning
    seconds: float              # the training loop's CPU time (drawing numbers excluded)
    steps: int
    ruminating_periods: int = 0  # periods in which the agent ruminated
    imagined_updates: int = 0    # updates of orders not placed

    @property
    def learning_cost(self) -> float:
        """Mean cost per period paid during training."""
        return float(self.episode_costs.mean())

    @property
    def rumination_rate(self) -> float:
        """Fraction of periods in which the agent ruminated."""
        return self.ruminating_periods / self.steps if self.steps else 0.0


#: The largest demand mean an agent samples from (a table of about that many entries).
MAX_TRAIN_DEMAND_MEAN = 1e6


def demand_cdf(mean: float) -> np.ndarray:
    """The Poisson distribution function at 0, 1, ..., up to where the tail is below
    the resolution of a double; the last entry is set to 1 so that every uniform
    in [0, 1) maps to a demand."""
    from scipy.stats import poisson
    d = np.arange(int(mean + 40 * np.sqrt(mean) + 40))
    top = np.flatnonzero(poisson.sf(d, mean) < 2.0 ** -54)[0] + 1
    cdf = poisson.cdf(d[:top], mean)
    cdf[-1] = 1.0
    return cdf


@numba.njit(cache=True)
def _run_episodes(q, visits, row_of, room_of, on_hand_of, on_order_of, index, starts,
                  uniforms, extra, cdf, capacity, holding_cost, stockout_cost, current,
                  discount, learning_rate, step_power, epsilon, sarsa, batch, weights,
                  selective, kappa, episode_costs, counts):
    """Play ``len(starts)`` episodes, learning into ``q`` (changed in place).

    ``uniforms[e, 0]`` drives the choices and ``uniforms[e, 1]`` the demands;
    ``extra[e, t]`` serves rumination (coin, then one uniform per order).
    ``counts`` accumulates (periods with rumination, imagined updates).
    ``room_of[r]`` is the largest order of row ``r``.

    Each day the next order ``a2`` is chosen from the next state's row *before*
    the day's update (online), or from the frozen table (``batch``). The day's
    own update has weight 1: it adds 1 to ``visits`` of the pair. The greedy
    order of every row of the table the agent acts on is kept in
    ``favourites``, so that a choice never scans a row."""
    n_episodes, steps = uniforms.shape[0], uniforms.shape[2] - 1
    behave = q.copy() if batch else q       # the table the agent acts on
    favourites = np.empty(len(room_of), dtype=np.int64)
    buffer = np.empty((steps, 5), dtype=np.int64)
    buffer_cost = np.empty(steps)
    for e in range(n_episodes):
        if batch:
            behave[:, :] = q                # frozen for the whole episode
        if batch or e == 0:
            for r in range(len(room_of)):
                favourites[r] = greedy(behave, r, room_of[r])
        s = starts[e]
        room = capacity - on_hand_of[s] - on_order_of[s]
        a = choose_kept(favourites, row_of[s], room, uniforms[e, 0, 0], epsilon)
        total = 0.0
        for t in range(steps):
            demand = invert(cdf, uniforms[e, 1, t])
            left, arriving, cost = day_kernel(on_hand_of[s], on_order_of[s], a, demand,
                                              holding_cost, stockout_cost, current)
            s2 = index[left, arriving]
            room2 = capacity - left - arriving
            a2 = choose_kept(favourites, row_of[s2], room2, uniforms[e, 0, t + 1],
                             epsilon)
            total += cost
            if batch:
                buffer[t, 0], buffer[t, 1], buffer[t, 2] = s, a, s2
                buffer[t, 3], buffer[t, 4] = a2, room2
                buffer_cost[t] = cost
            else:
                row = row_of[s]
                q_sa = q[row, a]
                target = td_target(q, row_of[s2], room2, a2, cost, discount, sarsa)
                update(q, visits, row, a, target, learning_rate, step_power, 1.0)
                keep_favourite(q, favourites, row, a, room, q_sa)
                if weights > 0:
                    b_value = beta(target - q_sa, q_sa, kappa)
                    if not selective or extra[e, t, 0] < 1.0 - b_value:
                        counts[0] += 1
                        counts[1] += ruminate(
                            q, visits, favourites, row_of, index, on_hand_of[s],
                            on_order_of[s], a, demand, capacity, holding_cost,
                            stockout_cost, current, discount, learning_rate,
                            step_power, epsilon, sarsa, weights, b_value, extra[e, t])
            s, a, room = s2, a2, room2
        if batch:                           # the article: apply the episode in order
            for t in range(steps):
                target = td_target(q, row_of[buffer[t, 2]], buffer[t, 4], buffer[t, 3],
                                   buffer_cost[t], discount, sarsa)
                update(q, visits, row_of[buffer[t, 0]], buffer[t, 1], target,
                       learning_rate, step_power, 1.0)
        episode_costs[e] = total / steps


@functools.cache
def _compile_once():
    """Compile (or load from the disk cache) the loop with a one-period run, for
    both table layouts, outside any timing."""
    for batch in (False, True):
        q = np.zeros((1, 1))
        _run_episodes(q, np.zeros((1, 1)), np.zeros(1, np.int64), np.zeros(1, np.int64),
                      np.zeros(1, np.int64), np.zeros(1, np.int64),
                      np.zeros((1, 1), np.int64),
                      np.zeros(1, np.int64), np.zeros((1, 2, 2)), np.zeros((1, 1, 2)),
                      np.ones(1), 0, 0.0, 0.0, False, 0.9, 0.1, 0.0, 0.1, False, batch,
                      0, False, 1.0, np.zeros(1), np.zeros(2, np.int64))


class Agent:
    """A learning agent on one bike shop; :meth:`train` can be called repeatedly to
    continue learning (episodes are drawn in order from the same generators)."""

    #: Episodes handled per call of the compiled loop, so that the random numbers
    #: drawn in advance stay within a few tens of megabytes.
    BLOCK_VALUES = 4_000_000

    def __init__(self, shop: BikeShop, settings: AgentSettings, rng):
        self.shop, self.settings = shop, settings
        self.rng = as_generator(rng)
        # rumination gets its own stream, so it does not shift the days' numbers
        self.rumination_rng = self.rng.spawn(1)[0]
        states = shop.states
        C = shop.capacity
        self._on_hand, self._on_order = states[:, 0].copy(), states[:, 1].copy()
        self._index = shop.state_index
        position = states.sum(axis=1)
        self._row_of = position if settings.share_position else np.arange(len(states))
        rows = C + 1 if settings.share_position else len(states)
        room = C - (np.arange(rows) if settings.share_position else position)
        self._feasible = np.arange(C + 1)[None, :] <= room[:, None]
        self._room_of = room
        if settings.initial == "uniform":
            q = -self.rng.random((rows, C + 1))
        else:
            q = np.full((rows, C + 1), float(settings.initial))
        self.q = np.where(self._feasible, q, np.inf)
        self.visits = np.zeros((rows, C + 1))
        if shop.demand_mean > MAX_TRAIN_DEMAND_MEAN:
            raise InvalidParameter(
                "demand_mean must be at most "
                f"{MAX_TRAIN_DEMAND_MEAN:,.0f} to train an agent (its demand table "
                f"has one entry per possible demand), got {shop.demand_mean:g}")
        self._cdf = demand_cdf(shop.demand_mean)
        self.seconds = 0.0
        self.episodes_done = 0
        self.episode_costs = []
        self.counts = np.zeros(2, dtype=np.int64)   # ruminating periods, imagined updates

    def _draw(self, episodes: int):
        """All random numbers of the next episodes, episode by episode (so training
        in several calls draws exactly what one call would)."""
        steps = self.settings.steps
        C = self.shop.capacity
        starts = np.empty(episodes, dtype=np.int64)
        uniforms = np.empty((episodes, 2, steps + 1))
        ruminates = self.settings.rumination != "none"
        extra = np.empty((episodes, steps, C + 2) if ruminates else (1, 1, 1))
        for e in range(episodes):
            on_hand = self.rng.integers(0, C + 1)
            starts[e] = self._index[on_hand, self.rng.integers(0, C - on_hand + 1)]
            self.rng.random(out=uniforms[e])
            if ruminates:
                self.rumination_rng.random(out=extra[e])
        return starts, uniforms, extra

    def train(self, episodes: int | None = None) -> "Agent":
        episodes = self.settings.episodes if episodes is None else \
            check_int("episodes", episodes, 1)
        per_episode = self.settings.steps * (self.shop.capacity + 4)
        block = max(1, self.BLOCK_VALUES // per_episode)
        for first in range(0, episodes, block):
            self._train_block(min(block, episodes - first))
        return self

    def _train_block(self, episodes: int) -> None:
        s, shop = self.settings, self.shop
        starts, uniforms, extra = self._draw(episodes)
        costs = np.empty(episodes)
        _compile_once()             # so that the timing below is the loop alone
        # the thread's CPU time: on a busy machine the waits for a core don't count
        tic = time.thread_time()
        _run_episodes(self.q, self.visits, self._row_of, self._room_of, self._on_hand,
                      self._on_order,
                      self._index, starts, uniforms, extra, self._cdf, shop.capacity,
                      shop.holding_cost, shop.stockout_cost,
                      shop.holding_on == "current", shop.discount, s.learning_rate,
                      s.step_power, s.epsilon, s.target == "sarsa", s.batch_updates,
                      weight_code(s.rumination), s.selective, s.kappa, costs,
                      self.counts)
        self.seconds += time.thread_time() - tic
        self.episodes_done += episodes
        self.episode_costs.append(costs)

    @property
    def state_q(self) -> np.ndarray:
        """Learned costs per state (rows expanded if positions share a row)."""
        return self.q[self._row_of]

    @property
    def policy(self) -> np.ndarray:
        return greedy_policy(self.state_q)

    def result(self) -> Training:
        costs = np.concatenate(self.episode_costs) if self.episode_costs else np.empty(0)
        return Training(self.state_q, self.policy, costs, self.seconds,
                        self.episodes_done * self.settings.steps,
                        int(self.counts[0]), int(self.counts[1]))


def train(shop: BikeShop, settings: AgentSettings, rng) -> Training:
    """Train an agent with ``settings`` on ``shop``; ``rng`` is a Generator or seed."""
    return Agent(shop, settings, rng).train().result()
