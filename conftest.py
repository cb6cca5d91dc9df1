"""Shared by every pytest run of this repository: the tests in tests/ and nbval's
run of the chapters in book/ (tests/conftest.py holds the tests' fixtures)."""
import os
import signal
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.hookimpl(trylast=True)     # after the tmp_path factory is set up
def pytest_configure(config):
    """Under pytest-xdist, the controller starts the website's build in the
    background as the run begins, when the run includes the tests (whose browser
    tests need it) and picks no subset: the workers' first tests then overlap it,
    instead of a worker waiting for it when its first browser test comes up."""
    if (os.environ.get("PYTEST_XDIST_WORKER")
            or not getattr(config.option, "numprocesses", None)
            or config.option.keyword or config.option.markexpr):
        return
    if not any(Path(arg.split("::")[0]).resolve() == ROOT / "tests"
               for arg in config.args):
        return
    sys.path.insert(0, str(ROOT / "tests"))
    import sitebuild
    site = config._tmp_path_factory.getbasetemp() / "site"
    config._invlib_site_build = sitebuild.start_in_background(site)


def pytest_unconfigure(config):
    build = getattr(config, "_invlib_site_build", None)
    if build is not None and build.poll() is None:
        os.killpg(build.pid, signal.SIGTERM)   # a run cut short: stop the build


#: Groups that take longest, longest first: they start first, so that no
#: worker is left with a long one at the end while the others idle (the short
#: tests fill in around them). The PDF needs the website's build, which the
#: controller starts at once (pytest_configure); the website's tests come last.
FIRST = ["replication", "variants", "qlearning", "robustness", "own_agent",
         "test_grading", "rumination", "test_pdf", "test_jupyterlab", "sarsa",
         "exact", "bikeshop"]
LAST = ["test_website.py", "test_layout.py"]


@pytest.hookimpl(tryfirst=True)     # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``--dist loadgroup``, as scripts/test runs it), each
    notebook's cells stay together on one worker, in order, in one kernel; so do
    the JupyterLab tests, which share one server, the PDF tests and the print
    layout tests, which read one printed book, and the grading tests, which
    share their graded submissions. Everything else spreads out over the
    workers. The longest groups go first (:data:`FIRST`)."""
    groups = {}
    for item in items:
        path = Path(str(item.fspath))
        marked = item.get_closest_marker("xdist_group")   # set by the test itself
        group = marked.args[0] if marked else None
        if group is None and (path.suffix == ".ipynb" or path.name in (
                "test_jupyterlab.py", "test_pdf.py", "test_grading.py")):
            group = path.stem
            item.add_marker(pytest.mark.xdist_group(group))
        groups[item] = group

    def rank(item):
        group, name = groups[item], Path(str(item.fspath)).name
        if group in FIRST:
            return FIRST.index(group)
        return len(FIRST) + (name in LAST)

    items[:] = [item for _, item in sorted(enumerate(items),
                                           key=lambda pair: (rank(pair[1]), pair[0]))]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A chapter's cell that fails shows what it wrote to stderr (nbval says
    only that there was some): a warning, say, from workers started in the
    background, which lands in whichever cell runs meanwhile."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        written = [o.get("text", "") for o in getattr(item, "test_outputs", None) or []
                   if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        if written:
            report.sections.append(("the cell's stderr", "".join(written)))
