"""Take the README's picture: a section of a built chapter in headless Chromium.

Usage: .venv/bin/python scripts/screenshot.py [page] [section-id] [out.png]
(after scripts/build-book; defaults give book/_static/screenshot.png).
"""
import functools
import http.server
import sys
import threading

from playwright.sync_api import sync_playwright

DEFAULTS = ["book/exact", "the-optimal-policy", "book/_static/screenshot.png"]
page, section, out = (sys.argv[1:] + DEFAULTS[len(sys.argv) - 1:])[:3]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory="_build/html")
handler.func.log_message = lambda *args: None
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                args=["--no-sandbox", "--disable-gpu",
                                      "--disable-background-networking"])
    tab = browser.new_page(viewport={"width": 1200, "height": 760})
    tab.goto(f"http://127.0.0.1:{server.server_address[1]}/{page}.html")
    tab.evaluate("window.MathJax ? MathJax.startup.promise : null")
    tab.evaluate(f"document.getElementById({section!r}).scrollIntoView()")
    tab.wait_for_timeout(500)
    tab.screenshot(path=out)
    browser.close()
server.shutdown()
print("wrote", out)
