"""The book's figures, one function per figure, each returning its matplotlib Figure.

Every figure has a title, labelled axes with units and, where it shows more than
one series, a legend. Sizes are chosen to read well in the website's text column
(about 7 inches wide).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .bikeshop import BikeShop
from .policies import PolicyScore, policy_grid

WIDTH = 7.0


def daily_cycle():
    """The bike shop's timeline: when the owner orders, when bikes arrive, when
    customers come, and what the next evening's state is."""
    fig, ax = plt.subplots(figsize=(WIDTH, 2.9))
    # hours since the evening of day t (6 PM)
    events = [
        (0, "6 PM, day $t$\nsee $(\\alpha, \\beta)$,\norder $a$", "C0"),
        (12, "6 AM\n$\\beta$ bikes arrive", "C2"),
        (24, "6 PM, day $t+1$\nsee $(\\alpha', \\beta')$\n$=(\\max(0, \\alpha+\\beta-D), a)$",
         "C0"),
        (36, "6 AM\nthe $a$ bikes\narrive", "C2"),
    ]
    ax.axhline(0, color="0.3", lw=1.5, zorder=1)
    ax.axvspan(14, 24, ymin=0.35, ymax=0.65, color="C1", alpha=0.25, lw=0,
               label="shop open: demand $D \\sim$ Poisson($\\lambda$)")
    for hour, text, colour in events:
        ax.plot(hour, 0, "o", color=colour, ms=9, zorder=3)
        ax.annotate(text, (hour, 0), xytext=(0, 14 if hour % 24 == 0 else -16),
                    textcoords="offset points", ha="center",
                    va="bottom" if hour % 24 == 0 else "top", fontsize=8.5)
    ax.annotate("", xy=(36, 0.55), xytext=(0, 0.55),
                arrowprops=dict(arrowstyle="->", color="C3", lw=1.2))
    ax.text(18, 0.6, "lead time of an order: 36 hours", color="C3", ha="center",
            va="bottom", fontsize=8.5)
    ax.set_xlim(-4, 40)
    ax.set_ylim(-1.1, 1.1)
    ax.set_yticks([])
    ax.set_xticks([0, 12, 24, 36])
    ax.set_xlabel("hours after the order is placed")
    ax.set_title("One day in the bike shop")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def simulated_days(sim, title: str):
    """Stock, orders, demand and daily cost of a simulation, one panel each."""
    days = np.arange(1, sim.days + 1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 4.8), sharex=True)
    top.step(days, sim.on_hand, where="mid", label="on hand at 6 PM ($\\alpha$)")
    top.step(days, sim.on_order, where="mid", label="on order at 6 PM ($\\beta$)")
    top.bar(days, sim.demand, width=0.35, color="0.6", alpha=0.7,
            label="demand of the next day ($D$)")
    top.set_ylabel("bikes")
    top.set_title(title)
    top.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.06),
               frameon=False)
    bottom.bar(days, sim.cost, color="C3", width=0.6)
    bottom.set_ylabel("cost of the day ($)")
    bottom.set_xlabel("day")
    bottom.set_title(f"Daily cost, mean ${sim.cost.mean():.2f} per day")
    fig.tight_layout()
    return fig


def state_heatmap(shop: BikeShop, values, title: str, label: str, fmt="{:.0f}",
                  ax=None, cmap="viridis"):
    """Values per state as a grid over (bikes on hand, bikes on order), annotated."""
    grid = policy_grid(shop, values)
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(WIDTH * 0.62, WIDTH * 0.52))
    image = ax.imshow(grid, origin="lower", cmap=cmap, aspect="equal")
    C = shop.capacity
    if C <= 15:
        lo, hi = np.nanmin(grid), np.nanmax(grid)
        for a in range(C + 1):
            for b in range(C + 1 - a):
                light = (grid[a, b] - lo) < 0.5 * (hi - lo) if hi > lo else False
                ax.text(b, a, fmt.format(grid[a, b]), ha="center", va="center",
                        fontsize=7 if C > 10 else 8, color="w" if light else "k")
    ax.set_xlabel(r"bikes on order, $\beta$")
    ax.set_ylabel(r"bikes on hand, $\alpha$")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label=label, shrink=0.85)
    if own:
        ax.figure.tight_layout()
    return ax.figure


def order_against_position(shop: BikeShop, policy, title: str):
    """The order of each state against its inventory position ``alpha + beta``."""
    states = shop.states
    n = states.sum(axis=1)
    fig, ax = plt.subplots(figsize=(WIDTH * 0.8, 3.4))
    jitter = (states[:, 0] / max(shop.capacity, 1) - 0.5) * 0.3
    ax.scatter(n + jitter, policy, c=states[:, 0], cmap="viridis", s=22,
               label=r"one state (colour: bikes on hand $\alpha$)")
    ax.plot(np.arange(shop.capacity + 1), [policy[np.flatnonzero(n == k)[0]]
                                           for k in range(shop.capacity + 1)],
            color="0.4", lw=1, zorder=0, label="order of the first state with that position")
    ax.set_xlabel(r"inventory position $n = \alpha + \beta$ (bikes)")
    ax.set_ylabel("optimal order (bikes)")
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def order_up_to_costs(scores: list[PolicyScore], optimal: PolicyScore, title: str):
    """Exact cost of order-up-to for each level, both yardsticks, with the optimum."""
    levels = np.arange(len(scores))
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.2))
    for ax, key, label in ((axes[0], "discounted", "expected discounted cost ($)"),
                           (axes[1], "per_day", "long-run cost per day ($)")):
        values = [getattr(s, key) for s in scores]
        ax.plot(levels, values, "o-", label="order up to $T$")
        ax.axhline(getattr(optimal, key), color="C3", ls="--", label="optimal policy")
        ax.set_xlabel("order-up-to level $T$ (bikes)")
        ax.set_ylabel(label)
        ax.set_ylim(0, min(max(values), 3 * getattr(optimal, key)) * 1.05)
    axes[0].legend(fontsize=8, frameon=False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
