import pytest

from invlib.tables import Table


def test_table_renders_html_and_aligned_text():
    table = Table(["agent", "cost ($/day)", "p"], [("SARSA", 17.791, None),
                                                   ("RSarsa", 17.3, 0.0004)],
                  caption="Mean cost over 20 seeds.",
                  formats=[None, "{:.2f}", "{:.3f}"])
    html = table._repr_html_()
    assert "<caption>Mean cost over 20 seeds.</caption>" in html
    assert '<td style="text-align:right">17.79</td>' in html
    assert '<td style="text-align:left">RSarsa</td>' in html
    assert "overflow-x:auto" in html          # scrolls inside its box on a phone
    assert repr(table).splitlines() == [
        "agent   cost ($/day)      p",
        "------  ------------  -----",
        "SARSA          17.79      –",
        "RSarsa         17.30  0.000",
        "Mean cost over 20 seeds.",
    ]


def test_table_escapes_html_and_accepts_functions():
    table = Table(["a<b"], [(3,)], formats=[lambda v: f"{v} & more"])
    assert "a&lt;b" in table._repr_html_() and "3 &amp; more" in table._repr_html_()


@pytest.mark.parametrize("rows, formats, word", [
    ([(1, 2, 3)], None, "rows"), ([(1, 2)], ["{}"], "formats")])
def test_table_rejects_ragged_input(rows, formats, word):
    with pytest.raises(ValueError, match=word):
        Table(["x", "y"], rows, formats=formats)
