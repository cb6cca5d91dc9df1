from pathlib import Path
import subprocess
import sys

import pytest

from invlib import bike_shop, bike_shop_mdp


@pytest.fixture(scope="session")
def article_shop():
    return bike_shop()     # C=10, lambda=4, h=8, p=10, gamma=0.9


@pytest.fixture(scope="session")
def article_mdp(article_shop):
    return bike_shop_mdp(article_shop)


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    """A fresh build of the whole website (no cached environment, so every warning
    shows), with warnings turned into errors: (the build's result, its html folder).
    The website tests and the PDF test share it."""
    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("site")
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(root), "--builder", "html", "--path-output", str(out),
         "-W", "-n", "--keep-going", "--all"],
        capture_output=True, text=True, cwd=root)
    return result, out / "_build" / "html"
