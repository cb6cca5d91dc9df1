"""The book's problems as Gymnasium environments, for agents written elsewhere.

Importing this module registers four environments:

* ``invlib/BikeShop-v0`` - the article's bike shop (:mod:`invlib.bikeshop`); every
  option of :func:`invlib.bikeshop.bike_shop` is a keyword of ``gymnasium.make``,
  and so are ``max_days`` (days before the episode is truncated) and ``start``;
* ``invlib/Inventory-P1-v0``, ``-P2-v0``, ``-P3-v0`` - the paper's problems with
  the book's settings (:mod:`invlib.inventory`, :data:`invlib.approx.PROBLEMS`).

The one-day and one-period dynamics are the library's own compiled kernels,
:func:`~invlib.bikeshop.day_kernel` and :func:`~invlib.inventory.period_kernel`,
so an agent trained here meets exactly the shop that dynamic programming solves.
Rewards are minus costs, as Gymnasium agents maximise.

Bike shop. The observation is ``(on_hand, on_order)``; the action is an order in
``Discrete(capacity + 1)``; ``info["action_mask"]`` marks with 1 the orders that
fit (``order <= capacity - on_hand - on_order``). An order that does not fit is
*clipped* to the room left, and ``info["order"]`` says what was placed: the
exact MDP has no such order, so a policy that relies on clipping is scored by
what it places (:func:`invlib.scoring.exact_score` refuses it instead, so that a
learner's mistake is seen). Episodes never terminate; they are truncated after
``max_days`` days. ``reset(seed=...)`` draws the article's random start (or uses
``start``) and every demand from the environment's generator, so a seed fixes
the episode.

The paper's problems. The observation is what the book's learners see
(``(x, u_1, ..., u_L)`` on P1 and P3, the position ``x + u_1`` on P2), as a
``Box`` over the problem's box; the action indexes the orders ``0, 2, ..., 40``.
An episode *terminates* when the state leaves the box. The book's learners then
bootstrap on a terminal cost instead of on ``Q(s', a')``
(:mod:`invlib.inventory`); here that cost is part of the last reward,
``-(cost + gamma * terminal_cost)``, so an agent that, as usual, does not
bootstrap past a termination learns the same target. The true next state and
the terminal cost are in ``info``; the observation returned at termination is
clipped to the box (it lies outside it). Episodes are truncated after the
problem's periods per episode (100). After ``reset(seed=r)`` the start state
and the demands are exactly those of the first episode of
``draw_environment(problem, numpy.random.default_rng(r))``
(:func:`invlib.approx.draw_environment`, which draws the book's learners'
episodes). The replication seeds its runs otherwise, from (problem, agent,
repetition) (:func:`invlib.experiments.generators`), so its episodes are not
those of a ``reset(seed=r)``.
"""
from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .approx import PROBLEMS, make_problem
from .bikeshop import BikeShop, day_kernel, random_start
from .checks import InvalidParameter, check_int
from .inventory import period_kernel, start_state


