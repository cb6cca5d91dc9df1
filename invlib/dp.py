"""Exact dynamic programming for a :class:`~invlib.mdp.FiniteMDP` with costs.

* :func:`evaluate_policy` - the discounted cost of a fixed policy, by one linear solve;
* :func:`value_iteration` - Bellman updates until the error bound is below ``tol``;
* :func:`policy_iteration` - evaluate, improve, repeat until the policy is stable;
* :func:`greedy_policy` - the best order for given values; ties within ``TIE`` go to
  the smaller order, so every solver returns the same policy.

A policy is an integer array: ``policy[s]`` is the order placed in state ``s``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import check_int, check_real
from .mdp import FiniteMDP

#: Two orders whose values differ by at most this much count as equally good.
TIE = 1e-9


def q_values(mdp: FiniteMDP, value: np.ndarray) -> np.ndarray:
    """``Q[s, a] = cost[s, a] + discount * sum_t transition[s, a, t] * value[t]``
    (infinite where ``a`` is infeasible)."""
    return mdp.cost + mdp.discount * (mdp.transition @ value)


def greedy_policy(q: np.ndarray, tie: float = TIE) -> np.ndarray:
    """The cheapest action per row of ``q``; among actions within ``tie`` of the
    cheapest, the smallest."""
    best = q.min(axis=1, keepdims=True)
    return np.argmax(q <= best + tie, axis=1)


def check_policy(mdp: FiniteMDP, policy) -> np.ndarray:
    """Return ``policy`` as an int array after checking its shape and feasibility."""
    policy = np.asarray(policy)
    if policy.shape != (mdp.n_states,) or not np.issubdtype(policy.dtype, np.integer):
        raise ValueError(f"policy must be an integer array of shape ({mdp.n_states},), "
                         f"got {policy.dtype} array of shape {policy.shape}")
    bad = (policy < 0) | (policy >= mdp.n_actions)
    bad[~bad] = ~mdp.feasible[np.flatnonzero(~bad), policy[~bad]]
    if bad.any():
        s = int(np.flatnonzero(bad)[0])
        raise ValueError(f"policy orders {policy[s]} in state {mdp.states[s].tolist()}, "
                         "which is not a feasible order there")
    return policy.astype(np.int64)


def policy_matrix(mdp: FiniteMDP, policy) -> tuple[np.ndarray, np.ndarray]:
    """The Markov chain of a policy: its transition matrix ``(S, S)`` and cost ``(S,)``.

    ``policy`` is an order per state, or a ``(S, A)`` array of probabilities of
    each order in each state (a randomised policy, such as epsilon-greedy)."""
    if np.ndim(policy) == 2:
        probs = check_probabilities(mdp, policy)
        cost = np.where(mdp.feasible, mdp.cost, 0.0)
        return np.einsum("sa,sat->st", probs, mdp.transition), (probs * cost).sum(axis=1)
    policy = check_policy(mdp, policy)
    rows = np.arange(mdp.n_states)
    return mdp.transition[rows, policy], mdp.cost[rows, policy]


def check_probabilities(mdp: FiniteMDP, probs) -> np.ndarray:
    """Return ``probs`` after checking it is a randomised policy of ``mdp``."""
    probs = np.asarray(probs, dtype=float)
    if probs.shape != (mdp.n_states, mdp.n_actions):
        shape = (mdp.n_states, mdp.n_actions)
        raise ValueError(f"a randomised policy must have shape {shape}, "
                         f"got {probs.shape}")
    if (probs < 0).any() or (probs[~mdp.feasible] > 0).any() or \
            not np.allclose(probs.sum(axis=1), 1.0, atol=1e-12):
        raise ValueError("a randomised policy needs non-negative probabilities on "
                         "feasible orders that sum to one in every state")
    return probs


def epsilon_greedy(mdp: FiniteMDP, policy, epsilon: float) -> np.ndarray:
    """The randomised policy that follows ``policy`` with probability
    ``1 - epsilon`` and otherwise orders uniformly among the feasible orders."""
    epsilon = check_real("epsilon", epsilon, 0, 1)
    policy = check_policy(mdp, policy)
    probs = epsilon * mdp.feasible / mdp.feasible.sum(axis=1, keepdims=True)
    probs[np.arange(mdp.n_states), policy] += 1 - epsilon
    return probs


def evaluate_policy(mdp: FiniteMDP, policy) -> np.ndarray:
    """Expected discounted cost of ``policy`` from each state: the solution of
    ``v = c_pi + discount * P_pi v``."""
    P, c = policy_matrix(mdp, policy)
    return np.linalg.solve(np.eye(mdp.n_states) - mdp.discount * P, c)


@dataclass(frozen=True)
class Solution:
    value: np.ndarray        # optimal expected discounted cost per state
    policy: np.ndarray       # optimal order per state
    iterations: int
    error_bound: float       # guaranteed bound on max |value - true optimal value|


def value_iteration(mdp: FiniteMDP, tol: float = 1e-10, max_iter: int = 100_000,
                    value=None) -> Solution:
    """Iterate ``v <- min_a Q(v)`` from ``value`` (zero by default).

    Stops when ``discount / (1 - discount) * max|v_new - v| <= tol``; the
    contraction property then guarantees ``max|v_new - v*| <= tol``.
    """
    tol = check_real("tol", tol, 0, low_open=True)
    max_iter = check_int("max_iter", max_iter, 1)
    g = mdp.discount
    v = np.zeros(mdp.n_states) if value is None else np.asarray(value, dtype=float)
    for k in range(1, max_iter + 1):  # noqa: B007 (k is returned: the count)
        v_new = q_values(mdp, v).min(axis=1)
        bound = g / (1 - g) * np.abs(v_new - v).max()
        v = v_new
        if bound <= tol:
            break
    else:
        raise RuntimeError(f"value iteration did not reach tol={tol:g} in {max_iter} "
                           f"iterations (error bound {bound:g}); raise max_iter")
    return Solution(v, greedy_policy(q_values(mdp, v)), k, bound)


def policy_iteration(mdp: FiniteMDP, policy=None, max_iter: int = 1_000) -> Solution:
    """Howard's policy iteration, from ``policy`` (order nothing, by default).

    Terminates when greedy improvement returns the same policy; with the fixed tie
    rule this happens after finitely many steps, and the result is exact up to the
    accuracy of the linear solves. When orders are worth the same to within
    rounding (a shop with almost no demand), the tie rule can send the policy
    round a cycle; once a policy comes back, an order is only replaced by one
    that is better by more than ``TIE``, which must end.
    """
    max_iter = check_int("max_iter", max_iter, 1)
    policy = (np.zeros(mdp.n_states, dtype=np.int64) if policy is None
              else check_policy(mdp, policy))
    seen, cycling = set(), False
    for k in range(1, max_iter + 1):
        v = evaluate_policy(mdp, policy)
        q = q_values(mdp, v)
        improved = greedy_policy(q)
        if cycling:
            current = q[np.arange(mdp.n_states), policy]
            improved = np.where(current <= q.min(axis=1) + TIE, policy, improved)
        if np.array_equal(improved, policy):
            return Solution(v, policy, k, 0.0)
        seen.add(policy.tobytes())
        cycling = cycling or improved.tobytes() in seen
        policy = improved
    raise RuntimeError(f"policy iteration did not settle in {max_iter} iterations")


def epsilon_greedy_values(mdp: FiniteMDP, epsilon: float, tol: float = 1e-10,
                          max_iter: int = 100_000) -> np.ndarray:
    """The action values an on-policy learner (SARSA and its family) converges to
    when it keeps exploring with probability ``epsilon``: the fixed point of

    ``Q(s, a) = c(s, a) + gamma * sum_t P(t | s, a) * [(1 - eps) min_b Q(t, b)
    + eps * mean_b Q(t, b)]``

    (means and minima over the feasible orders of ``t``). Like the Bellman
    operator it is a contraction, so iteration converges; it stops when the
    guaranteed error is below ``tol``. Returns ``Q`` with ``inf`` where infeasible.
    """
    epsilon = check_real("epsilon", epsilon, 0, 1)
    g = mdp.discount
    counts = mdp.feasible.sum(axis=1)
    q = np.where(mdp.feasible, 0.0, np.inf)
    for _ in range(max_iter):
        finite = np.where(mdp.feasible, q, 0.0)
        v = (1 - epsilon) * q.min(axis=1) + epsilon * finite.sum(axis=1) / counts
        q_new = mdp.cost + g * (mdp.transition @ v)
        change = np.abs(q_new[mdp.feasible] - q[mdp.feasible]).max()
        q = q_new
        if g / (1 - g) * change <= tol:
            return q
    raise RuntimeError(f"epsilon_greedy_values did not converge in {max_iter} iterations")
