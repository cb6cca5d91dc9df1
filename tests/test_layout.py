"""Nothing is cut off on a phone or on paper (WCAG 2.1 AA, 1.4.10 Reflow).

* On a phone (390 x 844, solutions and hidden cells opened), every display and
  inline formula, code block, table, image, figure, algorithm or exercise box and
  widget in the article lies inside the nearest box that clips it (or the article
  itself), unless that box scrolls sideways; and no box that clips without
  scrolling holds content wider than itself.
* In print (print media, at the width of the PDF's column, with the PDF's own
  style sheet), the same holds with no exception for scrolling: paper cannot
  scroll, so nothing may be wider than its box at all.

The last test makes sure both checks can fail: a deliberately too-wide formula,
image, table and code line put into a page are each reported.

The website is built once (the ``build`` fixture of conftest.py) and opened in
the headless Chromium of test_website.py.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from test_website import CHAPTERS, PAGES, Visit, _widgets_drawn  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
PHONE = {"width": 390, "height": 844}

def _make_pdf():
    spec = importlib.util.spec_from_file_location("make_pdf",
                                                  ROOT / "scripts" / "make_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Sized:
    """The session's browser, opening its pages at a given size and medium."""

    def __init__(self, browser, viewport, media="screen"):
        self.browser, self.viewport, self.media = browser, viewport, media

    def new_page(self, **kwargs):
        page = self.browser.new_page(**{**kwargs, "viewport": self.viewport})
        page.emulate_media(media=self.media)
        return page


def _open(browser, url, viewport, media="screen"):
    """A page loaded and settled: MathJax typeset (Visit waits for it), widgets
    drawn, web fonts loaded."""
    visit = Visit(_Sized(browser, viewport, media), url)
    p = visit.page
    _widgets_drawn(p)
    p.evaluate("document.fonts.ready.then(() => true)")
    return visit


def _open_everything(p):
    """Open every solution and every hidden code cell, as a reader may."""
    p.evaluate("""() => {
        document.querySelectorAll('article details').forEach(d => { d.open = true; });
        document.querySelectorAll('article button.toggle-button').forEach(b => {
            if (b.getAttribute('aria-expanded') !== 'true') b.click(); });
    }""")
    p.wait_for_timeout(300)


def _print_layout(p):
    """The page as scripts/make_pdf.py prints it: its style sheet on top."""
    p.add_style_tag(content=_make_pdf().PRINT_CSS)
    p.wait_for_timeout(300)


def _phone_offenders(p):
    return _make_pdf().offenders(p, scrolling=True)


def _print_offenders(p):
    return _make_pdf().offenders(p, scrolling=False)


def _report(found):
    return "\n".join(f"  {f['element']} in {f['box']}: {f['lost']} px outside; "
                     f"{f['text']!r}" for f in found)


@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_cut_off_on_a_phone(browser, site, page):
    """At 390 px, with every solution and hidden cell open, each formula, code
    block, table, image and box fits the box that clips it, or that box scrolls."""
    visit = _open(browser, f"{site}/{page}.html", PHONE)
    p = visit.page
    _open_everything(p)
    found = _phone_offenders(p)
    assert not found, f"cut off at 390 px on {page}:\n{_report(found)}"
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    p.close()


def test_print_column_is_the_pdfs():
    """The print tests lay pages out at the width make_pdf.py prints: A4 less its
    side margins, 182 mm, is 688 CSS px (96 per inch)."""
    assert _make_pdf().column_width() == 688


@pytest.mark.xdist_group("test_pdf")      # on the worker that printed the book
@pytest.mark.parametrize("page", PAGES)
def test_everything_fits_the_printed_column(pdf, page):
    """In print, at the PDF's column width, nothing is wider than its box: no
    formula, code line, table or image runs past the margin or hides in a
    scrolling box that paper cannot scroll. Measured by make_pdf.py on each page
    as it printed it (folded outputs open, as on paper), at the column's width
    in print media, with the PDF's style sheet."""
    layout = pdf[2][page]
    found = layout["offenders"]
    assert not found, f"wider than the printed column on {page}:\n{_report(found)}"
    assert layout["width"] <= _make_pdf().column_width()


# Too wide on purpose: a formula in a box that clips, an image, a table of long
# cells and an unbreakable name, each wider than any phone or page.
TOO_WIDE = """() => {
    const section = document.querySelector('article section');
    const add = html => {
        const div = document.createElement('div');
        div.innerHTML = html;
        section.append(div);
    };
    add('<div class="admonition" style="overflow:hidden"><p><span class="math">' +
        '<mjx-container><span style="display:inline-block;width:1400px">x</span>' +
        '</mjx-container>' +
        '</span></p></div>');
    add('<img alt="too wide" style="width:1400px;max-width:none;height:4px" ' +
        'src="data:image/gif;base64,' +
        'R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==">');
    add('<div class="cell_output"><div class="output" style="overflow-x:auto">' +
        '<table><tr><td style="white-space:nowrap">' + 'wide cell '.repeat(150) +
        '</td></tr></table></div></div>');
    add('<div class="admonition" style="overflow:hidden"><p>a long name: ' +
        '<span style="white-space:nowrap">' + 'x'.repeat(300) + '</span></p></div>');
}"""


def test_the_checks_catch_what_is_too_wide(browser, site):
    """The checks above can fail: on a page given elements too wide on purpose,
    the phone check reports the clipped formula, the image and the clipped name
    (not the table, which scrolls in its box), and the print check all four."""
    page = "book/sarsa"
    visit = _open(browser, f"{site}/{page}.html", PHONE)
    p = visit.page
    p.evaluate(TOO_WIDE)
    phone = _report(_phone_offenders(p))
    assert "mjx-container in span.math" in phone, phone
    assert "'image: too wide'" in phone, phone
    assert "content of div.admonition" in phone and "xxxxxxxx" in phone, phone
    assert "wide cell" not in phone, phone
    p.close()
    visit = _open(browser, f"{site}/{page}.html", {"width": 688, "height": 1000},
                  media="print")
    p = visit.page
    _print_layout(p)
    p.evaluate(TOO_WIDE)
    paper = _report(_print_offenders(p))
    for wanted in ("mjx-container in span.math", "'image: too wide'",
                   "table in div.output", "xxxxxxxx"):
        assert wanted in paper, paper
    p.close()
