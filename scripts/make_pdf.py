"""Print the built website into one PDF: every page of the book in the order of
_toc.yml, each printed by headless Chromium (the browser the tests use, so MathJax
typesets exactly as on the website), joined with a linked outline of chapters.

    python scripts/make_pdf.py HTML_DIR OUT.pdf

Solutions are left out of the PDF (they stay hidden behind their buttons on the
website and in JupyterLab); the exercises are in it.
"""
from __future__ import annotations

import functools
import http.server
import io
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


def main(html: Path, out: Path) -> None:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    writer = PdfWriter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get(
                                        "CHROMIUM", "/usr/bin/chromium"),
                                    args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1100, "height": 1400})
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
        browser.close()
    server.shutdown()
    out.parent.mkdir(parents=True, exist_ok=True)
    writer.add_metadata({"/Title": "Inventory Control with Reinforcement Learning"})
    with open(out, "wb") as handle:
        writer.write(handle)
    print(f"wrote {out} ({len(writer.pages)} pages)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_pdf.py HTML_DIR OUT.pdf")
    main(Path(sys.argv[1]), Path(sys.argv[2]))
