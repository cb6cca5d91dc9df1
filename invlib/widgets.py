"""Interactive explorers for the notebooks and the website.

* :func:`policy_explorer` and :func:`qlearning_explorer` re-solve the bike shop or
  retrain Q-learning whenever a control moves; they need a running Python kernel
  (JupyterLab), so the website leaves them out.
* :func:`precomputed_explorer` and :func:`precomputed_qlearning_explorer` compute a
  grid of settings once and link their controls to the stored results with
  browser-side links (``jslink``), so they keep working on the static website,
  where no kernel runs, as well as in JupyterLab.

A precomputed result is text, not a picture: a sentence with the costs, and the
policy as an HTML table laid out like the book's heat maps, each cell coloured by
its order and showing the number. A screen reader reads it as a table with row and
column headers; it stays sharp at any zoom; and the page stays light (a few
kilobytes a result, against tens for a PNG). Each control is named by its
``description``; ``book/_static/widget-a11y.js`` ties a slider's keyboard handle
to that label on the website.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from ipywidgets.widgets.widget_string import HTMLStyle
from matplotlib.colors import to_hex

from .bikeshop import BikeShop
from .dp import policy_iteration, policy_matrix
from .longrun import average_cost, stationary_distribution
from .mdp import bike_shop_mdp
from .plots import HEATMAP, contrast, learned_against_optimal, state_heatmap
from .policies import policy_grid


def _policy_figure(shop: BikeShop):
    mdp = bike_shop_mdp(shop)
    policy = policy_iteration(mdp).policy
    cost = average_cost(mdp, policy)
    return state_heatmap(
        shop, policy, label="order (bikes)",
        title=(f"Optimal orders: $\\lambda$={shop.demand_mean:g}, "
               f"h={shop.holding_cost:g}, p={shop.stockout_cost:g}, C={shop.capacity}, "
               f"$\\gamma$={shop.discount:g}\n"
               # (an escaped dollar: with an odd count of plain ones matplotlib
               # would not typeset the $...$ above, showing "$\lambda$" instead)
               f"long-run cost \\${cost:.2f} per day"))


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


def _tables_css() -> str:
    """The policy tables' look: one colour per order, from the colour map of the
    book's heat maps (:data:`invlib.plots.HEATMAP`) on a fixed scale of 0 to
    :data:`_TOP_ORDER` bikes, so a colour means the same order in every view.
    Each number is black or white, whichever contrasts more with its cell (at
    least 4.58:1 for any colour, above WCAG AA's 4.5:1)."""
    cmap = plt.get_cmap(HEATMAP)
    rules = [_TABLE_LAYOUT]
    for order in range(_TOP_ORDER + 1):
        rgb = cmap(order / _TOP_ORDER)[:3]
        text = "#000" if contrast(rgb, (0, 0, 0)) >= contrast(rgb, (1, 1, 1)) else "#fff"
        rules.append(f".invlib-policy td.o{order}{{background:{to_hex(rgb)};"
                     f"color:{text}}}")
    return "".join(rules)


_TOP_ORDER = 10        # the colour scale's top: the article's capacity

# Cells of 1.5 rem keep a table of the article's shop (12 columns) within a phone's
# 358 px; two tables sit side by side where they fit and one above the other where
# not. Captions take the text colour of the explorer's panel (the website's dark
# mode draws widgets on a light panel but would give captions its pale grey). The
# outline of a differing cell has the colour of its number, so it shows on any cell;
# a screen reader hears the optimal order instead (.invlib-sr).
_TABLE_LAYOUT = """
.invlib-policy{border-collapse:collapse;font-size:0.8rem;margin:0 1rem 0.75rem 0;
  font-variant-numeric:tabular-nums;line-height:1.2}
.invlib-policy caption{caption-side:top;text-align:left;font-weight:600;
  padding-bottom:0.25rem;white-space:nowrap;color:inherit}
.invlib-policy th,.invlib-policy td{width:1.5rem;min-width:1.5rem;height:1.5rem;
  padding:0;text-align:center;font-weight:normal}
.invlib-policy thead tr:last-child th:first-child{width:3rem;white-space:normal}
.invlib-policy td.differs{outline:2px solid currentColor;outline-offset:-4px;
  font-weight:700}
.invlib-tables{display:flex;flex-wrap:wrap;align-items:flex-start}
.invlib-summary{margin:0.5rem 0;white-space:normal;line-height:1.4}
.invlib-sr{position:absolute;width:1px;height:1px;overflow:hidden;
  clip:rect(0 0 0 0);white-space:nowrap}
"""


def policy_table(shop: BikeShop, policy, caption: str, optimal=None) -> str:
    """The order in each state as an HTML table laid out like the heat maps
    (bikes on hand up the side, bikes on order along the top, no cell where a
    state does not exist), each cell coloured by its order and showing it. With
    ``optimal``, a cell whose order differs is outlined, and a screen reader
    hears the optimal order after it."""
    grid = policy_grid(shop, policy)
    best = None if optimal is None else policy_grid(shop, optimal)
    C = shop.capacity
    head = ('<thead><tr><td></td>'
            f'<th scope="colgroup" colspan="{C + 1}">bikes on order β</th></tr>'
            '<tr><th scope="col">on hand α</th>'
            + "".join(f'<th scope="col">{b}</th>' for b in range(C + 1))
            + "</tr></thead>")
    rows = []
    for a in range(C, -1, -1):         # as in the heat maps: no stock at the bottom
        cells = []
        for b in range(C + 1 - a):     # (a short row leaves the missing states blank)
            order = int(grid[a, b])
            if best is not None and order != int(best[a, b]):
                cells.append(f'<td class="o{min(order, _TOP_ORDER)} differs">{order}'
                             f'<span class="invlib-sr"> (optimal {int(best[a, b])})'
                             "</span></td>")
            else:
                cells.append(f'<td class="o{min(order, _TOP_ORDER)}">{order}</td>')
        rows.append(f'<tr><th scope="row">{a}</th>{"".join(cells)}</tr>')
    return (f'<table class="invlib-policy"><caption>{html.escape(caption)}</caption>'
            f'{head}<tbody>{"".join(rows)}</tbody></table>')


def _view(summary: str, *tables: str) -> str:
    return (f'<div class="invlib-view"><p class="invlib-summary">{html.escape(summary)}'
            f'</p><div class="invlib-tables">{"".join(tables)}</div></div>')


def _legend() -> w.HTML:
    """The colour scale as a row of numbered swatches, carrying the tables' style."""
    swatches = "".join(f'<td class="o{k}">{k}</td>' for k in range(_TOP_ORDER + 1))
    return w.HTML(f"<style>{_tables_css()}</style>"
                  '<table class="invlib-policy invlib-legend"><caption>Colours: the '
                  f"order in bikes</caption><tbody><tr>{swatches}</tr></tbody></table>")


def _linked_views(views, controls) -> w.VBox:
    """Views switched by controls through browser-side links (``jslink``), so the
    page stays interactive without a kernel. ``controls`` are widgets with an
    ``index`` (selection sliders, toggle buttons); ``views`` is nested as deep as
    there are controls: ``views[i][j]`` is the HTML shown for choice i of the
    first control and j of the second. Each level of nesting is a ``Stack`` whose
    visible child a control selects (only that child is drawn)."""
    # one layout and one style shared by every result and stack: a widget's own
    # would add two models to the page's stored state for each of them
    layout, style = w.Layout(max_width="100%"), HTMLStyle()

    def stack(node, level):
        if level == len(controls):
            return w.HTML(node, layout=layout, style=style)
        box = w.Stack([stack(child, level + 1) for child in node], layout=layout,
                      selected_index=controls[level].index)
        w.jslink((controls[level], "index"), (box, "selected_index"))
        return box

    return w.VBox([*controls, _legend(), stack(views, 0)])


def _slider(description: str, values, start) -> w.SelectionSlider:
    values = list(values)
    return w.SelectionSlider(options=[f"{v:g}" for v in values], description=description,
                             value=f"{start if start in values else values[0]:g}",
                             style={"description_width": "initial"},
                             layout=w.Layout(width="95%"))


@dataclass(frozen=True)
class SolvedGrid:
    """The optimal policy of the shop at every combination of a grid of settings."""
    shop: BikeShop                          # the settings not varied
    grid: dict[str, tuple[str, list]]       # field -> (description, values)
    policies: np.ndarray                    # (*grid shape, states): orders
    costs: np.ndarray                       # (*grid shape): long-run $ per day
    daily_orders: np.ndarray                # (*grid shape): mean bikes ordered a day

    def shop_at(self, index) -> BikeShop:
        chosen = {field: values[k] for (field, (_, values)), k
                  in zip(self.grid.items(), index, strict=True)}
        return BikeShop(**{**self.shop.__dict__, **chosen})


def optimal_policies(shop: BikeShop, grid: dict[str, tuple[str, list]]) -> SolvedGrid:
    """Solve ``shop`` exactly at every combination of the settings in ``grid``,
    which maps a field of :class:`BikeShop` to a description and its values (for
    example ``{"stockout_cost": ("stockout cost p ($)", [2, 10, 40])}``)."""
    if not grid:
        raise ValueError("grid: give at least one BikeShop field to vary")
    for field, (_, values) in grid.items():
        if field not in BikeShop.__dataclass_fields__:
            raise ValueError(f"grid: keys must be fields of BikeShop, got {field!r}")
        if not len(values):
            raise ValueError(f"grid: {field} needs at least one value")
    shape = tuple(len(values) for _, values in grid.values())
    solved = SolvedGrid(shop, dict(grid), np.empty((*shape, len(shop.states)), int),
                        np.empty(shape), np.empty(shape))
    for index in np.ndindex(shape):
        mdp = bike_shop_mdp(solved.shop_at(index))
        policy = policy_iteration(mdp).policy
        transitions, costs = policy_matrix(mdp, policy)
        # an optimal policy of the shop has one recurrent class (otherwise this
        # raises), so one stationary distribution gives both long-run means
        long_run = stationary_distribution(transitions)
        solved.policies[index] = policy
        solved.costs[index] = long_run @ costs
        solved.daily_orders[index] = long_run @ policy
    return solved


def precomputed_explorer(solved: SolvedGrid) -> w.VBox:
    """A slider per setting of :func:`optimal_policies`' grid, switching in the
    browser, without a kernel, between the optimal policies solved there. Each
    slider starts at the shop's own value when the grid holds it."""
    def view(index) -> str:
        settings = ", ".join(f"{_SYMBOL[field]} = {values[k]:g}"
                             for (field, (_, values)), k
                             in zip(solved.grid.items(), index, strict=True))
        return _view(f"{settings}: the optimal policy costs {solved.costs[index]:.2f} $ "
                     f"per day and orders {solved.daily_orders[index]:.2f} bikes a day "
                     "on average.",
                     policy_table(solved.shop_at(index), solved.policies[index],
                                  "Optimal order (bikes) in each state"))

    def nest(prefix):
        if len(prefix) == len(solved.grid):
            return view(prefix)
        return [nest((*prefix, k)) for k in range(solved.costs.shape[len(prefix)])]

    controls = [_slider(description, values, getattr(solved.shop, field))
                for field, (description, values) in solved.grid.items()]
    return _linked_views(nest(()), controls)


_SYMBOL = {"demand_mean": "λ", "holding_cost": "h", "stockout_cost": "p",
           "capacity": "C", "discount": "γ"}
_SCHEMES = {"article": "the article's scheme", "recommended": "the recommended scheme"}


def precomputed_qlearning_explorer(bench, step_sizes, episodes, seed: int = 0) -> w.VBox:
    """Q-learning's greedy policy beside the optimum, for both schemes (article,
    recommended), each step size and each training length, trained now with
    ``seed``: three controls the browser links to the results without a kernel.
    One training per scheme and step size serves every length: the policy is
    read after each length is reached. For the recommended scheme the step size
    is the scale of its decaying step, ``eta * N(s, a) ** -0.7``."""
    from .agents import Agent, article_settings, recommended_settings

    episodes = sorted(episodes)
    shop = bench.shop

    def views(scheme, step_size):
        make = article_settings if scheme == "article" else recommended_settings
        settings = make(learning_rate=step_size, episodes=episodes[-1])
        agent, done, shown = Agent(shop, settings, seed), 0, []
        for n in episodes:
            agent.train(n - done)
            done = n
            policy = agent.result().policy
            cost = bench.cost(policy)
            differ = int(np.sum(policy != bench.optimal_policy))
            shown.append(_view(
                f"{_SCHEMES[scheme]}, step size η = {step_size:g}, {n} episodes of "
                f"{settings.steps} days (seed {seed}): the learned policy costs "
                f"{cost:.2f} $ per day against the optimum's {bench.optimal_cost:.2f}, "
                f"{100 * (cost / bench.optimal_cost - 1):+.1f}%; {differ} of "
                f"{len(policy)} states differ (outlined).",
                policy_table(shop, policy, "Learned greedy order (bikes)",
                             bench.optimal_policy),
                policy_table(shop, bench.optimal_policy, "Optimal order (bikes)")))
        return shown

    scheme = w.ToggleButtons(options=list(_SCHEMES), description="scheme",
                             style={"description_width": "initial"})
    controls = [scheme, _slider("step size η", step_sizes, 0.1),
                _slider(f"episodes of {article_settings().steps} days", episodes,
                        episodes[-1])]
    return _linked_views([[views(s, eta) for eta in step_sizes] for s in _SCHEMES],
                         controls)
