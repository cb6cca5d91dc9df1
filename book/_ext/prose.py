"""Render ``{eval}`said.name``` in a chapter's prose from the chapter's stored outputs.

The chapters are stored executed and the book builds with execution off, so myst-nb's
own ``eval`` role (which asks a running kernel) has nothing to ask. This role answers
from the values the chapter recorded with ``invlib.prose.Said`` (outputs of the MIME
type ``invlib.prose.MIME``): the same values nbval compares with a fresh run and
``jupyterlab-myst`` shows in JupyterLab. An expression that no cell recorded is an
error, so a build with warnings as errors fails on it.
"""
from __future__ import annotations

from pathlib import Path
import re

from docutils import nodes
import nbformat
from sphinx.util import logging
from myst_nb.core.variables import create_warning
from myst_nb.ext.utils import RoleBase

from invlib.prose import MIME, recorded_values  # noqa: F401 (MIME for the tests)

logger = logging.getLogger(__name__)
PREFIX = "said."


class SaidRole(RoleBase):
    """``{eval}`said.name```: the recorded text of ``name``, as plain inline text."""

    def run(self):
        expression = self.text.strip()
        renderer = self.document.get("nb_renderer")
        if renderer is None:
            return [], [create_warning(
                f"{{eval}}`{expression}` is only for the chapters' notebooks",
                self.document, self.line, subtype="eval")]
        notebook = renderer.renderer.nb_client.notebook
        cache = self.document.setdefault("invlib_said", recorded_values(notebook))
        name = expression[len(PREFIX):] if expression.startswith(PREFIX) else None
        if name is None or name not in cache:
            return [], [create_warning(
                f"{{eval}}`{expression}`: no code cell of this chapter recorded it "
                f"(write said.NAME and record NAME with said(NAME=...))",
                self.document, self.line, subtype="eval")]
        return [nodes.inline(cache[name], cache[name], classes=["said"])], []


_IN_TEXT = re.compile(r"\{eval\}`said\.([A-Za-z_][A-Za-z0-9_]*)`")


def _fill_alt_texts(app, doctree):
    """A figure's alt text (cell metadata ``mystnb.image.alt``) is plain text, not
    parsed as MyST, so its ``{eval}`said.NAME``` are filled in here, from the same
    recorded values as the prose."""
    source = Path(app.env.doc2path(app.env.docname))
    if source.suffix != ".ipynb":
        return
    values = None
    for image in doctree.findall(nodes.image):
        alt = image.get("alt", "")
        if "{eval}" not in alt:
            continue
        if values is None:
            values = recorded_values(nbformat.read(str(source), as_version=4))
        missing = [n for n in _IN_TEXT.findall(alt) if n not in values]
        if missing:
            logger.warning(f"alt text uses said.{missing[0]}, which no code cell of "
                           f"this chapter records", location=image)
            continue
        image["alt"] = _IN_TEXT.sub(lambda m: values[m.group(1)], alt)


def setup(app):
    # after myst-nb, whose eval role this replaces
    app.setup_extension("myst_nb")
    app.add_role("eval", SaidRole(), override=True)
    app.connect("doctree-read", _fill_alt_texts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
