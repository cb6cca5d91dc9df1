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

import numba
import numpy as np

from .dp import policy_matrix
from .mdp import FiniteMDP


def recurrent_classes(P: np.ndarray) -> list[np.ndarray]:
    """The closed communicating classes of the chain ``P`` (lists of states)."""
    # (imported here: slow to import; see mdp.py)
    from scipy.sparse.csgraph import connected_components
    n, label = connected_components(P > 0, directed=True, connection="strong")
    classes = []
    for k in range(n):
        members = np.flatnonzero(label == k)
        leaves = P[np.ix_(members, np.flatnonzero(label != k))].sum() > 0
        if not leaves:
            classes.append(members)
    return classes


@numba.njit(cache=True)
def _gth(Q):
    """Stationary distribution of the irreducible chain ``Q`` by the
    Grassmann-Taksar-Heyman elimination (nan if it underflows).

    It never forms ``1 - Q[i, i]``: a state's chance of leaving is the sum of its
    off-diagonal entries. With a large demand mean, ``1 - Q[i, i]`` is a tiny
    number that ``I - Q`` rounds away, and a plain linear solve then returns
    garbage or fails; this elimination only adds, multiplies and divides
    nonnegative numbers, so every entry keeps its relative accuracy."""
    A = Q.copy()
    n = A.shape[0]
    for k in range(n - 1, 0, -1):
        leave = 0.0
        for j in range(k):
            leave += A[k, j]
        if leave == 0.0:
            return np.full(n, np.nan)
        for i in range(k):
            A[i, k] /= leave
        for i in range(k):
            if A[i, k] != 0.0:
                for j in range(k):
                    A[i, j] += A[i, k] * A[k, j]
    mu = np.zeros(n)
    mu[0] = 1.0
    for k in range(1, n):
        for i in range(k):
            mu[k] += mu[i] * A[i, k]
    return mu / mu.sum()


@numba.njit(cache=True)
def _absorption(M):
    """Where a chain started in each transient state ends up: ``M`` holds the
    transient-to-transient probabilities in its first ``t`` columns and the
    transient-to-class probabilities after them; the answer is ``t x classes``
    (nan if it underflows).

    States are removed one at a time (state reduction): paths through the removed
    state are added to the others, and its row, taken without its self-loop and
    rescaled to sum to one, is kept for the back-substitution. As in :func:`_gth`,
    no difference of probabilities is ever formed."""
    M = M.copy()
    t, width = M.shape
    for k in range(t - 1, -1, -1):
        M[k, k] = 0.0
        leave = 0.0
        for j in range(width):
            leave += M[k, j]
        if leave == 0.0:
            return np.full((t, width - t), np.nan)
        for j in range(width):
            M[k, j] /= leave
        for i in range(k):
            if M[i, k] != 0.0:
                via = M[i, k]
                M[i, k] = 0.0
                for j in range(k):
                    M[i, j] += via * M[k, j]
                for j in range(t, width):
                    M[i, j] += via * M[k, j]
    B = M[:, t:].copy()
    for k in range(t):
        for j in range(k):
            if M[k, j] != 0.0:
                B[k] += M[k, j] * B[j]
    return B


class NumericalTrouble(ValueError):
    """A long-run quantity that doubles cannot represent (probabilities that
    underflow to zero along every path)."""


def _stationary_on(P: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Stationary distribution of the chain restricted to one closed class."""
    mu = _gth(np.ascontiguousarray(P[np.ix_(members, members)], dtype=np.float64))
    if not np.isfinite(mu).all():
        raise NumericalTrouble("the stationary distribution underflows: some "
                               "transition probabilities are below 1e-308")
    return mu


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
        # Probability of ending in each class from a transient state, B with
        # (I - P_TT) B = P_TR, the recurrent states grouped by class.
        recurrent = np.flatnonzero(~np.isnan(g))
        M = np.hstack([P[np.ix_(transient, transient)],
                       P[np.ix_(transient, recurrent)] @ absorb[recurrent]])
        B = _absorption(np.ascontiguousarray(M, dtype=np.float64))
        if not np.isfinite(B).all():
            raise NumericalTrouble("the absorption probabilities underflow: some "
                                   "transition probabilities are below 1e-308")
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
