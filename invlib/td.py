"""Compiled building blocks of tabular temporal-difference learning.

Each function is a few lines of numba-compiled Python; :mod:`invlib.agents` and
:mod:`invlib.rumination` assemble them into learning loops. A table ``q`` holds
estimated costs, one row per state (or per group of states) and one column per
order; row ``r`` allows the orders ``0..room``.
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def invert(cdf, u):
    """The demand whose distribution function first exceeds the uniform ``u``."""
    if len(cdf) > 64:                 # long tables: binary search
        return np.searchsorted(cdf, u, side="right")
    d = 0                             # short tables: a scan from 0 is quicker
    while cdf[d] <= u:
        d += 1
    return d


@numba.njit(cache=True)
def greedy(q, row, room):
    """The cheapest order of a row (the smallest on ties)."""
    best = 0
    for a in range(1, room + 1):
        if q[row, a] < q[row, best]:
            best = a
    return best


@numba.njit(cache=True)
def explore(room, u, epsilon):
    """The order ``floor(u / epsilon * (room + 1))`` of a uniform ``u < epsilon``
    (``u / epsilon`` is uniform again)."""
    return min(int(u / epsilon * (room + 1)), room)


@numba.njit(cache=True)
def choose(q, row, room, u, epsilon):
    """Epsilon-greedy from one uniform ``u``: if ``u < epsilon`` an order drawn
    uniformly (:func:`explore`), else the greedy order."""
    if u < epsilon:
        return explore(room, u, epsilon)
    return greedy(q, row, room)


@numba.njit(cache=True)
def choose_kept(favourites, row, room, u, epsilon):
    """:func:`choose` with the greedy order of every row kept in ``favourites``
    (:func:`keep_favourite`), so a choice costs no scan of the row."""
    if u < epsilon:
        return explore(room, u, epsilon)
    return favourites[row]


@numba.njit(cache=True)
def keep_favourite(q, favourites, row, b, room, before):
    """Restore ``favourites[row] == greedy(q, row, room)`` after ``q[row, b]``
    changed from ``before`` (and nothing else in the row did). Only a rise of the
    favourite's own value needs a scan: any other change either leaves the
    favourite the smallest (ties to the smaller order) or makes ``b`` it."""
    favourite = favourites[row]
    value = q[row, b]
    if b == favourite:
        if value > before:
            favourites[row] = greedy(q, row, room)
    elif value < q[row, favourite] or (value == q[row, favourite] and b < favourite):
        favourites[row] = b


@numba.njit(cache=True)
def policy_probability(b, favourite, room, epsilon):
    """``pi_eps(b | s)``: probability that the epsilon-greedy policy whose greedy
    order is ``favourite`` orders ``b``: ``1 - epsilon + epsilon / |A(s)|`` for the
    greedy order, ``epsilon / |A(s)|`` otherwise, with ``|A(s)| = room + 1``
    feasible orders."""
    share = epsilon / (room + 1)
    return share + (1.0 - epsilon) if b == favourite else share


@numba.njit(cache=True)
def td_target(q, row2, room2, a2, cost, discount, sarsa):
    """SARSA's target ``c + gamma Q(s', a')`` or Q-learning's
    ``c + gamma min_b Q(s', b)``."""
    if sarsa:
        return cost + discount * q[row2, a2]
    best = q[row2, 0]
    for b in range(1, room2 + 1):       # a branch-free minimum: faster than greedy()
        best = min(best, q[row2, b])
    return cost + discount * best


@numba.njit(cache=True)
def update(q, visits, row, a, target, learning_rate, step_power, weight):
    """``Q(s, a) += weight * eta * (target - Q(s, a))`` where the step is
    ``eta = learning_rate / N(s, a)**step_power`` and ``N(s, a)`` counts the updates
    of the pair so far, each by its weight (a half-weight update is half a sample,
    so it slows the decay of the step only half as much; ``weight * eta`` never
    exceeds 1). A weight of 0 (an order the policy never takes, as PRS weighs
    it when epsilon is 0) is no sample at all, and changes nothing."""
    if weight == 0.0:
        return
    visits[row, a] += weight
    step = learning_rate if step_power == 0.0 else \
        learning_rate / visits[row, a] ** step_power
    q[row, a] += weight * step * (target - q[row, a])
