"""The general periodic-review model: the paper's three problems P1, P2 and P3.

One item, a fixed lead time of ``L >= 1`` periods and backorders. The state is the
inventory level ``x`` (on hand minus backorders, so it may be negative, and it is a
real number because demand is) and the pipeline ``u = (u_1, ..., u_L)`` of orders
in transit, ``u_1`` arriving next. In one period the shop orders ``a >= 0``,
``u_1`` arrives, demand ``D`` occurs, ``x' = x + u_1 - D``, the pipeline moves up
one place and ``a`` joins its end. The period costs
``K [a > 0] + v a + h max(x', 0) + p max(-x', 0)``, with the unit order cost
``v`` (the book's symbol; the field :attr:`InventoryProblem.c` holds it).

Termination. The learners cover a box of states: ``x`` in ``[x_min, x_max]`` and
each ``u_i`` in ``[0, u_max]``. A next state outside it ends the episode. A
terminal value of zero would make leaving the box look cheap, and a learner could
come to leave it on purpose; so the terminal transition carries a *terminal cost*
that stands in for the value of the state left (for ``Q(s', a')`` in a target):
the cost of staying on the boundary it left through for the rest of a discounted
horizon, ``(boundary period cost) / (1 - gamma)``. The boundary period cost is
the holding or penalty cost of the level clipped to the box (``h x_max`` above,
``p |x_min|`` below) plus, if the pipeline overflowed, ``K + v u_max`` for
keeping it topped up (the book's orders never exceed ``u_max``, so this part never
arises there). Both are rough but deliberate over-estimates of a real
continuation, which is what removes the incentive to leave.

:func:`period_kernel` is the compiled ``f(s, a, D)`` that rumination needs;
:func:`step` and :func:`step_many_orders` are the checked Python doors to it.
The settings of the three problems are kept in one place, :func:`problem_p1`,
:func:`problem_p2` and :func:`problem_p3` (the published ones were lost; see the
book).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise
from typing import NamedTuple

import numba
import numpy as np

from .checks import InvalidParameter, check_choice, check_int, check_real, check_sequence
from .demand import DEMANDS, DemandProcess, check_generator, make_demand

#: The book's orders: 0, 2, ..., 40.
ACTIONS = tuple(range(0, 41, 2))

#: The boxes of inventory levels x the learners cover. "wide" is the book's: wide
#: enough that fewer than 1% of episodes end early under every agent and under a
#: good fixed policy exploring as the agents do (the agents' first episodes can
#: run x far down before they learn to order, and a runaway of large orders can
#: carry it far up; the book's last chapter measures both). "narrow" is the box
#: first tried, [-30, 60], in which up to 60% of the episodes end early; the book
#: keeps it as a variant to show what exits do to a comparison.
BOXES = {"wide": (-1200.0, 1500.0), "narrow": (-30.0, 60.0)}

AGENT_STATES = ("full", "position")


def _fmt(values) -> str:
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


@dataclass(frozen=True)
class InventoryProblem:
    """The settings of one problem; the defaults are P1's.

    ``start`` gives, for ``x`` and then each ``u_i``, the interval ``(low, high)``
    of a uniform start value (``low == high`` fixes it). ``demand`` names a process
    of :data:`invlib.demand.DEMANDS`, built from ``demand_params``. ``agent_state``
    is what a learner sees: ``"full"``, the state ``(x, u_1, ..., u_L)``, or
    ``"position"``, the inventory position ``y = x + sum(u)``.
    """
    lead_time: int = 1
    K: float = 10.0
    c: float = 2.0
    h: float = 1.0
    p: float = 10.0
    actions: tuple = ACTIONS
    x_range: tuple = BOXES["wide"]
    u_max: float = 40.0
    discount: float = 0.9
    demand: str = "normal"
    demand_params: tuple = (10.0, 3.0)
    start: tuple = ((0.0, 30.0), (0.0, 0.0))
    episodes: int = 100
    periods: int = 100
    early_window: int = 2000
    agent_state: str = "full"

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        L = check_int("lead_time", self.lead_time, 1)
        put("lead_time", L)
        for name in ("K", "c", "h", "p"):
            put(name, check_real(name, getattr(self, name), 0))
        actions = tuple(check_real(f"actions[{i}]", a, 0)
                        for i, a in enumerate(check_sequence("actions",
                                                             self.actions)))
        if not actions or any(b <= a for a, b in pairwise(actions)):
            raise InvalidParameter("actions must be a non-empty, strictly increasing "
                                   f"sequence of orders >= 0, got {self.actions!r}")
        put("actions", actions)
        x_min, x_max = self._pair("x_range", self.x_range)
        if x_min >= x_max:
            raise InvalidParameter("x_range must have x_min < x_max, got "
                                   f"{self.x_range!r}")
        put("x_range", (x_min, x_max))
        put("u_max", check_real("u_max", self.u_max, 0, low_open=True))
        put("discount", check_real("discount", self.discount, 0, 1, high_open=True))
        check_choice("demand", self.demand, tuple(DEMANDS))
        put("demand_params", check_sequence("demand_params", self.demand_params))
        self.new_demand()                    # bad demand settings fail here, not later
        if len(check_sequence("start", self.start)) != L + 1:
            raise InvalidParameter(f"start must hold L + 1 = {L + 1} intervals (x, then "
                                   f"each u_i), got {len(self.start)}")
        start = []
        for i, pair in enumerate(self.start):
            low, high = self._pair(f"start[{i}]", pair)
            box = (x_min, x_max) if i == 0 else (0.0, self.u_max)
            if not box[0] <= low <= high <= box[1]:
                raise InvalidParameter(f"start[{i}] must be an interval low <= high "
                                       f"inside [{box[0]:g}, {box[1]:g}], got {pair!r}")
            start.append((low, high))
        put("start", tuple(start))
        put("episodes", check_int("episodes", self.episodes, 1))
        put("periods", check_int("periods", self.periods, 1))
        put("early_window", check_int("early_window", self.early_window, 1,
                                      self.episodes * self.periods))
        check_choice("agent_state", self.agent_state, AGENT_STATES)

    @staticmethod
    def _pair(name, pair):
        try:
            low, high = pair
        except (TypeError, ValueError):
            raise InvalidParameter(f"{name} must be a pair (low, high), got {pair!r}") \
                from None
        return check_real(f"{name} low", low), check_real(f"{name} high", high)

    def new_demand(self) -> DemandProcess:
        """A fresh demand process with an empty history."""
        return make_demand(self.demand, self.demand_params)

    @property
    def model(self) -> tuple:
        """The numbers :func:`period_kernel` needs, in its order:
        ``(K, c, h, p, x_min, x_max, u_max, discount)``."""
        return (self.K, self.c, self.h, self.p, *self.x_range, self.u_max, self.discount)

    @property
    def observation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of what a learner sees (for a tile coder's box)."""
        x_min, x_max = self.x_range
        if self.agent_state == "position":
            return np.array([x_min]), np.array([x_max + self.lead_time * self.u_max])
        return (np.array([x_min] + [0.0] * self.lead_time),
                np.array([x_max] + [self.u_max] * self.lead_time))


