"""The code keeps the house rules: mypy finds no type errors, ruff no lint errors and nothing to reformat.

Neither test touches the database, so each runs once, not once per backend.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.house_rules


def test_mypy_finds_no_type_errors(monkeypatch):
    monkeypatch.chdir(ROOT)  # pyproject.toml's [tool.mypy] names the files and settings
    # Incremental, in the checkout's .mypy_cache: in CI the mypy step before pytest has just filled it,
    # so this takes seconds, not half a minute; mypy checks again whatever changed since.
    report, errors, status = mypy_api.run([])
    assert status == 0, report + errors


def test_ruff_finds_no_lint_errors():
    ruff = [found] if (found := shutil.which("ruff")) else [sys.executable, "-m", "ruff"]
    result = subprocess.run(
        [*ruff, "check", "--no-cache", "survey", "tests", "bench", "setup.py", "app.py"],  # noqa: S603
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted_as_ruff_formats_it():
    ruff = [found] if (found := shutil.which("ruff")) else [sys.executable, "-m", "ruff"]
    result = subprocess.run(
        [*ruff, "format", "--check", "--no-cache", "survey", "tests", "bench", "setup.py", "app.py"],  # noqa: S603
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, "run `ruff format`:\n" + result.stdout + result.stderr
