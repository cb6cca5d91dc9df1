"""The bike shop written out as an explicit finite Markov decision process.

A :class:`FiniteMDP` is a handful of arrays, in the spirit of Rao & Jelvis:

* ``transition[s, a, t]`` - probability that order ``a`` in state ``s`` leads to ``t``;
* ``cost[s, a]`` - expected cost of the day that follows;
* ``feasible[s, a]`` - whether order ``a`` fits under the capacity in state ``s``.

Infeasible pairs have a zero transition row and an infinite cost, so a minimum over
orders never picks them. The solvers in :mod:`invlib.dp` and :mod:`invlib.longrun`
work on any ``FiniteMDP``, not only the bike shop.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bikeshop import BikeShop


@dataclass(frozen=True)
class FiniteMDP:
    states: np.ndarray        # (S, ...) labels of the states
    transition: np.ndarray    # (S, A, S) probabilities, rows of infeasible pairs are 0
    cost: np.ndarray          # (S, A) expected one-step cost, +inf where infeasible
    feasible: np.ndarray      # (S, A) bool
    discount: float

    @property
    def n_states(self) -> int:
        return self.transition.shape[0]

    @property
    def n_actions(self) -> int:
        return self.transition.shape[1]


def poisson_pmf_and_tail(mean: float, largest: int):
    """``pmf[d] = P(D = d)`` for ``d = 0..largest`` and ``tail[n] = P(D >= n)`` for
    ``n = 0..largest``, both accurate far into the tail (no ``1 - cdf`` cancellation)."""
    # imported here: scipy.stats takes most of a second to import, which every
    # command-line call and every cluster worker would otherwise pay
    from scipy.stats import poisson
    d = np.arange(largest + 1)
    return poisson.pmf(d, mean), poisson.sf(d - 1, mean)


def expected_shortfalls(mean: float, largest: int):
    """For each stock level ``n = 0..largest``: ``E[max(0, n - D)]`` (bikes left over)
    and ``E[max(0, D - n)]`` (customers turned away), exactly.

    The first is a finite sum; the second follows from
    ``max(0, D - n) = D - n + max(0, n - D)``, so no infinite sum is truncated.
    """
    pmf, _ = poisson_pmf_and_tail(mean, largest)
    n = np.arange(largest + 1)
    left = np.array([np.dot(k - np.arange(k), pmf[:k]) for k in n])
    lost = mean - n + left
    return left, np.maximum(lost, 0.0)   # clip rounding noise below zero


def bike_shop_mdp(shop: BikeShop) -> FiniteMDP:
    """The exact MDP of the bike shop (costs, not rewards)."""
    C = shop.capacity
    states = shop.states
    index = shop.state_index
    S, A = len(states), C + 1
    pmf, tail = poisson_pmf_and_tail(shop.demand_mean, C)
    left, lost = expected_shortfalls(shop.demand_mean, C)

    transition = np.zeros((S, A, S))
    cost = np.full((S, A), np.inf)
    feasible = np.zeros((S, A), dtype=bool)
    for s, (on_hand, on_order) in enumerate(states):
        n = on_hand + on_order
        # Tomorrow evening: n - D bikes if the demand was below n, else none; all
        # demand of n or more lands in "none", which is how the tail is kept exact.
        next_on_hand = np.arange(n + 1)
        prob = np.concatenate(([tail[n]], pmf[n - 1::-1] if n else []))
        held = on_hand if shop.holding_on == "current" else left[n]
        for a in range(C - n + 1):
            feasible[s, a] = True
            transition[s, a, index[next_on_hand, a]] = prob
            cost[s, a] = shop.holding_cost * held + shop.stockout_cost * lost[n]
    return FiniteMDP(states, transition, cost, feasible, shop.discount)
