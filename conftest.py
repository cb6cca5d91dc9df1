"""Shared by every pytest run of this repository: the tests in tests/ and nbval's
run of the chapters in book/ (tests/conftest.py holds the tests' fixtures)."""
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)     # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``--dist loadgroup``, as scripts/test runs it), each
    notebook's cells stay together on one worker, in order, in one kernel; so do
    the JupyterLab tests, which share one server, and the PDF tests, which read one
    printed book. Everything else spreads out over the workers."""
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(path.stem))
        elif path.name in ("test_jupyterlab.py", "test_pdf.py"):
            item.add_marker(pytest.mark.xdist_group(path.stem))
