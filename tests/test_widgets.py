"""The precomputed explorers (invlib.widgets) show what the library computes, and are
accessible on the website: every control is named by its description, every result
is a sentence and an HTML table with row and column headers, and each number stands
out from its cell's colour by WCAG AA's contrast."""
import re
from html.parser import HTMLParser

import ipywidgets as w
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from invlib import widgets  # noqa: E402
from invlib.agents import article_settings, recommended_settings, train  # noqa: E402
from invlib.bikeshop import BikeShop  # noqa: E402
from invlib.dp import policy_iteration  # noqa: E402
from invlib.longrun import average_cost  # noqa: E402
from invlib.mdp import bike_shop_mdp  # noqa: E402
from invlib.plots import contrast  # noqa: E402
from invlib.scoring import benchmark  # noqa: E402


class _Cells(HTMLParser):
    """A policy table read back: caption, header texts, and per row (on hand) the
    cells as (text, classes) pairs."""

    def __init__(self, text):
        super().__init__()
        self.caption, self.headers, self.rows = "", [], {}
        self._where, self._row, self._classes, self._text = None, None, "", ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("caption", "th", "td"):
            self._where, self._classes, self._text = tag, attrs.get("class", ""), ""
            self._scope = attrs.get("scope")

    def handle_data(self, data):
        if self._where:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "caption":
            self.caption = self._text
        elif tag == "th" and self._scope == "row":
            self._row = int(self._text)
            self.rows[self._row] = []
        elif tag == "th":
            self.headers.append(self._text)
        elif tag == "td" and self._row is not None:
            self.rows[self._row].append((self._text, self._classes))
        if tag in ("caption", "th", "td"):
            self._where = None


def _policy_of(table: _Cells, shop: BikeShop) -> np.ndarray:
    """The orders a table shows, in the order of ``shop.states``."""
    return np.array([int(re.match(r"\d+", table.rows[a][b][0]).group())
                     for a, b in shop.states])


def _views(widget):
    """Every result (HTML) under a widget, in the order of the nested choices."""
    if isinstance(widget, w.Stack):
        return [v for child in widget.children for v in _views(child)]
    if isinstance(widget, w.HTML):
        return [widget.value]
    return [v for child in widget.children for v in _views(child)]


def _tables(view: str) -> list[_Cells]:
    return [_Cells(t) for t in re.findall(r"<table.*?</table>", view)]


def test_policy_table_shows_every_state_and_marks_the_differences():
    shop = BikeShop(capacity=3)
    optimal = np.arange(len(shop.states)) % 4
    learned = optimal.copy()
    learned[[0, 5]] = (learned[[0, 5]] + 1) % 4
    table = _Cells(widgets.policy_table(shop, learned, "learned", optimal))
    assert table.caption == "learned"
    assert table.headers == ["bikes on order β", "on hand α", "0", "1", "2", "3"]
    # rows from full to empty, as in the heat maps; only existing states have cells
    assert list(table.rows) == [3, 2, 1, 0]
    assert [len(table.rows[a]) for a in range(4)] == [4, 3, 2, 1]
    assert np.array_equal(_policy_of(table, shop), learned)
    marked = [(a, b) for a, b in shop.states
              if "differs" in table.rows[a][b][1]]
    assert marked == [tuple(shop.states[0]), tuple(shop.states[5])]
    a, b = shop.states[5]
    assert table.rows[a][b][0] == f"{learned[5]} (optimal {optimal[5]})"
    for a, b in shop.states:
        assert f"o{learned[shop.states.tolist().index([a, b])]}" in table.rows[a][b][1]


