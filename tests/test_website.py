"""The website, built from scratch with warnings as errors, then opened page by page
in headless Chromium with no internet: mathematics is typeset, every image loads,
widgets render (and the in-page explorer reacts to its slider), nothing is fetched
from outside 127.0.0.1, and the browser logs no errors. Every page passes axe-core's
WCAG 2.0/2.1 A and AA rules in light and dark mode, and every control works from
the keyboard.

Chromium comes from the system (Debian: ``apt-get install chromium``); where it is
missing these tests are skipped with that hint. Set ``CHROMIUM`` to use another
Chromium or Chrome binary. With ``INVLIB_SCREENSHOTS=1``, full-page screenshots of
every page land in ``_build/screenshots/`` for a human to look at.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["book/bikeshop", "book/exact", "book/qlearning", "book/sarsa",
            "book/rumination", "book/variants", "book/replication",
            "book/robustness"]
#: How a page marks a stored widget view (the widget manager draws each).
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PAGES = ["book/intro", *CHAPTERS, "book/own_agent", "book/teaching", "book/notation",
         "book/glossary", "book/references"]


def test_book_builds_without_warnings(build):
    result, html = build
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "WARNING" not in log and "ERROR" not in log, log[-4000:]
    for page in PAGES:
        assert (html / f"{page}.html").is_file()


class Visit:
    """One page load, recording console errors and every request that tried to
    leave 127.0.0.1 (those are blocked, as on a machine without internet)."""

    def __init__(self, browser, url, mode=None):
        self.errors, self.outside = [], []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        if mode:
            # the theme's own colour-mode switch stores the reader's choice here
            self.page.add_init_script(f"localStorage.setItem('mode', {mode!r});"
                                      f" localStorage.setItem('theme', {mode!r});")
        self.page.route("**/*", self._route)
        self.page.on("console",
                     lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"HTTP {r.status} for {r.url}"))
        self.page.goto(url, wait_until="load")
        # MathJax (loaded only on pages with math) typesets asynchronously; wait
        # until it says it is done.
        if self.page.locator("script[src*='vendor/mathjax/']").count():
            self.page.wait_for_function("window.MathJax && MathJax.startup && "
                                        "MathJax.startup.promise", timeout=20_000)
            self.page.evaluate("MathJax.startup.promise")

    def _route(self, route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", None) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()


@pytest.mark.parametrize("page", PAGES)
def test_every_control_changes_what_its_explorer_shows(build, browser, site, page):
    """No dead controls on the website: every control of every widget on the page
    changes the result its explorer shows, with no kernel: slider handles by the
    arrow keys, and toggle buttons both by the mouse and by the keyboard (Tab to
    one, then Space). The explorers that need Python are left out of the website
    (test_live_explorers_are_replaced_by_a_box_on_the_website)."""
    _, html = build
    if WIDGET_VIEW not in (html / f"{page}.html").read_text(encoding="utf-8"):
        return                       # no widget on the page, so no control
    visit = Visit(browser, f"{site}/{page}.html")
    p = visit.page
    p.wait_for_selector(".widget-vbox .invlib-view", timeout=20_000)
    controls = p.locator(".noUi-handle, .ui-slider-handle, .widget-toggle-button, "
                         ".widget-button, .widget-dropdown select, "
                         ".widget-checkbox input")
    assert controls.count() > 0, f"widgets on {page} but no control found"
    for k in range(controls.count()):
        control = controls.nth(k)
        explorer = p.locator(".widget-vbox").filter(has=control).last
        control.scroll_into_view_if_needed()

        def shown(explorer=explorer):
            return explorer.evaluate("""e => [...e.querySelectorAll('.invlib-view')]
                .filter(v => v.offsetParent !== null).map(v => v.innerText)""")

        def changed(before, how, k=k):
            p.wait_for_timeout(300)
            after = shown()
            assert len(after) == 1 and after != before, (
                f"control {k} on {page} did not change the result ({how})")
            return after

        before = shown()
        assert len(before) == 1, f"expected one visible result, got {len(before)}"
        if "handle" in (control.get_attribute("class") or ""):
            control.focus()
            key = "ArrowLeft" if control.get_attribute("aria-valuenow") != \
                control.get_attribute("aria-valuemin") else "ArrowRight"
            p.keyboard.press(key)
            changed(before, "arrow key")
        elif "mod-active" in (control.get_attribute("class") or ""):
            continue             # the button already chosen; its siblings are tried
        else:
            control.click()
            after = changed(before, "click")
            # back to the first choice by keyboard: Tab reaches it, Space chooses it
            first = control.locator("xpath=..").locator(".widget-toggle-button").first
            first.focus()
            p.keyboard.press("Space")
            assert changed(after, "keyboard") == before
    assert not visit.errors, visit.errors[:5]
    p.close()


@pytest.mark.parametrize("page, names", [
    ("book/exact", ["stockout cost p ($)", "holding cost h ($)",
                    "demand mean λ (bikes a day)"]),
    ("book/qlearning", ["scheme", "step size η", "episodes of 1000 days"])])
def test_chapters_2_and_3_have_explorers_with_three_named_controls(browser, site, page,
                                                                   names):
    """The explorers the chapters are about run on the website: each control has
    an accessible name (a slider's handle is labelled by its description, a toggle
    group by its label, and each toggle button says whether it is chosen), and the
    result is a sentence with a policy table whose rows and columns have headers."""
    visit = Visit(browser, f"{site}/{page}.html")
    p = visit.page
    p.wait_for_selector("[role='slider'][aria-labelledby]", timeout=20_000)
    p.wait_for_timeout(300)
    found = p.evaluate("""() => {
        const named = [];
        document.querySelectorAll("[role='slider']").forEach(h => named.push(
            document.getElementById(h.getAttribute('aria-labelledby')).textContent.trim()));
        document.querySelectorAll(".widget-toggle-buttons [role='group']").forEach(
            g => named.push(document.getElementById(g.getAttribute('aria-labelledby'))
                            .textContent.trim()));
        return named; }""")
    assert sorted(found) == sorted(names)
    # a chosen toggle button says so to a screen reader, not by colour alone
    pressed = p.evaluate("""() => [...document.querySelectorAll('.widget-toggle-button')]
        .map(b => [b.classList.contains('mod-active'),
                   b.getAttribute('aria-pressed')])""")
    assert all(str(active).lower() == said for active, said in pressed)
    table = p.locator(".invlib-view table.invlib-policy:visible").first
    assert table.locator("caption").inner_text().strip()
    assert table.locator("th[scope='row']").count() == 11
    assert table.locator("th[scope='col']").count() == 12
    p.close()


@pytest.mark.parametrize("page", ["book/exact", "book/qlearning"])
def test_live_explorers_are_replaced_by_a_box_on_the_website(browser, site, page):
    """A kernel-backed explorer would look live and do nothing on the website: it
    is left out there, and a box says how to run it in Jupyter."""
    visit = Visit(browser, f"{site}/{page}.html")
    p = visit.page
    code = p.inner_text("article")
    assert "policy_explorer(shop)" not in code
    assert "qlearning_explorer(bench)" not in code
    box = p.locator(".admonition", has_text="A live explorer, in Jupyter")
    assert box.count() == 1 and box.is_visible()
    assert "scripts/lab" in box.inner_text()
    p.close()


AXE = ROOT / "book" / "_static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _widgets_drawn(p):
    """Wait until the widget manager has drawn every stored widget view."""
    views = p.locator(f'script[type="{WIDGET_VIEW}"]').count()
    if views:
        p.wait_for_function(f"document.querySelectorAll('.jupyter-widgets.widget-container,"
                            f" .widget-vbox, .widget-interact').length >= {views}",
                            timeout=20_000)
        p.wait_for_timeout(300)


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline_and_passes_axe(browser, site, page, mode):
    """Each page, in the light and the dark colour mode at 1280 px, with every
    request outside 127.0.0.1 blocked: the mathematics is typeset (no TeX source
    left), every image loads, every stored widget is drawn, no code or output
    block of a chapter is wider than its box, nothing is fetched from outside, the
    browser logs no error; and axe-core (vendored by scripts/setup, injected here
    only) finds no violation of any impact of the WCAG 2.0 and 2.1 A and AA
    rules. One page load serves all of these checks. With INVLIB_SCREENSHOTS=1
    the light run also saves a full-page screenshot in _build/screenshots/."""
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing; run scripts/setup")
    visit = Visit(browser, f"{site}/{page}.html", mode=mode)
    p = visit.page
    assert p.evaluate("document.documentElement.dataset.theme") == mode
    # Math: every math node was turned into MathJax output, and no TeX source is left.
    math = p.evaluate("""() => {
        const nodes = [...document.querySelectorAll('.math')];
        return {total: nodes.length,
                raw: nodes.filter(n => !n.querySelector('mjx-container')).map(
                    n => n.textContent.slice(0, 80))};
    }""")
    assert not math["raw"], f"untypeset math on {page}: {math['raw'][:3]}"
    if page != "book/references":
        assert math["total"] > 0, f"no mathematics found on {page}"
    body = p.inner_text("article")
    for token in ("\\alpha", "\\beta", "\\lambda", "\\gamma", "\\max", "$$"):
        assert token not in body, f"raw TeX {token!r} visible on {page}"
    # Images: all loaded with a real size.
    broken = p.evaluate("""() => [...document.images]
        .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)""")
    assert not broken, f"images that did not load on {page}: {broken}"
    _widgets_drawn(p)
    # At 1280 px every code block and cell output of a chapter fits its box (on
    # a phone a block may scroll inside its box: test_layout.py).
    wide = p.evaluate("""() => [...document.querySelectorAll(
            'article pre, article .cell_output, article .invlib-table')]
        .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
        .map(b => b.textContent.trim().slice(0, 60))""")
    assert not wide, f"blocks wider than their box on {page}: {wide[:3]}"
    if os.environ.get("INVLIB_SCREENSHOTS") and mode == "light":
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(shots / f"{page.split('/')[-1]}.png"), full_page=True)
    p.add_script_tag(path=str(AXE))
    violations = p.evaluate("""tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
        .then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
            targets: v.nodes.slice(0, 4).map(n => n.target.join(' '))})))""", WCAG_AA)
    report = "\n".join(
        f"  {v['id']} ({v['impact']}, {v['count']} nodes): {v['help']}\n"
        + "".join(f"      {t}\n" for t in v["targets"]) for v in violations)
    assert not violations, f"axe on {page} ({mode} mode):\n{report}"
    assert not visit.outside, f"{page} tried to fetch from outside: {visit.outside[:5]}"
    assert not visit.errors, f"console errors on {page}: {visit.errors[:5]}"
    p.close()


@pytest.mark.parametrize("page", ["book/exact", "book/qlearning", "book/robustness"])
def test_keyboard_reaches_and_operates_every_control(browser, site, page):
    """WCAG 2.1.1: the Tab key alone reaches the theme's search and colour-mode
    buttons, every solution's toggle, every hidden cell's summary and every widget
    slider (whose handle is named by the slider's label and announces the value
    its readout shows), and each works from the keyboard."""
    visit = Visit(browser, f"{site}/{page}.html")
    p = visit.page
    views = p.locator(f'script[type="{WIDGET_VIEW}"]').count()
    if views:
        p.wait_for_selector("[role='slider'][aria-labelledby]", timeout=20_000)
    # (and whether each control, reached by Tab, shows that it has the focus: an
    # outline or a ring, WCAG 2.4.7)
    p.evaluate("""() => { window.reached = new Set(); window.unmarked = new Set();
        document.addEventListener('focusin', e => {
            window.reached.add(e.target);
            const s = getComputedStyle(e.target);
            const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                || s.boxShadow !== 'none';
            if (!ring) window.unmarked.add(e.target);
        }); }""")
    stops = p.evaluate("document.querySelectorAll('a[href], button, input, select, "
                       "textarea, [tabindex], [contenteditable]').length")
    for _ in range(stops + 10):
        p.keyboard.press("Tab")
    wanted = (".search-button-field, .theme-switch-button, button.toggle-button, "
              "details > summary, [role='slider']")
    missed = p.evaluate("""wanted => [...document.querySelectorAll(wanted)]
        .filter(e => e.checkVisibility({visibilityProperty: true}) && !reached.has(e))
        .map(e => e.outerHTML.slice(0, 120))""", wanted)
    assert not missed, f"controls on {page} that Tab never reaches: {missed}"
    unseen = p.evaluate("""wanted => [...unmarked].filter(e => e.matches(wanted))
        .map(e => e.outerHTML.slice(0, 120))""", wanted)
    assert not unseen, f"controls on {page} that show no focus: {unseen}"
    kinds = ["button.toggle-button", ".theme-switch-button", ".search-button-field"]
    counts = {kind: p.locator(kind).count() for kind in
              kinds + (["[role='slider']"] if views else [])}
    assert all(counts.values()), f"expected controls missing on {page}: {counts}"

    # a solution opens with Enter
    toggle = p.locator("button.toggle-button").first
    toggle.focus()
    p.keyboard.press("Enter")
    p.wait_for_timeout(200)
    assert toggle.get_attribute("aria-expanded") == "true"
    # a hidden cell opens with Enter
    if p.locator("details > summary").count():
        summary = p.locator("details > summary").first
        summary.focus()
        p.keyboard.press("Enter")
        assert summary.evaluate("s => s.parentElement.open")
    # the colour mode changes with Enter
    switch = p.locator(".theme-switch-button:visible").first
    before = p.evaluate("document.documentElement.dataset.mode")
    switch.focus()
    p.keyboard.press("Enter")
    assert p.evaluate("document.documentElement.dataset.mode") != before
    # the search opens with Enter and closes with Escape
    p.locator(".search-button-field:visible").first.focus()
    p.keyboard.press("Enter")
    field = p.locator("#pst-search-dialog input[type='search']")
    field.wait_for(state="visible", timeout=5_000)
    p.keyboard.press("Escape")
    field.wait_for(state="hidden", timeout=5_000)
    # every slider moves with the arrow keys, named and announcing its readout
    sliders = p.locator("[role='slider']")
    for k in range(sliders.count()):
        handle = sliders.nth(k)
        name = p.evaluate("h => document.getElementById("
                          "h.getAttribute('aria-labelledby'))?.textContent.trim()",
                          handle.element_handle())
        assert name, f"slider {k} on {page} has no label"
        before = handle.get_attribute("aria-valuenow")
        handle.focus()
        p.keyboard.press("ArrowLeft" if before != handle.get_attribute("aria-valuemin")
                         else "ArrowRight")
        p.wait_for_timeout(200)
        assert handle.get_attribute("aria-valuenow") != before, f"slider {name!r} stuck"
        readout = handle.evaluate("h => h.closest('.widget-slider')"
                                  ".querySelector('.widget-readout').textContent.trim()")
        assert handle.get_attribute("aria-valuetext") == readout, name
    assert not visit.errors, visit.errors[:5]
    p.close()


def test_phone_reader_can_navigate(browser, site):
    """At 390 x 844 the visible sidebar button opens the chapter list, a chapter
    link lands on that chapter, and the page-contents button opens its contents."""
    visit = Visit(browser, f"{site}/book/exact.html")
    p = visit.page
    p.set_viewport_size({"width": 390, "height": 844})
    p.locator("button.primary-toggle:visible").click()
    chapters = p.locator("#pst-primary-sidebar-modal")
    chapters.locator("a", has_text="SARSA").first.wait_for(state="visible")
    assert p.evaluate("document.getElementById('pst-primary-sidebar-modal').open")
    chapters.locator("a", has_text="SARSA").first.click()
    p.wait_for_url("**/book/sarsa.html")
    p.locator("button.secondary-toggle:visible").click()
    contents = p.locator("#pst-secondary-sidebar-modal")
    contents.locator("a", has_text="The SARSA update").first.wait_for(state="visible")
    assert not visit.errors, visit.errors[:5]
    p.close()


def test_a_box_that_scrolls_on_a_phone_is_reached_and_scrolled_by_keyboard(browser, site):
    """At 390 px chapter 7's results tables scroll sideways inside their box: each
    such box is a region named by its table's caption that Tab reaches and the
    arrow keys scroll (WCAG 2.1.1); at 1280 px, where they fit, they are not."""
    visit = Visit(browser, f"{site}/book/replication.html")
    p = visit.page
    p.set_viewport_size({"width": 390, "height": 844})
    p.wait_for_timeout(800)
    boxes = p.locator(".invlib-table[data-invlib-scroll]")
    assert boxes.count() > 0
    box = boxes.first
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    name = p.evaluate("b => document.getElementById(b.getAttribute('aria-labelledby'))"
                      ".textContent", box.element_handle())
    assert name.strip() == box.locator("caption").inner_text().strip()
    box.focus()
    assert p.evaluate("document.activeElement.matches('.invlib-table')")
    p.keyboard.press("ArrowRight")
    p.wait_for_timeout(300)
    assert box.evaluate("b => b.scrollLeft") > 0
    p.set_viewport_size({"width": 1280, "height": 900})
    p.wait_for_timeout(800)
    assert p.locator(".invlib-table[data-invlib-scroll]").count() == 0
    assert not visit.errors, visit.errors[:5]
    p.close()
