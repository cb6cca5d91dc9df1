"""Rumination: learning from the orders the shop did not place.

After a day in the shop its demand ``D`` is known, and with it what *any* order
would have led to: ``f(state, b, D)`` is the same one-day function the first chapter
introduced. A ruminative agent uses this to update ``Q(s, b)`` for the other
feasible orders ``b`` of the state, as if it had tried them, with SARSA's rule
(the next order ``b'`` in the imagined next state is chosen by the policy).

The family of Katanyukul & Chong differs only in how much each imagined update
counts and whether it happens at all:

=============  ============================================  ========================
agent          weight of the update of ``Q(s, b)``           ruminates
=============  ============================================  ========================
RSarsa         1                                             every period
PRS            ``pi_eps(b|s)``                                every period
PRS.Beta       ``(1 - omega) + omega * pi_eps(b|s)``          every period
RSarsa.TD      1                                             with prob. ``1 - omega``
PRS.TD         ``pi_eps(b|s)``                                with prob. ``1 - omega``
=============  ============================================  ========================

where ``pi_eps(b|s)`` is the epsilon-greedy probability of ordering ``b`` and the
calm factor is ``omega = exp(-|delta| / tau)``, with ``delta`` the TD error of the
real day and the surprise scale ``tau = kappa * |Q(s, a)|``: large surprises (early)
give ``omega`` near 0, small ones (late) near 1. (The paper calls them beta and eta;
the book's notation page explains the renaming.) The paper describes these formulas
in words; the book reconstructs them as above and exposes ``kappa``.
"""
from __future__ import annotations

import math

import numba

from .bikeshop import day_kernel
from .td import choose_kept, keep_favourite, policy_probability, td_target, update

#: How imagined updates are weighted (``"none"``: no rumination).
WEIGHTS = ("none", "all", "policy", "beta")
_WEIGHT_CODE = {name: i for i, name in enumerate(WEIGHTS)}

#: The named agents: (target, rumination weights, selective rumination).
AGENTS = {
    "qlearning": ("qlearning", "none", False),
    "sarsa": ("sarsa", "none", False),
    "rsarsa": ("sarsa", "all", False),
    "prs": ("sarsa", "policy", False),
    "prs-beta": ("sarsa", "beta", False),
    "rsarsa-td": ("sarsa", "all", True),
    "prs-td": ("sarsa", "policy", True),
}


def weight_code(name: str) -> int:
    return _WEIGHT_CODE[name]


@numba.njit(cache=True)
def beta(delta, q_sa, kappa):
    """The calm factor ``omega = exp(-|delta| / tau)`` with the surprise scale
    ``tau = kappa |Q(s, a)|`` (0 when ``tau`` is 0, that is, treat every error as
    large before anything is known). The name is the paper's: it calls omega beta."""
    tau = kappa * abs(q_sa)
    if tau == 0.0:
        return 0.0
    return math.exp(-abs(delta) / tau)


@numba.njit(cache=True)
def rumination_weight(weights, pi, b_value):
    """How much an imagined update of an order counts, given the agent's weights
    code (1 RSarsa, 2 PRS, 3 PRS.Beta), the order's policy probability ``pi`` and
    the calm factor ``b_value`` (omega)."""
    if weights == 1:                                     # RSarsa: all alike
        return 1.0
    if weights == 2:                                     # PRS: as the policy would
        return pi
    return (1.0 - b_value) + b_value * pi                # PRS.Beta: in between


@numba.njit(cache=True)
def ruminate(q, visits, favourites, row_of, index, on_hand, on_order, a, demand,
             capacity, holding_cost, stockout_cost, current, discount, learning_rate,
             step_power, epsilon, sarsa, weights, b_value, uniforms):
    """Imagined updates of every other feasible order ``b != a`` in the state
    ``(on_hand, on_order)`` for the day's ``demand``; ``uniforms[1 + b]`` chooses
    the next order in each imagined next state. ``favourites`` holds the greedy
    order of every row of ``q`` and is kept so (the agent acts on ``q`` itself:
    rumination is online). Returns how many updates were made."""
    row = row_of[index[on_hand, on_order]]
    room = capacity - on_hand - on_order
    # pi(b|s) of the policy as it stands before these updates
    favourite = favourites[row]
    for b in range(room + 1):
        if b == a:
            continue
        left, arriving, cost = day_kernel(on_hand, on_order, b, demand, holding_cost,
                                          stockout_cost, current)
        row2 = row_of[index[left, arriving]]
        room2 = capacity - left - arriving
        b2 = choose_kept(favourites, row2, room2, uniforms[1 + b], epsilon)
        target = td_target(q, row2, room2, b2, cost, discount, sarsa)
        weight = rumination_weight(weights, policy_probability(b, favourite, room,
                                                               epsilon), b_value)
        before = q[row, b]
        update(q, visits, row, b, target, learning_rate, step_power, weight)
        keep_favourite(q, favourites, row, b, room, before)
    return room
