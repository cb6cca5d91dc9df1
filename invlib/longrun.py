"""Long-run behaviour of a fixed policy: where the shop spends its days, and what a
day costs on average in the long run.

A policy turns the MDP into a Markov chain with matrix ``P``. Its *recurrent
classes* are the closed groups of states it never leaves; each has one stationary
distribution ``mu`` (``mu P = mu``) and a long-run cost per day ``mu . c``. Most
sensible policies have one class, so the long-run cost per day is one number.
A strange policy (say, one that never orders once the shop is empty) can have
several, and then the answer depends on where the shop starts: :func:`gain` gives
it per start state, and :func:`average_cost` averages it over a start distribution.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import connected_components

from .dp import policy_matrix
from .mdp import FiniteMDP


def recurrent_classes(P: np.ndarray) -> list[np.ndarray]:
    """The closed communicating classes of the chain ``P`` (lists of states)."""
    n, label = connected_components(P > 0, directed=True, connection="strong")
    classes = []
    for k in range(n):
        members = np.flatnonzero(label == k)
        leaves = P[np.ix_(members, np.flatnonzero(label != k))].sum() > 0
        if not leaves:
            classes.append(members)
    return classes


def _stationary_on(P: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Stationary distribution of the chain restricted to one closed class."""
    Q = P[np.ix_(members, members)]
    m = len(members)
    # mu (I - Q) = 0 with sum(mu) = 1: replace one balance equation by the sum.
    A = (np.eye(m) - Q).T
    A[-1] = 1.0
    b = np.zeros(m)
    b[-1] = 1.0
    return np.linalg.solve(A, b)


def stationary_distribution(P: np.ndarray) -> np.ndarray:
    """The unique stationary distribution of a chain with one recurrent class.

    Raises ``ValueError`` if the chain has several (then no single answer exists:
    use :func:`gain`)."""
    classes = recurrent_classes(P)
    if len(classes) != 1:
        raise ValueError(f"the chain has {len(classes)} recurrent classes, so its "
                         "stationary distribution depends on the start state")
    mu = np.zeros(len(P))
    mu[classes[0]] = _stationary_on(P, classes[0])
    return mu


def gain(P: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Long-run average cost per step from each start state,
    ``lim (1/N) sum_{k<N} (P^k c)``, for any finite chain."""
    classes = recurrent_classes(P)
    g = np.full(len(P), np.nan)
    absorb = np.zeros((len(P), len(classes)))
    for j, members in enumerate(classes):
        g[members] = _stationary_on(P, members) @ c[members]
        absorb[members, j] = 1.0
    transient = np.flatnonzero(np.isnan(g))
    if len(transient):
        # Probability of ending in each class from a transient state:
        # B = (I - P_TT)^-1 P_TR, with the recurrent states grouped by class.
        recurrent = np.flatnonzero(~np.isnan(g))
        PTT = P[np.ix_(transient, transient)]
        PTR = P[np.ix_(transient, recurrent)] @ absorb[recurrent]
        B = np.linalg.solve(np.eye(len(transient)) - PTT, PTR)
        class_gain = np.array([g[m[0]] for m in classes])
        g[transient] = B @ class_gain
    return g


def average_cost(mdp: FiniteMDP, policy, start=None) -> float:
    """Long-run cost per day of ``policy``, averaged over the start distribution
    ``start`` (uniform over states by default; irrelevant when the chain has one
    recurrent class, as sensible policies do)."""
    P, c = policy_matrix(mdp, policy)
    g = gain(P, c)
    start = np.full(len(P), 1 / len(P)) if start is None else np.asarray(start)
    return float(start @ g)


def policy_stationary_distribution(mdp: FiniteMDP, policy) -> np.ndarray:
    """Stationary distribution of the chain that ``policy`` induces."""
    P, _ = policy_matrix(mdp, policy)
    return stationary_distribution(P)
