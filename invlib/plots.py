"""The book's figures, one function per figure, each returning its matplotlib Figure.

Every figure has a title, labelled axes with units and, where it shows more than
one series, a legend. Sizes are chosen to read well in the website's text column
(about 7 inches wide). Every figure function draws in the book's style (``STYLE``):
the Okabe-Ito palette, which stays distinct under every common colour-vision
deficiency, and legends and ticks of at least 9 pt.

One look per series, defined once: every series a figure draws by label is looked
up in the registry :data:`SERIES` (:func:`name`, :func:`style`), so that an agent
has the same name, colour and line style in every chapter, whether a chapter
passes its key (``"rsarsa"``), its name (``"RSarsa"``) or a spelling of its own
(``"qlearning, paper"``), and the optimal policy, the exploring optimum and the
best order-up-to level always look the same. Each agent has its own colour *and*
its own line style, so the agents stay apart in greyscale too
(``tests/test_plots.py`` checks the colours under simulated colour blindness).
Labels the registry does not know are drawn as before. Every axis label comes
from :data:`LABELS`, one per quantity.
"""
from __future__ import annotations

import contextlib
import functools
import re
import textwrap
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .bikeshop import BikeShop
from .policies import PolicyScore, policy_grid

WIDTH = 7.0

# Okabe & Ito's colour-blind-safe palette; "C0", "C1", ... in the figures index it.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
           "#000000", "#F0E442"]
STYLE = {
    "axes.prop_cycle": cycler(color=PALETTE),
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.labelsize": 10,
    "axes.titlesize": 11,
    # medians in black, so they never share a colour with a reference line
    "boxplot.medianprops.color": "black",
}


#: The colour map of every heat map of orders or values, and of the explorers'
#: policy tables (perceptually uniform and colour-blind safe).
HEATMAP = "viridis"


def contrast(first, second) -> float:
    """WCAG 2.1's contrast ratio of two sRGB colours (components in 0..1), from
    1 (the same) to 21 (black on white); AA asks 4.5 for text."""
    def luminance(rgb):
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                  for c in rgb[:3]]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


#: How a notebook stores the book's figures: PNG at twice the pixel density of the
#: page ("retina"), so they stay crisp on high-density screens, at 200% zoom and in
#: the PDF. (SVG would be sharper still, but its text ids and coordinates change
#: from run to run and CPU to CPU, and nbval compares SVG outputs.)
FIGURE_FORMAT = "retina"


def notebook_figures() -> None:
    """Store this notebook's figures as :data:`FIGURE_FORMAT` (called once, in a
    chapter's first cell; outside IPython it does nothing)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("config",
                             f"InlineBackend.figure_formats = ['{FIGURE_FORMAT}']")


@contextlib.contextmanager
def book_style():
    """Draw in the book's style inside the ``with`` block, then put back exactly
    the settings it changed. (``plt.rc_context`` would restore every setting,
    including the interactive mode that IPython switches on when the first figure
    is drawn inside it, and later figures would then never be shown.)"""
    saved = {key: matplotlib.rcParams[key] for key in STYLE}
    matplotlib.rcParams.update(STYLE)
    try:
        yield
    finally:
        matplotlib.rcParams.update(saved)


def styled(figure_function):
    """Draw ``figure_function`` in the book's style (:func:`book_style`). A
    notebook's own figures use ``with plots.book_style():``."""
    @functools.wraps(figure_function)
    def draw(*args, **kwargs):
        with book_style():
            return figure_function(*args, **kwargs)
    return draw


# --- Who is who in the figures -----------------------------------------------
# Every series a figure draws by label (an agent, a scheme of an agent, a
# reference cost) looks itself up here, so that an agent has one name, one colour
# and one line style in the whole book. Colour tells the agents apart, line style
# tells them apart again in greyscale, a marker tells a learning scheme from the
# paper's (the default of chapters 5-8), and the references are black or grey.


@dataclass(frozen=True)
class SeriesStyle:
    """How the figures show one agent or reference: its display ``name``, its
    ``colour`` (from :data:`PALETTE`, or a grey), its matplotlib ``linestyle``
    and an optional ``marker`` (drawn every tenth of the axes along a line)."""
    name: str
    colour: str
    linestyle: str | tuple
    marker: str | None = None

    def kwargs(self, label: str | None = None) -> dict:
        """matplotlib keyword arguments of a line (``Line2D``) in this style."""
        out = {"color": self.colour, "ls": self.linestyle,
               "label": self.name if label is None else label}
        if self.marker is not None:
            out.update(marker=self.marker, markevery=0.1, ms=4)
        return out


_BLUE, _ORANGE, _GREEN, _VERMILLION, _PURPLE, _SKY, _BLACK, _YELLOW = PALETTE

