"""Interactive explorers for the notebooks and the website.

* :func:`policy_explorer` re-solves the bike shop whenever a slider moves; it needs
  a running Python kernel (Jupyter, a hosted notebook service).
* :func:`precomputed_explorer` solves a grid of settings once and links a slider to
  the stored pictures with a browser-side link (``jslink``), so it keeps working on
  the static website where no kernel runs.

Every picture of a precomputed explorer carries a text alternative made from the
figure's own titles (the settings it shows and the costs it reports): each picture
is an ``<img alt=...>`` in an ``HTML`` widget. (The ``Image`` widget has no alt
text, and its ``tooltip`` breaks it: ipywidgets 8.1's view reads the description
an Image does not have, and the picture is not drawn.) Each slider is named by its
``description``; ``book/_static/widget-a11y.js`` ties the slider's keyboard handle
to that label on the website.
"""
from __future__ import annotations

import base64
import html
import io
import re

import ipywidgets as w
from IPython.display import display
import matplotlib.pyplot as plt
from matplotlib import cbook

from .bikeshop import BikeShop
from .dp import policy_iteration
from .longrun import average_cost
from .mdp import bike_shop_mdp
from .plots import learned_against_optimal, state_heatmap


def _policy_figure(shop: BikeShop):
    mdp = bike_shop_mdp(shop)
    policy = policy_iteration(mdp).policy
    cost = average_cost(mdp, policy)
    return state_heatmap(
        shop, policy, label="order (bikes)",
        title=(f"Optimal orders: $\\lambda$={shop.demand_mean:g}, h={shop.holding_cost:g}, "
               f"p={shop.stockout_cost:g}, C={shop.capacity}, $\\gamma$={shop.discount:g}\n"
               # (an escaped dollar: with an odd count of plain ones matplotlib
               # would not typeset the $...$ above, showing "$\lambda$" instead)
               f"long-run cost \\${cost:.2f} per day"))


_GREEK = {r"\lambda": "λ", r"\gamma": "γ", r"\epsilon": "ε", r"\alpha": "α",
          r"\beta": "β", r"\kappa": "κ"}


def _plain(text: str) -> str:
    """A matplotlib title as plain text: mathtext typeset as matplotlib would
    (Greek letters as letters, ``\\$`` as a dollar), lines joined by "; "."""
    if cbook.is_math_text(text):
        def math(match):
            inner = match.group(1)
            for tex, letter in _GREEK.items():
                inner = inner.replace(tex, letter)
            return inner.replace("\\", "").replace("{", "").replace("}", "")
        text = re.sub(r"(?<!\\)\$(.*?)(?<!\\)\$", math, text).replace("\\$", "$")
    return "; ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _alt_text(fig, what: str) -> str:
    """A text alternative for a figure: what it shows, then its titles (the
    figure's, then each panel's), which state the settings and the results."""
    titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    titles += [ax.get_title() for ax in fig.axes]
    return ". ".join([what, *(_plain(t) for t in titles if t.strip())]) + "."


def policy_explorer(shop: BikeShop | None = None):
    """Sliders for demand mean, holding and stockout costs, capacity and discount;
    each change re-solves the MDP exactly and redraws the optimal policy."""
    shop = shop or BikeShop()

    def redraw(demand_mean, holding_cost, stockout_cost, capacity, discount):
        fig = _policy_figure(BikeShop(capacity, demand_mean, holding_cost, stockout_cost,
                                      discount, shop.holding_on))
        display(fig)
        plt.close(fig)

    style = {"description_width": "initial"}
    return w.interactive(
        redraw,
        demand_mean=w.FloatSlider(value=shop.demand_mean, min=0.5, max=10, step=0.5,
                                  description="demand mean λ", style=style),
        holding_cost=w.FloatSlider(value=shop.holding_cost, min=0, max=20, step=1,
                                   description="holding cost h ($)", style=style),
        stockout_cost=w.FloatSlider(value=shop.stockout_cost, min=0, max=40, step=1,
                                    description="stockout cost p ($)", style=style),
        capacity=w.IntSlider(value=shop.capacity, min=1, max=20,
                             description="capacity C", style=style),
        discount=w.FloatSlider(value=shop.discount, min=0, max=0.99, step=0.01,
                               description="discount γ", style=style),
    )


def _learned_figure(bench, settings, seed: int):
    from .agents import train
    result = train(bench.shop, settings, seed)
    return learned_against_optimal(
        bench.shop, result.policy, bench.optimal_policy, bench.cost(result.policy),
        bench.optimal_cost,
        f"learning rate {settings.learning_rate:g}, epsilon {settings.epsilon:g}, "
        f"{settings.episodes} episodes of {settings.steps} days")


