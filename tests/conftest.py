import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import types

import pytest
import sitebuild

from invlib import bike_shop, bike_shop_mdp


@pytest.fixture(scope="session")
def article_shop():
    return bike_shop()     # C=10, lambda=4, h=8, p=10, gamma=0.9


@pytest.fixture(scope="session")
def article_mdp(article_shop):
    return bike_shop_mdp(article_shop)


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    """The website, built once per run (see sitebuild.py): (the build's result,
    its html folder)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent              # the folder every worker's temp is in
    result = types.SimpleNamespace(**sitebuild.build(shared / "site"))
    return result, shared / "site" / "_build" / "html"


# The website served on 127.0.0.1 and one headless Chromium, shared by every test
# that opens a page (website, layout, PDF, JupyterLab): Playwright's synchronous API
# allows one instance at a time, so there is one browser for the whole session.

@pytest.fixture(scope="session")
def site(build):
    result, html = build
    if result.returncode != 0:
        pytest.skip("the book did not build (see test_book_builds_without_warnings)")
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = sitebuild.chromium()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def pdf(build, tmp_path_factory):
    """The printed book (scripts/make_pdf.py), with its text and the layout
    report of each page at the column's width in print, which the print layout
    tests read (test_layout.py): (PDF path, text, report). Its tests and those
    share one worker (conftest.py at the root)."""
    result, html = build
    if result.returncode != 0:
        pytest.skip("the book did not build (see test_book_builds_without_warnings)")
    if not shutil.which("pdftotext"):
        if os.environ.get("INVLIB_REQUIRE_BROWSER"):
            pytest.fail("pdftotext not found, and INVLIB_REQUIRE_BROWSER is set")
        pytest.skip("pdftotext not found (Debian/Ubuntu: sudo apt-get install "
                    "poppler-utils)")
    folder = tmp_path_factory.mktemp("pdf")
    out, report = folder / "book.pdf", folder / "layout.json"
    subprocess.run([sys.executable, str(sitebuild.ROOT / "scripts" / "make_pdf.py"),
                    "--layout-report", str(report), str(html), str(out)],
                   check=True, capture_output=True,
                   env={**os.environ, "CHROMIUM": sitebuild.chromium()})
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True,
                          capture_output=True, text=True).stdout
    return out, text, json.loads(report.read_text())