def test_every_colour_of_the_tables_meets_wcag_aa_contrast():
    rules = re.findall(r"td\.o(\d+)\{background:#(\w{6});color:#(\w{3})\}",
                       widgets._tables_css())
    assert [int(k) for k, _, _ in rules] == list(range(widgets._TOP_ORDER + 1))
    for _, cell, text in rules:
        rgb = [int(cell[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        ink = [int(c * 2, 16) / 255 for c in text]
        assert contrast(rgb, ink) >= 4.5, (cell, text)
    assert contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21)


def test_optimal_policies_solves_every_combination_exactly():
    shop = BikeShop(capacity=4)
    grid = {"stockout_cost": ("stockout cost p ($)", [2, 10, 40]),
            "demand_mean": ("demand mean λ", [2, 3])}
    solved = widgets.optimal_policies(shop, grid)
    assert solved.policies.shape == (3, 2, len(shop.states))
    for index in np.ndindex(3, 2):
        varied = BikeShop(capacity=4, stockout_cost=[2, 10, 40][index[0]],
                          demand_mean=[2, 3][index[1]])
        mdp = bike_shop_mdp(varied)
        policy = policy_iteration(mdp).policy
        assert np.array_equal(solved.policies[index], policy)
        assert solved.costs[index] == pytest.approx(average_cost(mdp, policy), abs=1e-9)
    # a dearer stockout never lowers an order (the chapter's claim, on this grid)
    assert np.all(np.diff(solved.policies, axis=0) >= 0)
    assert solved.policies[0, 0].sum() < solved.policies[2, 0].sum()


@pytest.mark.parametrize("grid, message", [
    ({}, "at least one BikeShop field"),
    ({"colour": ("c", [1])}, "fields of BikeShop"),
    ({"stockout_cost": ("p", [])}, "at least one value"),
])
def test_optimal_policies_refuses_a_bad_grid(grid, message):
    with pytest.raises(ValueError, match=message):
        widgets.optimal_policies(BikeShop(capacity=3), grid)


def test_the_policy_explorer_links_a_named_slider_to_each_setting():
    shop = BikeShop(capacity=4)
    solved = widgets.optimal_policies(shop, {
        "stockout_cost": ("stockout cost p ($)", [2, 10, 40]),
        "holding_cost": ("holding cost h ($)", [4, 8]),
        "demand_mean": ("demand mean λ", [2, 3])})
    box = widgets.precomputed_explorer(solved)
    sliders = [c for c in box.children if isinstance(c, w.SelectionSlider)]
    assert [s.description for s in sliders] == [
        "stockout cost p ($)", "holding cost h ($)", "demand mean λ"]
    # each starts at the shop's own value
    assert [s.value for s in sliders] == ["10", "8", "2"]
    assert [s.index for s in sliders] == [1, 1, 0]
    # the browser-side links: each slider drives the stacks of its level
    # (as the website embeds them: link models in the stored widget state)
    state = w.Widget.get_manager_state(drop_defaults=True)["state"]
    links = [m["state"] for m in state.values() if m["model_name"] == "LinkModel"]
    for level, slider in enumerate(sliders):
        driven = [link["target"] for link in links
                  if link["source"] == [f"IPY_MODEL_{slider.model_id}", "index"]]
        assert len(driven) == [1, 3, 6][level]
        for model, trait in driven:
            assert trait == "selected_index"
            assert state[model.removeprefix("IPY_MODEL_")]["model_name"] == "StackModel"
    views = _views(box.children[-1])
    assert len(views) == 12
    for index, view in zip(np.ndindex(3, 2, 2), views, strict=True):
        (table,) = _tables(view)
        assert np.array_equal(_policy_of(table, shop), solved.policies[index])
        p, h, lam = [2, 10, 40][index[0]], [4, 8][index[1]], [2, 3][index[2]]
        assert f"p = {p:g}, h = {h:g}, λ = {lam:g}: the optimal policy costs " \
               f"{solved.costs[index]:.2f} $ per day" in view
    # the legend carries the tables' style and the colour scale
    legend = box.children[len(sliders)]
    assert "<style>" in legend.value and "Colours: the order in bikes" in legend.value


def test_the_qlearning_explorer_shows_what_training_learns():
    bench = benchmark(BikeShop(capacity=3))
    box = widgets.precomputed_qlearning_explorer(bench, step_sizes=[0.1, 0.5],
                                                 episodes=[3, 1], seed=4)
    scheme, rate, length = box.children[:3]
    assert isinstance(scheme, w.ToggleButtons) and scheme.description == "scheme"
    assert scheme.options == ("article", "recommended")
    assert (rate.description, rate.options, rate.value) == ("step size η", ("0.1", "0.5"),
                                                            "0.1")
    assert (length.description, length.options, length.value) == (
        "episodes of 1000 days", ("1", "3"), "3")
    views = _views(box.children[-1])
    assert len(views) == 8
    choices = [(make, eta, n) for make in (article_settings, recommended_settings)
               for eta in (0.1, 0.5) for n in (1, 3)]
    for (make, eta, n), view in zip(choices, views, strict=True):
        learned_table, optimal_table = _tables(view)
        # the same policy as a training of that length from the start
        expected = train(bench.shop, make(learning_rate=eta, episodes=n), 4).policy
        assert np.array_equal(_policy_of(learned_table, bench.shop), expected)
        assert np.array_equal(_policy_of(optimal_table, bench.shop),
                              bench.optimal_policy)
        differ = int(np.sum(expected != bench.optimal_policy))
        assert f"the learned policy costs {bench.cost(expected):.2f} $ per day" in view
        assert f"{differ} of {len(expected)} states differ" in view
        assert f"{n} episodes of 1000 days (seed 4)" in view


def test_the_policy_pictures_typeset_their_greek_letters():
    """The live explorer's title mixes $\\lambda$ with a dollar amount; the
    amount's dollar is escaped so matplotlib still typesets the mathematics."""
    fig = widgets._policy_figure(BikeShop(capacity=4))
    title = fig.axes[0].title
    assert title._preprocess_math(title.get_text())[1] is True
    matplotlib.pyplot.close(fig)
