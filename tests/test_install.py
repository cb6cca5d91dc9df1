"""The light install: ``pip install -e .`` gives everything the library and the
notebooks import, and nothing of the book's build or test toolchain.

The imports are read from the source (every ``invlib/*.py`` and every code cell
of ``book/*.ipynb``), so a new ``import`` in a chapter fails here until the
dependency is declared. A module the library imports itself is a direct
dependency, even when another dependency happens to bring it along (IPython comes
with ipywidgets, cycler with Matplotlib): that could change under us.
"""
import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import nbformat
import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
#: the book's build, test and browser tools (every name starting so) and the
#: notebook servers: extras only
TOOLCHAIN = ("jupyter-book", "sphinx", "pytest", "nbval", "playwright", "hypothesis",
             "pypdf", "ruff", "nbdime")
SERVERS = {"jupyterlab", "notebook", "ipykernel", "jupyter-server", "nbconvert"}
EXTRAS = {"notebooks": {"jupyterlab", "jupyterlab-myst", "ipykernel"},
          "book": {"jupyter-book", "sphinx-exercise", "sphinx-proof", "pypdf"},
          "test": {"pytest", "nbval", "hypothesis", "playwright", "pytest-xdist"},
          "dev": {"ruff", "nbdime"}}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def name_of(requirement: str) -> str:
    """The normalised distribution name of a requirement ("Foo_bar>=1" -> foo-bar)."""
    name = re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def core() -> set[str]:
    return {name_of(r) for r in project()["dependencies"]}


def top_level_imports(source: str) -> set[str]:
    """The top-level modules ``source`` imports (absolute imports only)."""
    # notebook magics and shell lines are not Python
    lines = [line for line in source.splitlines()
             if not line.lstrip().startswith(("%", "!"))]
    modules = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def imports_of_the_library_and_notebooks() -> dict[str, set[str]]:
    """Every third-party module imported, with the files that import it."""
    sources = [(p, p.read_text()) for p in sorted((ROOT / "invlib").glob("*.py"))]
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        sources += [(path, cell.source)
                    for cell in nbformat.read(path, as_version=4).cells
                    if cell.cell_type == "code"]
    found = {}
    for path, source in sources:
        for module in top_level_imports(source):
            found.setdefault(module, set()).add(path.relative_to(ROOT).as_posix())
    # the repository's own scripts, which a chapter may import from ../benchmarks
    local = {p.stem for p in (ROOT / "benchmarks").glob("*.py")}
    for module in {*sys.stdlib_module_names, *local, "invlib", "__future__"}:
        found.pop(module, None)
    return found


def closure(names) -> set[str]:
    """``names`` and everything they require on this platform (from the installed
    metadata), leaving out their extras."""
    seen, todo = set(names), list(names)
    while todo:
        for requirement in map(Requirement,
                               importlib.metadata.requires(todo.pop()) or []):
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = name_of(requirement.name)
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def test_the_reader_finds_the_imports():
    found = imports_of_the_library_and_notebooks()
    assert {"numpy", "scipy", "numba", "matplotlib", "ipywidgets"} <= set(found)
    assert top_level_imports("%matplotlib inline\n!ls\nimport a.b\nfrom c import d\n"
                             "from . import e\n") == {"a", "c"}


def test_core_dependencies_cover_every_import_of_the_library_and_notebooks():
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for module, where in imports_of_the_library_and_notebooks().items():
        owners = {name_of(d) for d in distributions.get(module, [module])}
        if not owners & core():
            missing[module] = (sorted(owners), sorted(where))
    assert not missing, ("imported, but not a dependency in pyproject.toml "
                         f"(module: (distributions, imported by)): {missing}")


def test_the_light_install_leaves_out_the_book_and_test_toolchain():
    pulled_in = closure(core())
    assert not sorted(n for n in pulled_in
                      if n.startswith(TOOLCHAIN) or n in SERVERS)


def test_extras_hold_the_notebook_server_and_the_book_and_test_tools():
    extras = project()["optional-dependencies"]
    for extra, wanted in EXTRAS.items():
        assert wanted <= {name_of(r) for r in extras.get(extra, [])}, extra


def test_requirements_pin_every_dependency_and_extra():
    pinned = {name_of(line) for f in ("requirements.txt", "constraints.txt")
              for line in (ROOT / f).read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    wanted = [*project()["dependencies"],
              *(r for group in project()["optional-dependencies"].values()
                for r in group)]
    assert not {name_of(r) for r in wanted} - pinned
