"""The website the browser, layout, figure and PDF tests share: its build,
a fresh build of the whole book (no cached environment, so every warning shows),
with warnings turned into errors; and the Chromium to open it in.

Built once per test run. Under pytest-xdist the controller starts it in the
background as the run begins (conftest.py), so it overlaps the workers' first
tests; whoever asks first holds the lock and builds, the others wait for it and
read the result. ``python tests/sitebuild.py OUT`` builds into OUT.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def build(out: Path) -> dict:
    """The build's return code and log (``returncode``, ``stdout``, ``stderr``);
    its pages are in ``out/_build/html``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f"{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = out / "build-result.json"
        if not record.exists():
            jb = Path(sys.executable).with_name("jupyter-book")
            result = subprocess.run(
                [str(jb), "build", str(ROOT), "--builder", "html", "--path-output",
                 str(out), "-W", "-n", "--keep-going", "--all"],
                capture_output=True, text=True, cwd=ROOT)
            out.mkdir(exist_ok=True)
            record.write_text(json.dumps({"returncode": result.returncode,
                                          "stdout": result.stdout,
                                          "stderr": result.stderr}))
        return json.loads(record.read_text())


def chromium() -> str:
    """The path of the Chromium the browser tests use (a failure or a skip, with
    the install hint, where there is none)."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not path:
        if os.environ.get("INVLIB_REQUIRE_BROWSER"):
            pytest.fail("Chromium not found, and INVLIB_REQUIRE_BROWSER is set")
        pytest.skip("Chromium not found; install it (Debian/Ubuntu: "
                    "sudo apt-get install chromium) or set CHROMIUM=/path/to/chrome")
    return path


def start_in_background(out: Path) -> subprocess.Popen:
    # its own process group, so that stopping it stops jupyter-book too
    return subprocess.Popen([sys.executable, __file__, str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