def problem_p1(**changes) -> InventoryProblem:
    """P1: L = 1, Normal(10, 3) demand, learner sees ``(x, u_1)``."""
    return replace(InventoryProblem(), **changes)


def problem_p2(**changes) -> InventoryProblem:
    """P2: as P1 with K = 20, Normal(10, 5) demand, a random ``u_1`` at the start,
    and a learner that sees only the position ``y = x + u_1``."""
    return replace(InventoryProblem(K=20.0, demand_params=(10.0, 5.0),
                                    start=((0.0, 30.0), (0.0, 20.0)),
                                    agent_state="position"), **changes)


def problem_p3(**changes) -> InventoryProblem:
    """P3: L = 2, AR(1)/GARCH(1,1) demand, 200 episodes, early window 4000."""
    garch = (3.0, 0.7, 0.5, 0.2, 0.7, 10.0, 5.0, 0.0)
    return replace(InventoryProblem(lead_time=2, demand="garch", demand_params=garch,
                                    start=((0.0, 30.0), (0.0, 0.0), (0.0, 20.0)),
                                    episodes=200, early_window=4000), **changes)


@numba.njit(cache=True)
def period_kernel(x, pipeline, a, demand, model, out):
    """Compiled ``f(s, a, D)`` (no checks). Writes the next pipeline into ``out``
    (which may be ``pipeline`` itself) and returns
    ``(x_next, cost, terminated, terminal_cost)``; ``model`` is
    :attr:`InventoryProblem.model`."""
    K, c, h, p, x_min, x_max, u_max, discount = model
    L = len(pipeline)
    x_next = x + pipeline[0] - demand
    for i in range(L - 1):              # ascending, so shifting in place is safe
        out[i] = pipeline[i + 1]
    out[L - 1] = a
    cost = c * a + h * max(x_next, 0.0) + p * max(-x_next, 0.0)
    if a > 0:
        cost += K
    overflow = False
    for i in range(L):
        if out[i] < 0.0 or out[i] > u_max:
            overflow = True
    if not overflow and x_min <= x_next <= x_max:
        return x_next, cost, False, 0.0
    edge = min(max(x_next, x_min), x_max)
    stay = h * max(edge, 0.0) + p * max(-edge, 0.0)
    if overflow:
        stay += K + c * u_max
    return x_next, cost, True, stay / (1.0 - discount)