def qlearning_explorer(bench, seed: int = 0):
    """Retrain Q-learning whenever a slider moves (a million steps take a fraction
    of a second) and show the greedy policy beside the optimum, scored exactly."""
    from .agents import article_settings, recommended_settings

    def redraw(scheme, learning_rate, epsilon, episodes, seed):
        make = article_settings if scheme == "article" else recommended_settings
        fig = _learned_figure(bench, make(learning_rate=learning_rate, epsilon=epsilon,
                                          episodes=episodes), seed)
        display(fig)
        plt.close(fig)

    style = {"description_width": "initial"}
    return w.interactive(
        redraw,
        scheme=w.ToggleButtons(options=["article", "recommended"], description="scheme"),
        learning_rate=w.FloatLogSlider(value=0.1, base=10, min=-2, max=0, step=0.1,
                                       description="learning rate", style=style),
        epsilon=w.FloatSlider(value=0.1, min=0.0, max=1.0, step=0.05,
                              description="epsilon", style=style),
        episodes=w.IntSlider(value=1000, min=10, max=3000, step=10,
                             description="episodes of 1000 days", style=style),
        seed=w.IntSlider(value=seed, min=0, max=19, description="seed", style=style),
    )


def precomputed_qlearning_explorer(bench, make_settings, learning_rates, episodes,
                                   seed: int = 0):
    """Two sliders (learning rate, episodes) over results trained now; the
    browser switches between them without a kernel. They start at the settings'
    own learning rate (if in the grid) and the longest training."""
    pictures = [[_picture(_learned_figure(bench, make_settings(learning_rate=lr,
                                                               episodes=n), seed),
                          _LEARNED) for n in episodes] for lr in learning_rates]
    default_lr = make_settings().learning_rate
    start = learning_rates.index(default_lr) if default_lr in learning_rates else 0
    return _linked_pictures(pictures, [("learning rate", learning_rates, start),
                                       ("episodes", episodes, len(episodes) - 1)])


def _linked_pictures(pictures, sliders):
    """Pictures switched by sliders through browser-side links, so the page stays
    interactive without a kernel. ``sliders`` holds ``(name, values, starting
    index)`` for each slider; ``pictures`` is nested as deep as there are sliders:
    ``pictures[i][j]`` shows for value i of the first slider and j of the second,
    each a ``(png, alt text)`` pair from :func:`_picture`.
    Each level of nesting is a ``Stack`` whose visible child a slider selects."""
    controls = [w.SelectionSlider(options=[f"{v:g}" for v in values], description=name,
                                  value=f"{values[start]:g}",
                                  style={"description_width": "initial"},
                                  layout=w.Layout(width="95%"))
                for name, values, start in sliders]

    def stack(node, level):
        if level == len(controls):
            png, alt = node
            data = base64.b64encode(png).decode("ascii")
            return w.HTML(f'<img src="data:image/png;base64,{data}" '
                          f'alt="{html.escape(alt)}" style="max-width: 100%">',
                          layout=w.Layout(max_width="100%"))
        box = w.Stack([stack(child, level + 1) for child in node],
                      selected_index=controls[level].index)
        w.jslink((controls[level], "index"), (box, "selected_index"))
        return box

    return w.VBox([*controls, stack(pictures, 0)])


_POLICY = ("Heat map of the optimal order in each state, bikes on hand against bikes "
           "on order")
_LEARNED = ("Two heat maps of the order in each state, bikes on hand against bikes on "
            "order: the greedy policy Q-learning learned, and the optimal policy")


def _picture(fig, what: str) -> tuple[bytes, str]:
    """The figure as PNG bytes and its text alternative (see :func:`_alt_text`)."""
    alt = _alt_text(fig, what)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue(), alt


def precomputed_explorer(shop: BikeShop, parameter: str, values, description: str):
    """A slider over ``values`` of one parameter of ``shop`` (a field name such as
    ``"stockout_cost"``), showing the optimal policy for each, computed now and
    switched in the browser without a kernel."""
    if parameter not in BikeShop.__dataclass_fields__:
        raise ValueError(f"parameter must be a field of BikeShop, got {parameter!r}")
    values = list(values)
    pictures = [_picture(_policy_figure(BikeShop(**{**shop.__dict__, parameter: value})),
                         _POLICY) for value in values]
    current = getattr(shop, parameter)
    start = values.index(current) if current in values else 0
    return _linked_pictures(pictures, [(description, values, start)])
