"""The bike shop: the article's inventory problem, as a small parameter bundle.

Every evening at 6 PM the owner sees ``on_hand`` bikes in the shop and ``on_order``
bikes already on their way (they arrive tomorrow morning), and orders ``order``
more; those arrive the morning after tomorrow. During the day a Poisson number of
customers each want one bike; a customer who finds no bike walks away.

Everything the later chapters need about one day is in :func:`one_day`: given the
state, the order and the day's demand it returns the next state and the day's
cost. Dynamic programming averages it over the demand, simulation draws the
demand, and rumination (a later chapter) replays it with other orders.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .checks import InvalidParameter, check_choice, check_int, check_real

#: Largest capacity the exact solver accepts: the MDP has (C+1)(C+2)/2 states and
#: its dense transition array grows like C^5 (61 MB at C = 30).
MAX_CAPACITY = 30

HOLDING_ON = ("next", "current")

#: Smallest positive mean demand. Below it a day without customers is so likely
#: that ``1 - P(D = 0)`` loses most of its digits in double precision, and the
#: long-run costs would be computed from rounding noise (or not at all). A mean
#: of 0 (no customers ever) is exact and allowed.
MIN_DEMAND_MEAN = 1e-6


@dataclass(frozen=True)
class BikeShop:
    """Parameters of the bike shop (costs per bike per day, in dollars).

    ``holding_on="next"`` is the article's cost: holding cost on the bikes left at
    the end of the day. ``holding_on="current"`` is the variant of Rao & Jelvis:
    holding cost on the bikes on hand this evening.
    """
    capacity: int = 10
    demand_mean: float = 4.0
    holding_cost: float = 8.0
    stockout_cost: float = 10.0
    discount: float = 0.9
    holding_on: str = "next"

    def __post_init__(self):
        # Validate here so that no BikeShop with nonsense parameters can exist.
        object.__setattr__(self, "capacity",
                           check_int("capacity", self.capacity, 0, MAX_CAPACITY))
        object.__setattr__(self, "demand_mean", check_demand_mean(self.demand_mean))
        for name in ("holding_cost", "stockout_cost"):
            object.__setattr__(self, name, check_real(name, getattr(self, name), 0))
        object.__setattr__(self, "discount",
                           check_real("discount", self.discount, 0, 1, high_open=True))
        check_choice("holding_on", self.holding_on, HOLDING_ON)

    @property
    def states(self) -> np.ndarray:
        """All states ``(on_hand, on_order)`` with ``on_hand + on_order <= capacity``,
        ordered by ``on_hand`` then ``on_order``; shape ``(n_states, 2)``."""
        C = self.capacity
        return np.array([(a, b) for a in range(C + 1) for b in range(C + 1 - a)],
                        dtype=np.int64)

    @property
    def state_index(self) -> np.ndarray:
        """``state_index[on_hand, on_order]`` is the row of that state in
        :attr:`states`, or -1 where ``on_hand + on_order > capacity``."""
        C = self.capacity
        index = np.full((C + 1, C + 1), -1, dtype=np.int64)
        for i, (a, b) in enumerate(self.states):
            index[a, b] = i
        return index


def check_demand_mean(value) -> float:
    """Return ``value`` as a float if it is 0 or at least :data:`MIN_DEMAND_MEAN`."""
    try:
        mean = check_real("demand_mean", value, 0)
    except InvalidParameter:
        mean = None
    if mean is None or 0 < mean < MIN_DEMAND_MEAN:
        raise InvalidParameter(f"demand_mean must be 0 or a finite number in "
                               f"[{MIN_DEMAND_MEAN:g}, inf), got {value!r}")
    return mean


def bike_shop(capacity=10, demand_mean=4.0, holding_cost=8.0, stockout_cost=10.0,
              discount=0.9, holding_on="next") -> BikeShop:
    """Make a :class:`BikeShop`; the defaults are the article's settings."""
    return BikeShop(capacity, demand_mean, holding_cost, stockout_cost, discount,
                    holding_on)


@numba.njit(cache=True)
def day_kernel(on_hand, on_order, order, demand, holding_cost, stockout_cost,
               holding_on_current):
    """Compiled core of :func:`one_day` (no checks): returns
    ``(next_on_hand, next_on_order, cost)``."""
    stock = on_hand + on_order          # yesterday's order arrived this morning
    left = max(0, stock - demand)
    lost = max(0, demand - stock)
    held = on_hand if holding_on_current else left
    return left, order, holding_cost * held + stockout_cost * lost


def one_day(shop: BikeShop, state, order, demand):
    """The bike shop's one-day function ``f(state, order, demand)``.

    Returns ``(next_state, cost)`` where ``next_state = (max(0, n - D), order)``
    with ``n = on_hand + on_order``; the reward of the article is ``-cost``.
    """
    on_hand, on_order = (check_int(n, v, 0, shop.capacity)
                         for n, v in zip(("on_hand", "on_order"), state, strict=True))
    room = shop.capacity - on_hand - on_order
    if room < 0:
        raise ValueError(f"state {tuple(state)} is outside the shop: on_hand + on_order "
                         f"must be at most capacity {shop.capacity}")
    order = check_int("order", order, 0, room)
    demand = check_int("demand", demand, 0)
    left, arriving, cost = day_kernel(on_hand, on_order, order, demand, shop.holding_cost,
                                      shop.stockout_cost, shop.holding_on == "current")
    return (int(left), int(arriving)), float(cost)


def start_distribution(shop: BikeShop) -> np.ndarray:
    """The article's random start state as a distribution over :attr:`BikeShop.states`:
    ``on_hand`` uniform on ``0..C``, then ``on_order`` uniform on ``0..C - on_hand``."""
    C = shop.capacity
    on_hand = shop.states[:, 0]
    return 1.0 / ((C + 1) * (C + 1 - on_hand))


def random_start(shop: BikeShop, rng: np.random.Generator) -> tuple[int, int]:
    """Draw a start state the way the article does."""
    on_hand = int(rng.integers(0, shop.capacity + 1))
    on_order = int(rng.integers(0, shop.capacity - on_hand + 1))
    return on_hand, on_order
