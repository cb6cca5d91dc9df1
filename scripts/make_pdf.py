"""Print the built website into one PDF: every page of the book in the order of
_toc.yml, each printed by headless Chromium (the browser the tests use, so MathJax
typesets exactly as on the website), joined with a linked outline of chapters.

    python scripts/make_pdf.py [--layout-report FILE.json] HTML_DIR OUT.pdf

Solutions are left out of the PDF (they stay hidden behind their buttons on the
website and in JupyterLab); the exercises are in it.
"""
from __future__ import annotations

import functools
import http.server
import io
import json
import os
import sys
import threading
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
# Print only the article: no sidebars, header or page navigation, and no solutions.
PRINT_CSS = """
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article,
.prev-next-area, .bd-footer, .bd-footer-article, .bd-footer-content,
.solution, .toggle-button, .copybtn, #pst-back-to-top { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.bd-page-width { max-width: 100% !important; }
pre, .cell_output { white-space: pre-wrap !important; }
details.below-input > summary { display: none !important; }
"""
# Paper cannot unfold: outputs folded on the website ("the numbers behind" a figure)
# are printed open, without their "Show code cell output" line. Hidden code inputs
# and solutions stay out.
OPEN_FOLDED_OUTPUTS = ("document.querySelectorAll('details.below-input')"
                       ".forEach(d => { d.open = true; })")
# The paper: A4 with these margins. Chromium lays each page out at the column's
# width in CSS px (96 per inch), so tests/test_layout.py checks the print layout
# at column_width().
PAPER = {"format": "A4", "margin": {"top": "16mm", "bottom": "16mm",
                                    "left": "14mm", "right": "14mm"}}
PAPER_WIDTH_MM = {"A4": 210.0, "Letter": 215.9}
# The window each page is loaded (and typeset) in before it is printed.
SCREEN = {"width": 1100, "height": 1400}


# What a reader must see whole, in print and on a phone (tests/test_layout.py):
# formulas (display and inline), code and its output, tables (results tables and
# their wrapper), images, figures, algorithm, proof and exercise boxes, and widgets.
ELEMENTS = ", ".join([
    "mjx-container", "div.math", "pre", "div.highlight", "div.cell_output",
    "table", ".invlib-table", ".pst-scrollable-table-container", "img", "svg",
    "figure", "div.proof", ".admonition", "details", "blockquote",
    ".jupyter-widgets", ".widget-box", ".widget-vbox", ".widget-hbox"])

# For every element above: the nearest ancestor that clips (overflow-x other than
# visible) or the article, and how many px of the element lie outside that box's
# inner edges. Then every clipping box whose content is wider than the box. A box
# that scrolls sideways (auto or scroll) is fine where scrolling is allowed.
# MathJax's assistive MathML (an invisible, clipped copy of each formula for
# screen readers) is set aside while measuring: its width is not what is seen.
MEASURE = """({selectors, scrolling}) => {
    const hide = document.createElement('style');
    hide.textContent = 'mjx-assistive-mml { display: none !important; }';
    document.head.append(hide);
    const article = document.querySelector('article');
    const overflow = e => getComputedStyle(e).overflowX;
    const scrolls = e => ['auto', 'scroll'].includes(overflow(e));
    // text for screen readers only (a 1 px box that clips, or a clip) is not seen
    const offscreen = e => {
        for (let x = e; x && x !== article; x = x.parentElement) {
            const c = getComputedStyle(x);
            if (c.clip !== 'auto' || (c.overflowX !== 'visible' &&
                (x.clientWidth <= 1 || x.clientHeight <= 1))) return true;
        }
        return false;
    };
    const shown = e => e.checkVisibility({visibilityProperty: true}) &&
        e.getClientRects().length > 0 && !offscreen(e);
    const text = e => (e.tagName === 'IMG' ? 'image: ' + (e.alt || e.src.slice(-40))
        : e.textContent).replace(/\\s+/g, ' ').trim().slice(0, 70);
    const name = e => e === article ? 'article' : e.tagName.toLowerCase() +
        [...e.classList].slice(0, 2).map(c => '.' + c).join('');
    const inner = box => {
        const r = box.getBoundingClientRect();
        if (box === article) return [r.left, r.right];
        const left = r.left + box.clientLeft;
        return [left, left + box.clientWidth];
    };
    const found = [], reported = new Set();
    for (const el of article.querySelectorAll(selectors)) {
        if (!shown(el) || el.closest('mjx-assistive-mml')) continue;
        let box = el.parentElement;
        while (box !== article && overflow(box) === 'visible') box = box.parentElement;
        const r = el.getBoundingClientRect();
        const [left, right] = inner(box);
        const lost = Math.max(r.right - right, left - r.left);
        if (lost <= 1 || (scrolling && box !== article && scrolls(box))) continue;
        found.push({element: name(el), box: name(box), lost: Math.round(lost),
                    text: text(el)});
        reported.add(box);
    }
    for (const box of article.querySelectorAll('*')) {
        // (MathJax clips inside a formula on purpose, e.g. to stretch a brace)
        if (overflow(box) === 'visible' || reported.has(box) ||
            box.parentElement.closest('mjx-container') || !shown(box)) continue;
        const lost = box.scrollWidth - box.clientWidth;
        if (lost <= 1 || (scrolling && scrolls(box))) continue;
        // name the innermost content that runs past the box's right edge
        const [, right] = inner(box);
        const past = [...box.querySelectorAll('*')].filter(
            e => shown(e) && e.getBoundingClientRect().right > right + 1);
        const culprit = past.find(e => ![...e.children].some(c => past.includes(c)))
            || box;
        found.push({element: 'content of ' + name(box), box: name(box), lost,
                    text: text(culprit)});
    }
    hide.remove();
    return found;
}"""


