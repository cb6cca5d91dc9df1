"""Simple ordering rules, and how to compare them with the optimum.

The *order-up-to* rule with level ``T`` tops the inventory position
``n = on_hand + on_order`` up to ``T``: order ``max(0, T - n)`` (never more than
the room ``C - n``). The article uses ``T = C``; :func:`order_up_to_table` scores
every level exactly, so the book can also compare with the *best* level.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bikeshop import BikeShop, start_distribution
from .checks import check_int
from .dp import evaluate_policy, greedy_policy
from .longrun import average_cost
from .mdp import FiniteMDP


def order_up_to(shop: BikeShop, level: int) -> np.ndarray:
    """The order-up-to policy with level ``level`` (``0..capacity``), per state."""
    level = check_int("level", level, 0, shop.capacity)
    n = shop.states.sum(axis=1)
    return np.minimum(shop.capacity - n, np.maximum(0, level - n))


def policy_grid(shop: BikeShop, policy) -> np.ndarray:
    """A per-state array laid out as a ``(C+1, C+1)`` grid over
    ``(on_hand, on_order)``, NaN where the state does not exist (for heat maps)."""
    C = shop.capacity
    grid = np.full((C + 1, C + 1), np.nan)
    states = shop.states
    grid[states[:, 0], states[:, 1]] = policy
    return grid


@dataclass(frozen=True)
class PolicyScore:
    discounted: float   # expected discounted cost from the article's random start
    per_day: float      # long-run average cost per day


def score(shop: BikeShop, mdp: FiniteMDP, policy) -> PolicyScore:
    """Both yardsticks of the book for one policy, computed exactly."""
    start = start_distribution(shop)
    return PolicyScore(float(start @ evaluate_policy(mdp, policy)),
                       average_cost(mdp, policy, start))


def order_up_to_table(shop: BikeShop, mdp: FiniteMDP) -> list[PolicyScore]:
    """Exact scores of the order-up-to rule for every level ``0..capacity``."""
    return [score(shop, mdp, order_up_to(shop, T)) for T in range(shop.capacity + 1)]


def best_order_up_to_level(scores: list[PolicyScore], by: str = "per_day") -> int:
    """The level with the lowest score (the smallest such level on ties)."""
    values = np.array([getattr(s, by) for s in scores])
    return int(greedy_policy(values[None, :])[0])     # the solvers' tie rule