#: The agents of :data:`invlib.rumination.AGENTS`, each with its own colour and
#: its own line style.
AGENT_STYLES = {
    "qlearning": SeriesStyle("Q-learning", _VERMILLION, "--"),
    "sarsa": SeriesStyle("SARSA", _GREEN, "-"),
    "rsarsa": SeriesStyle("RSarsa", _BLUE, "-."),
    "prs": SeriesStyle("PRS", _ORANGE, ":"),
    "prs-beta": SeriesStyle("PRS.Beta", _PURPLE, (0, (5, 1))),
    "rsarsa-td": SeriesStyle("RSarsa.TD", _SKY, (0, (3, 1, 1, 1, 1, 1))),
    "prs-td": SeriesStyle("PRS.TD", _YELLOW, (0, (8, 2))),
}
#: Q-learning and SARSA under a named learning scheme (agents.py): the agent's
#: colour and line style; the paper's scheme (the default) without a marker,
#: the article's with crosses, the book's recommended one with dots.
SCHEMES = {"paper": ("paper's scheme", None), "article": ("article's scheme", "x"),
           "recommended": ("recommended scheme", "o")}
#: The reference costs the figures draw as lines.
REFERENCE_STYLES = {
    "optimal": SeriesStyle("optimal policy", _BLACK, "--"),
    "exploring": SeriesStyle("exploring optimum", "0.45", ":"),
    "order-up-to": SeriesStyle("best order-up-to level", "0.3", "-."),
}
#: Every series the figures know, by key.
SERIES: dict[str, SeriesStyle] = {
    **AGENT_STYLES,
    **{f"{agent}-{scheme}": SeriesStyle(f"{AGENT_STYLES[agent].name} ({words})",
                                        AGENT_STYLES[agent].colour,
                                        AGENT_STYLES[agent].linestyle, marker)
       for agent in ("qlearning", "sarsa")
       for scheme, (words, marker) in SCHEMES.items()},
    **REFERENCE_STYLES,
}


def _normal(label: str) -> str:
    return " ".join(label.replace("\u2019", "'").lower().split())


def _aliases() -> dict[str, str]:
    """Lower-case label -> key: keys, display names and the chapters' spellings."""
    out = {}
    for key, series in SERIES.items():
        out[_normal(key)] = out[_normal(series.name)] = key
    for agent in ("qlearning", "sarsa"):
        display = AGENT_STYLES[agent].name
        for scheme, (words, _) in SCHEMES.items():
            for who in (agent, display):
                for how in (scheme, words, f"{scheme} scheme"):
                    out[_normal(f"{who}, {how}")] = f"{agent}-{scheme}"
                    out[_normal(f"{who} ({how})")] = f"{agent}-{scheme}"
    # the Q-learning chapter's own names for the one scheme it starts from
    for spelling in ("article", "article's scheme", "the article's scheme"):
        out[spelling] = "qlearning-article"
    for spelling in ("optimal", "optimum", "the optimum", "optimal policy",
                     "the optimal policy", "optimal (dynamic programming)",
                     "optimal policy (dynamic programming)", "optimal cost"):
        out[spelling] = "optimal"
    for spelling in ("exploring", "exploring optimum", "optimum, exploring",
                     "optimal, exploring", "optimal policy, exploring",
                     "exploring optimal policy", "optimal policy exploring"):
        out[spelling] = "exploring"
    for spelling in ("order-up-to", "best order-up-to", "best order up to",
                     "best order-up-to level", "best order up to level",
                     "order-up-to, best level"):
        out[spelling] = "order-up-to"
    return out


_ALIASES = _aliases()
# the exploring optimum at a stated exploration rate: "exploring 10%",
# "optimum, exploring 10%", "exploring optimum (10%)"
_EXPLORING_AT = re.compile(r"^(?:the )?(?:(?:optimum|optimal(?: policy)?),? )?"
                           r"exploring(?: optimum)?,? \(?(?:at |ε = )?"
                           r"(\d+(?:\.\d+)?) ?%\)?$")


def _resolve(label) -> tuple[str | None, object]:
    """(registry key or None, display label) of a series label."""
    if not isinstance(label, str):
        return None, label
    text = _normal(label)
    if text in _ALIASES:
        key = _ALIASES[text]
        return key, SERIES[key].name
    match = _EXPLORING_AT.match(text)
    if match:
        return "exploring", f"{SERIES['exploring'].name} (ε = {match[1]}%)"
    # another reference with its details, such as "(θ, T), exploring 10%" or
    # "best order-up-to (T = 5)": the reference's style, the caller's words
    if "exploring" in text:
        return "exploring", label
    if text.startswith(("best order-up-to", "best order up to")):
        return "order-up-to", label
    # a known series with a second line, such as "...\n(20 seeds)"
    if "\n" in label:
        first, rest = label.split("\n", 1)
        key, shown = _resolve(first)
        if key is not None:
            return key, f"{shown}\n{rest}"
    return None, label


def name(key_or_label):
    """The display name of an agent, scheme or reference, from its key
    (``"prs-beta"``), its display name (``"PRS.Beta"``) or a spelling the
    chapters use (``"qlearning, paper"``, ``"optimum, exploring 10%"``); any
    other label is returned unchanged."""
    return _resolve(key_or_label)[1]


def style(key_or_label) -> dict | None:
    """matplotlib keyword arguments (``color``, ``ls``, ``label`` and, for a
    scheme, ``marker``) of a line in the style of the agent or reference that
    ``key_or_label`` names (as in :func:`name`), or None for any other label."""
    key, shown = _resolve(key_or_label)
    return None if key is None else SERIES[key].kwargs(shown)