@numba.njit(cache=True)
def orders_kernel(x, pipeline, orders, demand, model, x_out, pipe_out, cost_out,
                  term_out, terminal_out):
    """:func:`period_kernel` for each of ``orders`` from one state and demand."""
    for k in range(len(orders)):
        x_out[k], cost_out[k], term_out[k], terminal_out[k] = period_kernel(
            x, pipeline, orders[k], demand, model, pipe_out[k])


class Transition(NamedTuple):
    state: tuple              # (x', (u_1', ..., u_L'))
    cost: float               # the period's cost
    terminated: bool          # the next state is outside the box
    terminal_cost: float      # stands in for the value of that state (0 if inside)


class Transitions(NamedTuple):
    """One :class:`Transition` per order, as arrays (``pipeline`` has one row each)."""
    x: np.ndarray
    pipeline: np.ndarray
    cost: np.ndarray
    terminated: np.ndarray
    terminal_cost: np.ndarray


def check_state(problem: InventoryProblem, state) -> tuple[float, np.ndarray]:
    """Return ``(x, pipeline array)`` if ``state = (x, (u_1, ..., u_L))`` lies in
    the problem's box (a state outside it is terminal and has no transitions)."""
    try:
        x, pipeline = state
        pipeline = list(pipeline)
    except (TypeError, ValueError):
        raise InvalidParameter(f"state must be (x, (u_1, ..., u_L)), got {state!r}") \
            from None
    if len(pipeline) != problem.lead_time:
        raise InvalidParameter(f"state's pipeline must hold lead_time = "
                               f"{problem.lead_time} orders, got {len(pipeline)}")
    x = check_real("x", x, *problem.x_range)
    u = [check_real(f"u{i + 1}", v, 0, problem.u_max) for i, v in enumerate(pipeline)]
    return x, np.array(u)


def _check_orders(problem: InventoryProblem, orders) -> np.ndarray:
    orders = np.atleast_1d(np.asarray(orders, dtype=float))
    if orders.ndim != 1:
        raise InvalidParameter(f"orders must be a flat list, got shape {orders.shape}")
    wrong = ~np.isin(orders, problem.actions)
    if wrong.any():
        raise InvalidParameter(f"order must be one of the problem's actions "
                               f"{_fmt(problem.actions)}, got {orders[wrong][0]:g}")
    return orders


def step(problem: InventoryProblem, state, order, demand) -> Transition:
    """One period from ``state`` with ``order`` and the period's ``demand``."""
    x, pipeline = check_state(problem, state)
    order = float(_check_orders(problem, [check_real("order", order, 0)])[0])
    demand = check_real("demand", demand, 0)
    out = np.empty(problem.lead_time)
    x2, cost, done, terminal = period_kernel(x, pipeline, order, demand, problem.model,
                                             out)
    return Transition((float(x2), tuple(float(v) for v in out)), float(cost), bool(done),
                      float(terminal))


def step_many_orders(problem: InventoryProblem, state, orders, demand) -> Transitions:
    """:func:`step` for every one of ``orders`` from the same state and demand (the
    imagined periods of rumination), in one compiled call."""
    x, pipeline = check_state(problem, state)
    orders = _check_orders(problem, orders)
    demand = check_real("demand", demand, 0)
    n = len(orders)
    result = Transitions(np.empty(n), np.empty((n, problem.lead_time)), np.empty(n),
                         np.empty(n, dtype=np.bool_), np.empty(n))
    orders_kernel(x, pipeline, orders, demand, problem.model, *result)
    return result


def start_state(problem: InventoryProblem, rng) -> tuple:
    """A random start state ``(x, (u_1, ..., u_L))``; consumes ``L + 1`` uniforms
    from ``rng`` (also for fixed components, so the count never varies)."""
    low, high = np.array(problem.start).T
    # uniform(low, high) bit for bit (numpy computes low + (high - low) * u too),
    # at a sixth of its cost with arrays: this runs once per episode
    values = low + (high - low) * check_generator(rng).random(len(low))
    return float(values[0]), tuple(float(v) for v in values[1:])


def observe(problem: InventoryProblem, state) -> np.ndarray:
    """What a learner sees of ``state``: ``(x, u_1, ..., u_L)`` or ``(x + sum(u),)``."""
    x, pipeline = check_state(problem, state)
    if problem.agent_state == "position":
        return np.array([x + pipeline.sum()])
    return np.concatenate(([x], pipeline))
