"""Keep the website self-contained, so every page works without internet.

* Jupyter Book 1 always loads sphinx-thebe, whose page snippet points at a CDN and is
  inserted twice (a known bug that logs a JavaScript error). The book does not use
  Thebe (its notebooks run in Jupyter), so those scripts are dropped from every page.
* The widget manager (copied into ``_static/vendor`` by ``scripts/setup``) loads its
  fonts relative to the RequireJS base URL and to
  ``window.__jupyter_widgets_assets_path__``; each page sets both, relative to where
  the page sits, before RequireJS starts (a global ``require`` object is its config).
* The widget manager typesets labels with the MathJax 2 API; ``mathjax-hub-shim.js``
  (in ``book/_static``) forwards those calls to MathJax 3.
"""
from sphinx.builders.html._assets import _JavaScript


def _adjust_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts is None:
        return

    def is_thebe(script):
        body = getattr(script, "attributes", {}).get("body", "")
        return "thebe" in str(script) or "THEBE_JS_URL" in body

    scripts = [s for s in scripts if not is_thebe(s)]
    if any("html-manager" in str(s) for s in scripts):
        vendor = context["pathto"]("_static/vendor/", 1)
        assets = vendor + "@jupyter-widgets/html-manager/dist/"
        scripts.insert(0, _JavaScript("", body=(
            f"var require = {{baseUrl: {vendor!r}}};"
            f" window.__jupyter_widgets_assets_path__ = {assets!r};")))
    context["script_files"] = scripts


def setup(app):
    app.connect("html-page-context", _adjust_scripts, priority=900)
    # after MathJax (deferred scripts run in order), before the widgets render
    app.add_js_file("mathjax-hub-shim.js", priority=900, defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
