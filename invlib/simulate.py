"""Simulate the bike shop under any policy, reproducibly from a seed.

The demands are drawn first, from the ``numpy.random.Generator`` the caller passes
(or one made from a seed), then a compiled loop applies the one-day function of
:mod:`invlib.bikeshop` day after day. The same seed gives the same days on every
machine, with or without the JIT.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from .bikeshop import BikeShop, day_kernel
from .checks import check_int


@dataclass(frozen=True)
class Simulation:
    on_hand: np.ndarray     # at 6 PM, before ordering, one entry per day
    on_order: np.ndarray
    order: np.ndarray
    demand: np.ndarray      # demand of the following day
    cost: np.ndarray        # cost of the following day

    @property
    def days(self) -> int:
        return len(self.cost)


@numba.njit(cache=True)
def _simulate(order_table, demand, on_hand, on_order, holding_cost, stockout_cost,
              holding_on_current):
    days = len(demand)
    out = np.empty((3, days), dtype=np.int64)
    cost = np.empty(days)
    for t in range(days):
        order = order_table[on_hand, on_order]
        out[0, t], out[1, t], out[2, t] = on_hand, on_order, order
        on_hand, on_order, cost[t] = day_kernel(on_hand, on_order, order, demand[t],
                                                holding_cost, stockout_cost,
                                                holding_on_current)
    return out, cost


def as_generator(rng) -> np.random.Generator:
    """Accept a Generator or a seed (int); anything else is an error."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(check_int("seed", rng, 0))


def simulate(shop: BikeShop, policy, days: int, rng, start=(0, 0)) -> Simulation:
    """Run ``policy`` (an order per state of ``shop.states``) for ``days`` days from
    ``start = (on_hand, on_order)``; ``rng`` is a Generator or a seed."""
    days = check_int("days", days, 0)
    rng = as_generator(rng)
    policy = np.asarray(policy, dtype=np.int64)
    states = shop.states
    if policy.shape != (len(states),):
        raise ValueError(f"policy must have one order per state ({len(states)}), "
                         f"got shape {policy.shape}")
    room = shop.capacity - states.sum(axis=1)
    if ((policy < 0) | (policy > room)).any():
        raise ValueError("policy orders more than the capacity allows in some state")
    on_hand = check_int("start on_hand", start[0], 0, shop.capacity)
    on_order = check_int("start on_order", start[1], 0, shop.capacity - on_hand)
    table = np.zeros((shop.capacity + 1, shop.capacity + 1), dtype=np.int64)
    table[states[:, 0], states[:, 1]] = policy
    demand = rng.poisson(shop.demand_mean, size=days).astype(np.int64)
    out, cost = _simulate(table, demand, on_hand, on_order, shop.holding_cost,
                          shop.stockout_cost, shop.holding_on == "current")
    return Simulation(out[0], out[1], out[2], demand, cost)
