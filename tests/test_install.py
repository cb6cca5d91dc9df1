"""The light install: ``pip install -e .`` gives everything the library and the
notebooks import, and nothing of the book's build or test toolchain."""
import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import nbformat
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
TOOLCHAIN = ("jupyter-book", "sphinx", "pytest", "nbval", "playwright", "hypothesis",
             "pypdf")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def name_of(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def top_level_imports(source: str) -> set[str]:
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


def imported_by_the_light_install() -> set[str]:
    modules = set()
    for path in (ROOT / "invlib").glob("*.py"):
        modules |= top_level_imports(path.read_text())
    for path in (ROOT / "book").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                modules |= top_level_imports(cell.source)
    return modules - set(sys.stdlib_module_names) - {"invlib", "__future__"}


def test_core_dependencies_cover_every_import_of_the_library_and_notebooks():
    core = {name_of(r) for r in project()["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    # what the core dependencies pull in themselves (IPython comes with ipywidgets)
    provided = set(core)
    todo = list(core)
    while todo:
        requires = importlib.metadata.requires(todo.pop()) or []
        for requirement in map(Requirement, requires):
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue                 # an extra, or another platform's need
            name = name_of(requirement.name)
            if name not in provided:
                provided.add(name)
                todo.append(name)
    missing = {}
    for module in imported_by_the_light_install():
        owners = {name_of(d) for d in distributions.get(module, [module])}
        if not owners & provided:
            missing[module] = sorted(owners)
    assert not missing, f"imported but not installed by `pip install -e .`: {missing}"


def test_core_dependencies_leave_out_the_book_and_test_toolchain():
    core = [name_of(r) for r in project()["dependencies"]]
    assert not [n for n in core if n.startswith(TOOLCHAIN)], core
    extras = project()["optional-dependencies"]
    assert {"notebooks", "book", "test"} <= set(extras)
    everything = {name_of(r) for group in extras.values() for r in group}
    for tool in ("jupyter-book", "pytest", "nbval", "playwright", "hypothesis",
                 "jupyterlab"):
        assert tool in everything, tool


def test_requirements_pin_every_dependency_and_extra():
    pinned = {name_of(line) for f in ("requirements.txt", "constraints.txt")
              for line in (ROOT / f).read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    wanted = [*project()["dependencies"],
              *(r for group in project()["optional-dependencies"].values()
                for r in group)]
    assert not {name_of(r) for r in wanted} - pinned
