"""Every figure of the book describes itself: a numbered caption, an alt text that says
what it shows (numbers in it taken from the computation), a reference from the prose,
and pixels enough for a high-density screen (stored at twice the displayed size).
"""
from __future__ import annotations

import base64
import re
import struct
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import bookstructure as bs  # noqa: E402
import run_chapter  # noqa: E402

CHAPTERS = [pytest.param(name, id=name) for name in bs.NOTEBOOKS]
WIDGET = "application/vnd.jupyter.widget-view+json"
FILE_NAME = re.compile(r"^\S+\.(png|svg|jpe?g)$|_images/", re.I)


def figures(notebook):
    """(cell index, cell, output) for every matplotlib picture a chapter shows."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data and WIDGET not in data:
                yield index, cell, output


def png_width(output) -> int:
    raw = base64.b64decode(output["data"]["image/png"])
    return struct.unpack(">I", raw[16:20])[0]


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_figure_has_a_caption_a_name_and_a_real_alt_text(name):
    notebook = nbformat.read(str(bs.BOOK / f"{name}.ipynb"), as_version=4)
    values = run_chapter.recorded_values(notebook)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for index, cell, _ in figures(notebook):
        options = cell.metadata.get("mystnb", {})
        caption = options.get("figure", {}).get("caption", "")
        label = options.get("figure", {}).get("name", "")
        alt = options.get("image", {}).get("alt", "")
        assert len(caption.split()) >= 5, f"cell {index}: a figure needs a caption"
        assert label.startswith(f"fig-{name}-"), f"cell {index}: name 'fig-{name}-...'"
        assert len(alt.split()) >= 12 and not FILE_NAME.search(alt), (
            f"cell {index}: the alt text must say what the figure shows")
        for said_name in re.findall(r"said\.(\w+)", alt + caption):
            assert said_name in values, f"cell {index}: said.{said_name} not recorded"
        assert f"{{numref}}`{label}`" in prose, f"the prose never refers to {label}"
    assert sum(1 for _ in figures(notebook)) == len(
        {c.metadata["mystnb"]["figure"]["name"] for _, c, _ in figures(notebook)}), (
        "one figure per cell, each with a name of its own")


@pytest.mark.parametrize("name", CHAPTERS)
def test_figures_are_stored_at_twice_their_displayed_width(name):
    notebook = nbformat.read(str(bs.BOOK / f"{name}.ipynb"), as_version=4)
    for index, _, output in figures(notebook):
        shown = output.get("metadata", {}).get("image/png", {}).get("width")
        assert shown, f"cell {index}: stored without its display size (not retina)"
        assert png_width(output) >= 2 * shown - 2, f"cell {index}: fewer than 2x pixels"


def test_the_site_numbers_and_describes_every_figure(build):
    """In the built pages every figure has 'Figure N.M' and an alt text that is no
    file name (the {eval} values filled in)."""
    result, html_dir = build
    if result.returncode != 0:
        pytest.skip("the book did not build (see test_book_builds_without_warnings)")
    for page in sorted((html_dir / "book").glob("*.html")):
        # (widget pictures live in the embedded widget state, whose alt texts
        # tests/test_widgets.py checks; the page script draws them)
        html = re.sub(r"<script.*?</script>", "", page.read_text(), flags=re.S)
        for figure in re.findall(r"<figure.*?</figure>", html, re.S):
            if "<img" not in figure:
                continue
            assert re.search(r"Figure \d+\.\d+", figure), f"{page.name}: unnumbered"
            alt = re.search(r'<img[^>]*alt="([^"]*)"', figure).group(1)
            assert len(alt.split()) >= 12 and "{eval}" not in alt and \
                not FILE_NAME.search(alt), f"{page.name}: alt text {alt!r}"
        for image in re.findall(r"<img[^>]*>", html):
            alt = re.search(r'alt="([^"]*)"', image)
            assert alt and alt.group(1) and not FILE_NAME.search(alt.group(1)), (
                f"{page.name}: an image without a text alternative: {image[:120]}")