def _colour_index(colour) -> int | None:
    """The position in :data:`PALETTE` of a colour ("C2", "#009E73"), if any."""
    if isinstance(colour, str):
        if re.fullmatch(r"C\d+", colour):
            return int(colour[1:]) % len(PALETTE)
        if colour.upper() in PALETTE:
            return PALETTE.index(colour.upper())
    return None


def _hex(colour) -> str:
    """A colour as "#rrggbb", "C{i}" read as the book's palette."""
    index = _colour_index(colour)
    if index is not None:
        return PALETTE[index].lower()
    try:
        return matplotlib.colors.to_hex(colour)
    except ValueError:
        return str(colour)


def _line_styles(labels, colours=None, styles=None, first: int = 0,
                 default_ls="-", default_colour=None, reserved=()) -> list[dict]:
    """Line keyword arguments of each series of one figure, in order.

    The caller's ``colours`` and ``styles`` win where given; otherwise a series
    the registry knows gets its colour and line style. Any other series is
    drawn as before the registry: ``default_colour``, or the palette's colour
    ``C{first + i}`` by position, and ``default_ls`` (one style, or a list to
    take by position), except that it passes over a palette colour (or, with a
    ``default_colour``, a line style) that another series of the same figure
    already uses, or that is ``reserved``. Without any known series and
    without ``reserved`` this is exactly the old drawing."""
    found = [_resolve(label) for label in labels]
    n = len(PALETTE)
    used = {_colour_index(c) for c in reserved}
    used |= {_colour_index(SERIES[key].colour) for key, _ in found if key}
    used |= {_colour_index(c) for c in (colours or []) if c is not None}
    used_pairs = {(_hex(SERIES[key].colour), str(SERIES[key].linestyle))
                  for key, _ in found if key}
    out = []
    for i, (key, shown) in enumerate(found):
        kwargs = SERIES[key].kwargs(shown) if key else {"label": shown}
        colour = colours[i] if colours is not None and i < len(colours) else None
        if colour is not None:
            kwargs["color"] = colour
        elif key is None and default_colour is not None:
            kwargs["color"] = default_colour
        elif key is None:
            index = (first + i) % n
            for step in range(n):
                if (index + step) % n not in used:
                    index = (index + step) % n
                    break
            used.add(index)
            kwargs["color"] = f"C{index}"
        ls = styles[i] if styles is not None and i < len(styles) else None
        if ls is not None:
            kwargs["ls"] = ls
        elif key is None and isinstance(default_ls, list):
            choices = list(default_ls)
            ls = choices[i % len(choices)]
            for step in range(len(choices)):
                option = choices[(i + step) % len(choices)]
                if (_hex(kwargs["color"]), str(option)) not in used_pairs:
                    ls = option
                    break
            kwargs["ls"] = ls
        elif key is None:
            kwargs["ls"] = default_ls
        used_pairs.add((_hex(kwargs["color"]), str(kwargs["ls"])))
        out.append(kwargs)
    return out


#: One axis label per quantity the figures show, so that the same quantity reads
#: the same in every chapter.
LABELS = {
    "training days": "training days",
    "day": "day",
    "period": "period",
    "hours after order": "hours after the order is placed",
    "cost per day": "cost per day ($)",
    "long-run cost per day": "long-run cost per day ($)",
    "discounted cost": "expected discounted cost ($)",
    "cost of the day": "cost of the day ($)",
    "total cost": "total cost so far (thousand $)",
    "gap": "extra cost per day over optimal (%)",
    "cost per period": "cost per period ($)",
    "mean cost per period": "mean cost per period ($)",
    "bikes": "bikes",
    "order": "order (bikes)",
    "optimal order": "optimal order (bikes)",
    "state": r"state $(\alpha, \beta)$, by bikes on hand, then on order",
    "on hand": r"bikes on hand, $\alpha$",
    "on order": r"bikes on order, $\beta$",
    "inventory position": r"inventory position $y = \alpha + \beta$ (bikes)",
    "order-up-to level": "order-up-to level $T$ (bikes)",
    "relative TD error": r"relative TD error $|\delta| \,/\, |Q(s, a)|$ (%)",
    "calm factor": r"calm factor $\omega$",
    "rumination": "days with rumination (%)",
    "demand": "demand (units)",
    "volatility": "standard deviation of the period (units)",
    "learning rate and exploration": "learning rate η (top) and exploration ε (bottom)",
    "kappa": "κ",
    "no kappa": "(no κ)",
}


def _noted(quantity: str, note: str) -> str:
    """The label of ``quantity`` with ``note`` added inside its unit's brackets
    (or after it, without a unit)."""
    label = LABELS[quantity]
    if label.endswith(")"):
        return f"{label[:-1]}, {note})"
    return f"{label} ({note})"


def _wrapped(label: str, width: int = 26) -> str:
    """A long axis label on two lines, so it fits beside a short axis."""
    return textwrap.fill(label, width) if len(label) > width else label


