"""The code stays lint-clean: ruff, with the rule set written down in pyproject.toml
([tool.ruff]: pyflakes, pycodestyle, bugbear and isort), over the library, the
tests, the scripts and the benchmarks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("invlib", "tests", "scripts", "benchmarks", "conftest.py")


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_ruff_finds_nothing():
    out = ruff("check", "--no-cache", "--output-format", "concise", *CHECKED)
    assert out.returncode == 0, f"ruff check:\n{out.stdout}{out.stderr}"


def test_the_rule_set_covers_pyflakes_pycodestyle_bugbear_and_isort(tmp_path):
    # one fault of each family in a scratch file, checked with the project's
    # configuration: each must be reported (a rule set trimmed later fails here)
    bad = tmp_path / "bad.py"
    bad.write_text("import sys\nimport os\n\n\ndef f(x=[]):\n"
                   "    return undefined_name  \n")
    out = ruff("check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
               "--output-format", "concise", str(bad))
    for code in ("F401", "F821", "W291", "B006", "I001"):
        assert code in out.stdout, f"{code} not reported:\n{out.stdout}"