def offenders(tab, scrolling: bool) -> list[dict]:
    """What is cut off in the page as laid out now (:data:`MEASURE`): in print
    (``scrolling=False``: paper cannot scroll) or on a screen."""
    return tab.evaluate(MEASURE, {"selectors": ELEMENTS, "scrolling": scrolling})


def column_width() -> int:
    """The printed column's width in CSS px: the paper's less the side margins."""
    margins = sum(float(PAPER["margin"][side].removesuffix("mm"))
                  for side in ("left", "right"))
    return round((PAPER_WIDTH_MM[PAPER["format"]] - margins) / 25.4 * 96)


def pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(html: Path, out: Path, layout_report: Path | None = None) -> None:
    """Print the book; with ``layout_report``, also lay each page out at the
    column's width in print media after printing it, and write there, as JSON,
    page -> what does not fit the column (:func:`offenders`) and the page's
    width (tests/test_layout.py reads it: one load of each page serves both)."""
    layout = {}
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    writer = PdfWriter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get(
                                        "CHROMIUM", "/usr/bin/chromium"),
                                    args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport=SCREEN)
        for page in pages():
            tab.goto(f"{base}/{page}.html", wait_until="load")
            if tab.locator("script[src*='vendor/mathjax/']").count():
                tab.wait_for_function("window.MathJax && MathJax.startup && "
                                      "MathJax.startup.promise", timeout=30_000)
                tab.evaluate("MathJax.startup.promise")
            tab.add_style_tag(content=PRINT_CSS)
            tab.evaluate(OPEN_FOLDED_OUTPUTS)
            tab.wait_for_timeout(300)
            title = tab.locator("article h1").first.inner_text().strip()
            title = title.replace("#", "").strip()
            data = tab.pdf(**PAPER, print_background=True)
            start = len(writer.pages)
            writer.append(PdfReader(io.BytesIO(data)))
            writer.add_outline_item(title=title, page_number=start)
            print(f"  {title}: {len(writer.pages) - start} pages")
            if layout_report is not None:
                tab.set_viewport_size({"width": column_width(), "height": 1000})
                tab.emulate_media(media="print")
                tab.wait_for_timeout(300)
                layout[page] = {"offenders": offenders(tab, scrolling=False),
                                "width": tab.evaluate(
                                    "document.documentElement.scrollWidth")}
                tab.emulate_media(media="null")     # print() uses print media again
                tab.set_viewport_size(SCREEN)
        browser.close()
    server.shutdown()
    out.parent.mkdir(parents=True, exist_ok=True)
    writer.add_metadata({"/Title": "Inventory Control with Reinforcement Learning"})
    with open(out, "wb") as handle:
        writer.write(handle)
    print(f"wrote {out} ({len(writer.pages)} pages)")
    if layout_report is not None:
        Path(layout_report).write_text(json.dumps(layout, indent=1))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    report = None
    if arguments[:1] == ["--layout-report"] and len(arguments) > 1:
        report, arguments = Path(arguments[1]), arguments[2:]
    if len(arguments) != 2:
        sys.exit("usage: make_pdf.py [--layout-report FILE.json] HTML_DIR OUT.pdf")
    main(Path(arguments[0]), Path(arguments[1]), report)