@styled
def daily_cycle():
    """The bike shop's timeline: when the owner orders, when bikes arrive, when
    customers come, and what the next evening's state is."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
    # (hour after the order, label, colour, label above the line?)
    events = [
        (0, "6 PM, day $t$\nsee $(\\alpha, \\beta)$, order $a$", "C0", True),
        (12, "6 AM\nthe $\\beta$ bikes\narrive", "C2", False),
        (24, "6 PM, day $t+1$\nsee $(\\max(0, \\alpha+\\beta-D),\\ a)$", "C0", True),
        (36, "6 AM\nthe $a$ bikes\narrive", "C2", False),
    ]
    ax.axhline(0, color="0.3", lw=1.5, zorder=1)
    ax.fill_between([14, 24], -0.25, 0.25, color="C1", alpha=0.3, lw=0,
                    label="shop open 8 AM - 6 PM: demand $D \\sim$ Poisson($\\lambda$)")
    for hour, text, colour, above in events:
        ax.plot(hour, 0, "o", color=colour, ms=9, zorder=3)
        ax.text(hour, 0.35 if above else -0.35, text, ha="center",
                va="bottom" if above else "top", fontsize=8.5)
    ax.annotate("", xy=(36, 1.35), xytext=(0, 1.35),
                arrowprops=dict(arrowstyle="->", color="C3", lw=1.2))
    ax.text(18, 1.42, "lead time of an order: 36 hours", color="C3", ha="center",
            va="bottom", fontsize=8.5)
    ax.set_xlim(-5, 41)
    ax.set_ylim(-1.45, 1.8)
    ax.set_yticks([])
    ax.set_xticks([0, 12, 24, 36])
    ax.set_xlabel(LABELS["hours after order"])
    ax.set_title("One day in the bike shop")
    ax.legend(loc="lower center", frameon=False, bbox_to_anchor=(0.5, -0.02))
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


@styled
def simulated_days(sim, title: str):
    """Stock, orders, demand and daily cost of a simulation, one panel each."""
    days = np.arange(1, sim.days + 1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 4.8), sharex=True)
    top.step(days, sim.on_hand, where="mid", label="on hand at 6 PM ($\\alpha$)")
    top.step(days, sim.on_order, where="mid", label="on order at 6 PM ($\\beta$)")
    top.bar(days, sim.demand, width=0.35, color="0.6", alpha=0.7,
            label="demand of the next day ($D$)")
    top.set_ylabel(LABELS["bikes"])
    top.set_title(title)
    top.legend(ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.06),
               frameon=False)
    bottom.bar(days, sim.cost, color="C3", width=0.6)
    bottom.set_ylabel(LABELS["cost of the day"])
    bottom.set_xlabel(LABELS["day"])
    bottom.set_title(f"Daily cost, mean ${sim.cost.mean():.2f} per day")
    fig.tight_layout()
    return fig


@styled
def state_heatmap(shop: BikeShop, values, title: str, label: str, fmt="{:.0f}",
                  ax=None, cmap=HEATMAP, vmin=None, vmax=None):
    """Values per state as a grid over (bikes on hand, bikes on order), annotated
    with ``fmt``: a format string or a function of the value."""
    grid = policy_grid(shop, values)
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(WIDTH * 0.62, WIDTH * 0.52))
    image = ax.imshow(grid, origin="lower", cmap=cmap, aspect="equal", vmin=vmin,
                      vmax=vmax)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    C = shop.capacity
    if C <= 15:
        for a in range(C + 1):
            for b in range(C + 1 - a):
                # black or white, whichever stands out more from the cell
                cell = image.cmap(image.norm(grid[a, b]))
                dark_cell = contrast(cell, (1, 1, 1)) > contrast(cell, (0, 0, 0))
                text = fmt(grid[a, b]) if callable(fmt) else fmt.format(grid[a, b])
                ax.text(b, a, text, ha="center", va="center",
                        fontsize=7 if C > 10 else 8, color="w" if dark_cell else "k")
    ax.set_xlabel(LABELS["on order"])
    ax.set_ylabel(LABELS["on hand"])
    ax.set_title(title)
    bar = ax.figure.colorbar(image, ax=ax, label=label, shrink=0.85)
    if np.allclose(grid[~np.isnan(grid)] % 1, 0):   # whole bikes: whole ticks
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    if own:
        ax.figure.tight_layout()
    return ax.figure


@styled
def order_against_position(shop: BikeShop, policy, title: str):
    """The order of each state against its inventory position ``y = alpha + beta``."""
    states = shop.states
    y = states.sum(axis=1)
    fig, ax = plt.subplots(figsize=(WIDTH * 0.8, 3.4))
    jitter = (states[:, 0] / max(shop.capacity, 1) - 0.5) * 0.3
    ax.scatter(y + jitter, policy, c=states[:, 0], cmap=HEATMAP, s=22,
               label=r"one state (colour: bikes on hand $\alpha$)")
    # (if the order depends on y only, this line passes through every dot)
    ax.plot(np.arange(shop.capacity + 1), [policy[np.flatnonzero(y == k)[0]]
                                           for k in range(shop.capacity + 1)],
            color="0.4", lw=1, zorder=0, label="order as a function of $y$ alone")
    ax.set_xlabel(LABELS["inventory position"])
    ax.set_ylabel(LABELS["optimal order"])
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


@styled
def order_up_to_costs(scores: list[PolicyScore], optimal: PolicyScore, title: str):
    """Exact cost of order-up-to for each level, both yardsticks, with the optimum."""
    levels = np.arange(len(scores))
    # stacked, so each panel keeps the full width on a phone
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH * 0.8, 5.6), sharex=True)
    for ax, key, label in ((axes[0], "discounted", LABELS["discounted cost"]),
                           (axes[1], "per_day", LABELS["long-run cost per day"])):
        values = [getattr(s, key) for s in scores]
        ax.plot(levels, values, "o-", label="order up to $T$")
        ax.axhline(getattr(optimal, key), **style("optimal"))
        ax.set_ylabel(label)
        ax.set_ylim(0, min(max(values), 3 * getattr(optimal, key)) * 1.05)
    axes[0].legend(frameon=False)
    axes[1].set_xlabel(LABELS["order-up-to level"])
    fig.suptitle(title)
    fig.tight_layout()
    return fig


@styled
def orders_per_state(shop: BikeShop, policies: dict, title: str, optimal=None):
    """Order per state as grouped bars (the article's figures), optionally with the
    optimal order as black dots. States are labelled ``alpha,beta``."""
    states = shop.states
    x = np.arange(len(states))
    # narrower than the column, so that its text stays legible on a phone
    fig, ax = plt.subplots(figsize=(WIDTH * 0.75, 3.8))
    width = 0.8 / len(policies)
    looks = _line_styles(policies,
                         reserved=([SERIES["optimal"].colour] if optimal is not None
                                   else ()))
    for i, (look, policy) in enumerate(zip(looks, policies.values(), strict=True)):
        ax.bar(x + (i - (len(policies) - 1) / 2) * width, policy, width=width,
               color=look["color"], label=look["label"])
    if optimal is not None:
        ax.plot(x, optimal, ".", color=SERIES["optimal"].colour, ms=5,
                label=f"{name('optimal')} (dynamic programming)")
    # one tick per position block: the first state with each on-hand count
    first = [int(np.flatnonzero(states[:, 0] == a)[0]) for a in range(shop.capacity + 1)]
    shown = []
    for a in range(0, shop.capacity + 1, 1 if shop.capacity <= 6 else 2):
        if not shown or first[a] - first[shown[-1]] >= 7:   # labels never touch
            shown.append(a)
    ax.set_xticks([first[a] for a in shown], [f"({a},0)" for a in shown], fontsize=9)
    ax.set_xlim(-1, len(states))
    ax.set_xlabel(LABELS["state"])
    ax.set_ylabel(LABELS["order"])
    ax.set_title(title)
    # below the axes: above them it would hide the tallest bars
    ax.legend(frameon=False, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    fig.tight_layout()
    return fig


@styled
def cumulative_costs(runs: dict, title: str):
    """Total cost paid so far, day by day, for simulations on the same demands."""
    fig, ax = plt.subplots(figsize=(WIDTH * 0.7, 3.4))
    for look, sim in zip(_line_styles(runs), runs.values(), strict=True):
        days = np.arange(1, sim.days + 1)
        look["label"] = f"{look['label']}: {sim.cost.sum():,.0f} $"
        ax.plot(days, np.cumsum(sim.cost) / 1000, **look)
    ax.set_xlabel(LABELS["day"])
    ax.set_ylabel(LABELS["total cost"])
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


@styled
def cost_per_seed(groups: dict, lines: dict, title: str):
    """Exact long-run cost per day of learned policies, one dot per seed and a box
    per group, against reference costs drawn as horizontal lines."""
    fig, ax = plt.subplots(figsize=(WIDTH * 0.6, 4.4))
    labels = [name(label) for label in groups]
    rng = np.random.default_rng(0)          # only spreads the dots sideways
    dots = [(style(label) or {}).get("color", "C0") for label in groups]
    for i, (values, colour) in enumerate(zip(groups.values(), dots, strict=True)):
        values = np.asarray(values)
        ax.boxplot(values, positions=[i], widths=0.5, showfliers=False)
        ax.plot(i + rng.uniform(-0.15, 0.15, len(values)), values, "o", ms=3.5,
                alpha=0.7, color=colour)
    for look, value in zip(_line_styles(lines, first=1, default_ls=["--", ":", "-."],
                                        reserved=dots), lines.values(), strict=True):
        look["label"] = f"{look['label']} ({value:.2f})"
        ax.axhline(value, **look)
    ax.set_xticks(range(len(labels)), labels, fontsize=9)
    ax.set_ylabel(LABELS["long-run cost per day"])
    ax.set_title(title)
    # below the axes, so the boxes keep the full width on a phone
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    fig.tight_layout()
    return fig


def days_axis(axis) -> None:
    """Label a count of days as 0, 200k, ..., 1M."""
    axis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{v / 1e6:g}M" if v >= 1e6 else f"{v / 1e3:g}k" if v else "0"))


@styled
def gap_curves(steps, curves: dict, title: str, within: float = 0.01, ax=None,
               colours=None, styles=None, width: float = WIDTH):
    """Exact gap to the optimum of the greedy policy as training proceeds:
    the median over seeds as a line, the middle half of the seeds as a band.
    ``styles`` gives line styles, so curves that coincide stay distinguishable;
    a smaller ``width`` (inches) keeps the text legible on a phone."""
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(width, 3.6))
    looks = _line_styles(curves, colours, styles)
    for look, gaps in zip(looks, curves.values(), strict=True):
        _band(ax, steps, 100 * np.asarray(gaps), look)
    ax.axhline(100 * within, color="k", ls=(0, (1, 1)), lw=1,
               label=f"{100 * within:g}% above optimal")
    # linear near zero (where the good schemes end), logarithmic above 1%
    ax.set_yscale("symlog", linthresh=1, linscale=0.6)
    ax.set_ylim(0, None)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    days_axis(ax.xaxis)
    ax.set_xlabel(LABELS["training days"])
    # narrow figures wrap the label shorter, so it never runs past the axes
    ax.set_ylabel(_wrapped(_noted("gap", "log scale above 1"), 30 if width > 6 else 22))
    ax.set_title(title)
    if own:
        # long labels go one per row, so the legend is never wider than the figure
        longest = max(len(text) for text in ax.get_legend_handles_labels()[1])
        columns = 1 if longest * 0.075 * 2 > width else (3 if width > 6 else 2)
        ax.legend(frameon=False, loc="upper center", ncol=columns,
                  bbox_to_anchor=(0.5, -0.3 if columns == 1 else -0.2))
        fig.tight_layout()
    else:
        ax.legend(frameon=False)
    return ax.figure


@styled
def learned_against_optimal(shop: BikeShop, learned, optimal, learned_cost: float,
                            optimal_cost: float, title: str):
    """The learned greedy policy beside the optimal one, with their exact costs."""
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.3))
    top = max(np.max(learned), np.max(optimal))      # one colour scale for both
    state_heatmap(shop, learned, f"learned: {learned_cost:.2f} $ per day",
                  LABELS["order"], ax=axes[0], vmin=0, vmax=top)
    state_heatmap(shop, optimal, f"optimal: {optimal_cost:.2f} $ per day",
                  LABELS["order"], ax=axes[1], vmin=0, vmax=top)
    differ = int(np.sum(np.asarray(learned) != np.asarray(optimal)))
    gap = 100 * (learned_cost / optimal_cost - 1)
    fig.suptitle(f"{title}\n{differ} states differ, {gap:+.1f}% cost per day",
                 fontsize=10)
    fig.tight_layout()
    return fig


def band(ax, x, values, label, colour=None, percentiles=(25, 50, 75), linestyle=None):
    """Median over rows of ``values`` as a line, the middle half as a band. A
    ``label`` the registry knows (:func:`style`) gives the name, colour and line
    style, unless ``colour`` or ``linestyle`` is given; any other label is drawn
    in ``colour`` (default "C0") and ``linestyle`` (default solid)."""
    look = _line_styles([label], [colour], [linestyle],
                        default_colour="C0" if colour is None else None)[0]
    _band(ax, x, values, look, percentiles)


def _band(ax, x, values, look: dict, percentiles=(25, 50, 75)):
    lo, mid, hi = np.percentile(np.asarray(values), percentiles, axis=0)
    ax.plot(x, mid, **look)
    ax.fill_between(x, lo, hi, color=look["color"], alpha=0.2, lw=0)


@styled
def cost_while_learning(days, curves: dict, lines: dict, title: str, ax=None,
                        styles=None):
    """Cost paid per day while learning (a row per seed, already smoothed), median
    and middle half over seeds, against reference costs as horizontal lines.
    ``styles`` gives line styles, so curves that coincide stay distinguishable."""
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    looks = _line_styles(curves, styles=styles)
    for look, values in zip(looks, curves.values(), strict=True):
        _band(ax, days, values, look)
    for look, value in zip(_line_styles(lines, default_ls=["--", ":", "-."],
                                        default_colour="k"), lines.values(), strict=True):
        look["label"] = f"{look['label']} ({value:.2f})"
        ax.axhline(value, lw=1, **look)
    days_axis(ax.xaxis)
    ax.set_xlabel(LABELS["training days"])
    ax.set_ylabel(LABELS["cost per day"])
    ax.set_title(title)
    ax.legend(frameon=False, loc="upper right")
    if own:
        fig.tight_layout()
    return ax.figure


def moving_average(values, window: int) -> np.ndarray:
    """Trailing moving average along the last axis (shorter at the start)."""
    values = np.asarray(values, dtype=float)
    total = np.cumsum(values, axis=-1)
    out = total.copy()
    out[..., window:] = total[..., window:] - total[..., :-window]
    count = np.minimum(np.arange(1, values.shape[-1] + 1), window)
    return out / count


@styled
def beta_against_error(kappas, title: str, largest: float = 1.0):
    """The calm factor ``omega = exp(-|delta| / (kappa |Q|))`` (the paper's beta)
    against the relative TD error ``|delta| / |Q(s, a)|``, one curve per ``kappa``
    (the paper's figure 3)."""
    relative = np.linspace(0, largest, 300)
    fig, ax = plt.subplots(figsize=(WIDTH * 0.8, 3.4))
    for kappa in kappas:
        ax.plot(100 * relative, np.exp(-relative / kappa), label=f"$\\kappa$ = {kappa:g}")
    ax.set_xlabel(LABELS["relative TD error"])
    ax.set_ylabel(LABELS["calm factor"])
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


@styled
def tilings_picture(coder, point, title: str, labels=("x", "y")):
    """The tilings of a two-dimensional tile coder over its box, each in its own
    colour, with the tile each tiling activates for ``point`` shaded."""
    from matplotlib.patches import Rectangle
    fig, ax = plt.subplots(figsize=(WIDTH * 0.8, 4.2))
    lower, width, tiles = coder.lower, coder.width, coder.tiles
    for k, shift in enumerate(coder.offsets):
        colour = f"C{k}"
        origin = lower - shift                    # grid lines of this tiling
        for d, draw in ((0, ax.axvline), (1, ax.axhline)):
            for i in range(tiles[d] + 2):
                draw(origin[d] + i * width[d], color=colour, lw=0.8, alpha=0.7)
        cell = np.floor((np.asarray(point) - origin) / width)
        ax.add_patch(Rectangle(origin + cell * width, width[0], width[1], color=colour,
                               alpha=0.18, label=f"tiling {k + 1}: active tile"))
    ax.plot(*point, "k*", ms=12, label="the point")
    ax.set_xlim(lower[0], coder.upper[0])
    ax.set_ylim(lower[1], coder.upper[1])
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title)
    ax.legend(frameon=True, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig


@styled
def experiment_curves(curves: dict, title: str, early_window: int, floor=None,
                      labels=None, window: int = 1000):
    """Moving averages of the cost per period, one line per agent (the paper's
    figures 4-6), drawn from the first full window on, with the end of the early
    window and an optional floor."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    for look, (agent, values) in zip(_line_styles(curves), curves.items(), strict=True):
        periods = np.arange(1, len(values) + 1)
        look["label"] = (labels or {}).get(agent, look["label"])
        ax.plot(periods[window - 1:], values[window - 1:], lw=1.2, **look)
    ax.axvline(early_window, color="0.6", ls="-", lw=0.8, label="end of early window")
    if floor is not None:
        look = style(floor[0]) or {"color": "k", "ls": "--", "label": floor[0]}
        look["label"] = f"{look['label']} ({floor[1]:.1f})"
        ax.axhline(floor[1], lw=1.2, **look)
    ax.set_xlabel(LABELS["period"])
    ax.set_ylabel(_wrapped(_noted("cost per period", f"moving average of {window}")))
    ax.set_title(title)
    # below the axes, so the curves keep the full width on a phone
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncol=3)
    fig.tight_layout()
    return fig


@styled
def experiment_boxes(boxes: dict, title: str, labels=None):
    """Each repetition's mean cost per period, early (top) and later (bottom), as
    a box per agent (the paper's figures 7-8)."""
    # stacked, so each panel keeps the full width on a phone
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH * 0.8, 6.4), sharey=False)
    names = [(labels or {}).get(a, name(a)) for a in boxes]
    colours = [(style(a) or {}).get("color") for a in boxes]
    for ax, window in zip(axes, ("early", "later"), strict=True):
        data = [np.asarray(b[window])[np.isfinite(b[window])] for b in boxes.values()]
        parts = ax.boxplot(data)
        for i, colour in enumerate(colours):     # the agent's colour, black medians
            if colour is not None:
                for part in (parts["boxes"][i:i + 1] + parts["whiskers"][2 * i:2 * i + 2]
                             + parts["caps"][2 * i:2 * i + 2]):
                    part.set_color(colour)
                    part.set_linewidth(1.5)
        ax.set_xticks(range(1, len(names) + 1), names)
        ax.set_title(f"{window} periods")
        ax.set_ylabel(_wrapped(LABELS["mean cost per period"], 15))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


@styled
def demand_spells(series: dict, volatility, title: str):
    """Demand paths, one panel each (``series``: label -> path), and below them
    the volatility ``sigma_t`` of the GARCH demand (``volatility``: (label,
    values)) against the constant standard deviation of each Normal demand
    (``series`` values may be ``(path, std)``). Stacked, so that a phone keeps
    the full width; calm and stormy spells show as stretches of low and high
    ``sigma_t`` and, above, of small and large swings."""
    n = len(series)
    fig, axes = plt.subplots(n + 1, 1, figsize=(WIDTH * 0.8, 2.0 * n + 2.9),
                             sharex=True)
    paths = [np.asarray(p[0] if isinstance(p, tuple) else p, float)
             for p in series.values()]
    top = 1.05 * max(path.max() for path in paths)
    for i, (ax, label, path) in enumerate(zip(axes[:n], series, paths, strict=True)):
        ax.plot(np.arange(1, len(path) + 1), path, lw=0.7, color=f"C{i}")
        ax.set_ylabel(_wrapped(LABELS["demand"], 10))
        ax.set_title(label, fontsize=10)
        ax.set_ylim(0, top)                 # the same scale for every path
    bottom = axes[-1]
    label, sigma = volatility
    sigma = np.asarray(sigma, float)
    bottom.plot(np.arange(1, len(sigma) + 1), sigma, lw=1.0,
                color=f"C{list(series).index(label)}" if label in series
                else "C1", label=f"{label}: $\\sigma_t$")
    for i, (caption, path) in enumerate(series.items()):
        if isinstance(path, tuple):
            bottom.axhline(path[1], color=f"C{i}", ls="--", lw=1.2,
                           label=f"{caption}: constant")
    bottom.set_ylabel(_wrapped(LABELS["volatility"], 21))
    bottom.set_xlabel(LABELS["period"])
    bottom.set_ylim(0, None)
    bottom.legend(frameon=False, loc="upper center", ncol=1,
                  bbox_to_anchor=(0.5, -0.35))   # below, clear of the curve
    fig.suptitle(title)
    fig.tight_layout()
    return fig


@styled
def rumination_rates(days, rates: dict, title: str):
    """The share of days on which selective agents ruminate, per stretch of
    training (``rates``: label -> array seeds x stretches, in percent), median
    and middle half over seeds, on a log axis of training days."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for look, values in zip(_line_styles(rates), rates.values(), strict=True):
        _band(ax, days, values, look)
    ax.set_xscale("log")             # the change happens in the first weeks
    ax.set_ylim(0, None)
    ax.set_xlabel(_noted("training days", "log scale"))
    ax.set_ylabel(LABELS["rumination"])
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def _map_panels(maps: list):
    """A figure with one heat-map panel per problem, stacked (a phone reads them
    one below the other), sized to the number of kappa rows."""
    rows = len(maps[0]["kappas"])
    panel = max(1.2, 0.3 * rows + 0.75)
    fig, axes = plt.subplots(len(maps), 1, figsize=(WIDTH * 0.9,
                                                     1.9 + panel * len(maps)),
                             squeeze=False, layout="constrained")
    return fig, axes[:, 0]


def _map_axes(ax, m, title: str) -> None:
    """Ticks and labels of one panel: (learning rate, epsilon) along x, kappa
    down y (or one row without kappa)."""
    ax.set_xticks(range(len(m["columns"])))
    ax.set_xticklabels([f"{a:g}\n{e:g}" for a, e in m["columns"]])
    if m["kappas"][0] is None:
        ax.set_yticks([0])
        ax.set_yticklabels(["–"])
        ax.set_ylabel(LABELS["no kappa"])
    else:
        ax.set_yticks(range(len(m["kappas"])))
        ax.set_yticklabels([f"{k:g}" for k in m["kappas"]])
        ax.set_ylabel(LABELS["kappa"])
    ax.set_title(title, fontsize=10)


def _mark(ax, where, label: str) -> None:
    ys, xs = np.nonzero(where)
    ax.scatter(xs, ys, s=28, c="white", edgecolors="black", linewidths=0.6,
               label=label)


def _finish_maps(fig, axes, image, label: str, marker: str, title: str, ticks=None):
    axes[-1].set_xlabel(LABELS["learning rate and exploration"])
    bar = fig.colorbar(image, ax=list(axes), location="bottom", shrink=0.85,
                       aspect=40, label=label)
    if ticks is not None:
        bar.set_ticks(ticks)
        bar.set_ticklabels([f"{t:g}" for t in ticks])
    dot = plt.Line2D([], [], ls="", marker="o", mfc="white", mec="black",
                     label=marker)
    fig.legend(handles=[dot], loc="outside lower center", frameon=False)
    fig.suptitle(title)


@styled
def claim_maps(maps: list, title: str, label: str = "mean difference, agent − SARSA "
               "($/period)"):
    """Heat maps of one claim (:func:`invlib.robustness.claim_map`), one panel
    per problem, stacked: colour = the mean paired difference agent minus SARSA
    (a diverging, symmetric-log scale centred on 0: purple below, orange above,
    linear within 1 $ of 0), a white dot where the claim holds (Holm-corrected
    paired test, 5%)."""
    fig, axes = _map_panels(maps)
    limit = max(np.nanmax(np.abs(m["difference"])) for m in maps) or 1.0
    # symmetric-log colours: differences of 1 $ and of 100 $ both show
    norm = matplotlib.colors.SymLogNorm(linthresh=1.0, vmin=-limit, vmax=limit)
    for ax, m in zip(axes, maps, strict=True):
        image = ax.imshow(m["difference"], cmap="PuOr_r", norm=norm, aspect="auto")
        _mark(ax, m["holds"], "claim holds (Holm, 5%)")
        _map_axes(ax, m, f"{m['problem']}: holds at {m['holds'].sum()} of "
                         f"{m['holds'].size} points")
    ticks = [t for t in (-1000, -100, -10, -1, 0, 1, 10, 100, 1000)
             if abs(t) <= limit]
    _finish_maps(fig, axes, image, label, "claim holds (Holm-corrected, 5%)",
                 title, ticks)
    return fig


@styled
def ratio_maps(maps: list, title: str, band: tuple,
               label: str = "work per period (× SARSA)"):
    """Heat maps of an agent's computation per period over SARSA's
    (:func:`invlib.robustness.time_ratio_map`), one panel per problem, with a
    white dot where the ratio lies in the paper's ``band``."""
    fig, axes = _map_panels(maps)
    top = max(np.nanmax(m["ratio"]) for m in maps)
    for ax, m in zip(axes, maps, strict=True):
        image = ax.imshow(m["ratio"], cmap="cividis", vmin=1.0, vmax=top,
                          aspect="auto")
        inside = (m["ratio"] >= band[0]) & (m["ratio"] <= band[1])
        _mark(ax, inside, "")
        _map_axes(ax, m, f"{m['problem']}: {inside.sum()} of {inside.size} points "
                         "in the paper's range")
    _finish_maps(fig, axes, image, label,
                 f"in the paper's range, {band[0]:g}–{band[1]:g}× SARSA", title)
    return fig