class BikeShopEnv(gym.Env):
    """The article's bike shop (see the module docstring)."""

    metadata = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(self, capacity=10, demand_mean=4.0, holding_cost=8.0,
                 stockout_cost=10.0, discount=0.9, holding_on="next",
                 max_days: int = 1000, start=None, render_mode=None):
        self.shop = BikeShop(capacity, demand_mean, holding_cost, stockout_cost,
                             discount, holding_on)
        self.max_days = check_int("max_days", max_days, 1)
        C = self.shop.capacity
        if start is not None:
            try:
                on_hand, on_order = start
            except (TypeError, ValueError):
                raise InvalidParameter("start must be None (the article's random "
                                       f"start) or (on_hand, on_order), got {start!r}"
                                       ) from None
            on_hand = check_int("start on_hand", on_hand, 0, C)
            start = (on_hand, check_int("start on_order", on_order, 0, C - on_hand))
        self.start = start
        if render_mode not in (None, "ansi"):
            raise InvalidParameter(f"render_mode must be None or 'ansi', got "
                                   f"{render_mode!r}")
        self.render_mode = render_mode
        self.observation_space = spaces.MultiDiscrete([C + 1, C + 1])
        self.action_space = spaces.Discrete(C + 1)
        self._state = (0, 0)
        self._day = 0

    def _observation(self) -> np.ndarray:
        return np.array(self._state, dtype=np.int64)

    def action_mask(self) -> np.ndarray:
        """1 for each order that fits in the current state, else 0."""
        room = self.shop.capacity - sum(self._state)
        return (np.arange(self.shop.capacity + 1) <= room).astype(np.int8)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self._state = self.start or random_start(self.shop, self.np_random)
        self._day = 0
        return self._observation(), {"action_mask": self.action_mask()}

    def step(self, action):
        if not self.action_space.contains(action):
            raise InvalidParameter(f"action must be an order in 0..{self.shop.capacity}"
                                   f", got {action!r}")
        on_hand, on_order = self._state
        order = min(int(action), self.shop.capacity - on_hand - on_order)
        demand = int(self.np_random.poisson(self.shop.demand_mean))
        left, arriving, cost = day_kernel(on_hand, on_order, order, demand,
                                          self.shop.holding_cost,
                                          self.shop.stockout_cost,
                                          self.shop.holding_on == "current")
        self._state = (int(left), int(arriving))
        self._day += 1
        info = {"action_mask": self.action_mask(), "order": order,
                "demand": demand, "cost": float(cost)}
        return (self._observation(), -float(cost), False,
                self._day >= self.max_days, info)

    def render(self):
        if self.render_mode == "ansi":
            on_hand, on_order = self._state
            return f"day {self._day}: {on_hand} on hand, {on_order} on order"
        return None


class InventoryEnv(gym.Env):
    """One of the paper's problems, ``problem`` = "P1", "P2" or "P3" (see the
    module docstring); ``changes`` override fields of the problem's settings
    (:class:`invlib.inventory.InventoryProblem`), e.g. ``periods=200``."""

    metadata = {"render_modes": [], "render_fps": 1}

    def __init__(self, problem: str = "P1", **changes):
        self.problem_name = problem
        self.problem = make_problem(problem, **changes)
        low, high = self.problem.observation_bounds
        self.observation_space = spaces.Box(low, high, dtype=np.float64)
        self.orders = np.array(self.problem.actions)
        self.action_space = spaces.Discrete(len(self.orders))
        self._model = np.array(self.problem.model)
        self._demand = self.problem.new_demand()
        self._x, self._pipeline = 0.0, np.zeros(self.problem.lead_time)
        self._period = 0

    def _observation(self) -> np.ndarray:
        if self.problem.agent_state == "position":
            seen = np.array([self._x + self._pipeline.sum()])
        else:
            seen = np.concatenate(([self._x], self._pipeline))
        low, high = self.problem.observation_bounds
        return np.clip(seen, low, high)

    def _state(self) -> tuple:
        return float(self._x), tuple(float(u) for u in self._pipeline)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        x, pipeline = start_state(self.problem, self.np_random)
        self._x, self._pipeline = x, np.array(pipeline)
        self._demand.reset()
        self._period = 0
        return self._observation(), {"state": self._state()}

    def step(self, action):
        if not self.action_space.contains(action):
            raise InvalidParameter(f"action must be an index in 0..{len(self.orders) - 1}"
                                   f" of the orders {tuple(self.problem.actions)}, got "
                                   f"{action!r}")
        order = float(self.orders[int(action)])
        demand = self._demand.draw(self.np_random)
        x, cost, terminated, terminal = period_kernel(
            self._x, self._pipeline, order, demand, self._model, self._pipeline)
        self._x = float(x)
        self._period += 1
        reward = -(cost + self.problem.discount * terminal)
        info = {"state": self._state(), "order": order, "demand": demand,
                "cost": float(cost), "terminal_cost": float(terminal)}
        truncated = not terminated and self._period >= self.problem.periods
        return self._observation(), float(reward), bool(terminated), truncated, info


def _register() -> None:
    def add(env_id, entry_point, **kwargs):
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=entry_point, kwargs=kwargs)

    add("invlib/BikeShop-v0", "invlib.envs:BikeShopEnv")
    for name in PROBLEMS:
        add(f"invlib/Inventory-{name}-v0", "invlib.envs:InventoryEnv", problem=name)


_register()
