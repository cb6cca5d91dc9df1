"""The chapters as a student opens them: JupyterLab (as `scripts/lab` starts it, with
jupyterlab-myst) on 127.0.0.1 with a token, one chapter opened in headless Chromium.
An exercise renders as a box, its solution is folded until clicked, and the
solution's code and output are collapsed until expanded.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "invlib-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    home = tmp_path_factory.mktemp("jupyter-home")     # no user settings leak in
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    # render every cell at once (by default JupyterLab renders only those in view)
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    # never save: the chapters are opened in place, and JupyterLab would write its
    # view state (folded outputs) into them
    saving = home / "settings" / "@jupyterlab" / "docmanager-extension"
    saving.mkdir(parents=True)
    (saving / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    command = [str(jupyter), "lab", "--no-browser", f"--port={port}",
               "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
               f"--ServerApp.root_dir={ROOT / 'book'}",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class="
               "jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail("JupyterLab did not start: " + server.stderr.read()[-2000:])
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not answer within 90 s")
    yield url
    server.terminate()
    server.wait(timeout=30)


def _open(browser, lab, name):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{lab}/lab/tree/{name}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=120_000)
    return page


@pytest.fixture(scope="module")
def chapter(lab, browser):
    page = _open(browser, lab, "bikeshop.ipynb")
    yield page
    page.close()


def test_exercise_renders_as_a_box(chapter):
    box = chapter.locator(".myst .myst-exercise", has_text="Exercise 1").first
    box.scroll_into_view_if_needed(timeout=60_000)
    assert "Work out" in box.inner_text()        # the exercise's own text
    assert "{exercise}" not in box.inner_text()  # rendered, not raw MyST


def test_solution_is_folded_until_clicked(chapter):
    solution = chapter.locator("details.myst-exercise",
                               has_text="Solution to").first
    solution.scroll_into_view_if_needed(timeout=60_000)
    answer = solution.get_by_text("turns 2 customers away")
    assert not solution.evaluate("d => d.open")
    assert not answer.is_visible()
    solution.locator("summary").click()
    answer.wait_for(state="visible", timeout=10_000)


def test_solution_code_is_collapsed_until_expanded(chapter):
    cell = chapter.locator(".jp-CodeCell", has_text="one_day(bike_shop(), (2, 3), 4, 7)")
    cell.first.scroll_into_view_if_needed(timeout=60_000)
    assert cell.first.locator(".jp-InputPlaceholder").count() == 1
    assert cell.first.locator(".jp-OutputPlaceholder").count() == 1
    assert cell.first.locator(".jp-OutputArea-output").count() == 0 or \
        not cell.first.locator(".jp-OutputArea-output").first.is_visible()


def test_stated_values_render_as_numbers_before_anything_runs(lab, browser):
    """A chapter's ``{eval}`said.NAME``` shows the stored value (jupyterlab-myst reads
    the cell's ``user_expressions``), not the raw role and not an error."""
    import nbformat
    sys.path.insert(0, str(ROOT / "scripts"))
    import run_chapter

    notebook = nbformat.read(str(ROOT / "book" / "exact.ipynb"), as_version=4)
    values = run_chapter.recorded_values(notebook)
    page = _open(browser, lab, "exact.ipynb")
    cell = page.locator(".jp-MarkdownCell", has_text="The honest baseline").first
    cell.scroll_into_view_if_needed(timeout=60_000)
    deadline = time.monotonic() + 60
    text = ""
    while "optimum" not in text and time.monotonic() < deadline:
        page.wait_for_timeout(500)          # the cell renders after it scrolls in
        text = cell.inner_text()
    page.close()
    assert "{eval}" not in text and "said." not in text
    assert f"costs {values['extra_full']} more than the optimum" in " ".join(text.split())


def test_the_precomputed_explorer_is_live_in_jupyterlab(lab, browser, tmp_path):
    """Chapter 2 run in JupyterLab's kernel: its explorer draws a result, and a
    slider moved by the keyboard (its handle focused, then the arrow key) switches
    to another. The copy runs in a scratch folder so the chapter stays unchanged."""
    import shutil
    # (not a hidden folder: JupyterLab does not open those; the build ignores it)
    scratch = ROOT / "book" / f"_lab_test_{os.getpid()}"
    scratch.mkdir()
    try:
        shutil.copy(ROOT / "book" / "exact.ipynb", scratch / "exact.ipynb")
        # (the earlier tests' notebooks stay open in hidden tabs of the same
        # JupyterLab, chapter 2 among them: only what is visible is this copy)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(f"{lab}/lab/tree/{scratch.name}/exact.ipynb?reset&token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-MarkdownCell:visible", timeout=120_000)
        page.locator(".jp-Notebook:visible").first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.locator("li[data-command='runmenu:run-all']").click()
        explorer = page.locator(".jp-Notebook:visible .jp-OutputArea-output .widget-vbox",
                                has=page.locator(".invlib-view")).last
        explorer.wait_for(state="visible", timeout=240_000)
        explorer.scroll_into_view_if_needed()

        def shown():
            return explorer.evaluate("""e => [...e.querySelectorAll('.invlib-view')]
                .filter(v => v.offsetParent !== null).map(v => v.innerText)""")

        before = shown()
        assert len(before) == 1 and "the optimal policy costs" in before[0]
        handle = explorer.locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(500)
        after = shown()
        assert len(after) == 1 and after != before
        page.close()
    finally:
        shutil.rmtree(scratch)
