"""The layers of ARCHITECTURE.md hold: imports point down, and the methodology stays pure.

The contracts live in pyproject.toml ([tool.importlinter]); `lint-imports` checks them from the
command line, these tests in the suite.
"""

from __future__ import annotations

import ast
from pathlib import Path

from importlinter.cli import lint_imports

from survey.assessments import signals
from survey.hooks import Hook

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
# The application factory and the CLI registry import every feature when the app is built; the PDF
# layout is loaded with the first report (WeasyPrint's start-up cost), not to dodge a cycle.
MAY_IMPORT_IN_FUNCTIONS = {
    ROOT / "survey" / "__init__.py",
    ROOT / "survey" / "cli.py",
    ROOT / "survey" / "reports" / "pdf.py",
}


def lint(config: Path) -> int:
    return lint_imports(config_filename=str(config), no_cache=True, no_logo=True)


def test_imports_point_down_and_the_methodology_stays_pure(monkeypatch):
    monkeypatch.chdir(ROOT)  # import-linter finds the `survey` package from the working directory
    assert lint(PYPROJECT) == 0, "an import breaks a contract of pyproject.toml: see the report above"


def test_the_layer_contract_catches_an_upward_import(monkeypatch, tmp_path):
    # The review feature imports assessments; declared the other way round, that import is upward.
    config = tmp_path / "reversed.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "survey"\n\n'
        '[[tool.importlinter.contracts]]\nname = "reversed"\ntype = "layers"\n'
        'layers = ["survey.assessments", "survey.review"]\n'
    )
    monkeypatch.chdir(ROOT)
    assert lint(config) == 1


def function_level_imports(path: Path) -> list[str]:
    """`module:line` of the survey imports made inside a function body."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name == "survey" or name.startswith("survey.") for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_import_hides_inside_a_function():
    modules = [
        path
        for path in sorted((ROOT / "survey").rglob("*.py"))
        if path not in MAY_IMPORT_IN_FUNCTIONS and "migrations" not in path.parts
    ]
    assert len(modules) > 50
    assert [line for path in modules for line in function_level_imports(path)] == []


def test_every_question_and_event_a_lower_layer_raises_is_answered_once_the_app_is_built(app):
    assert len(Hook.every) >= 5
    assert [hook.question for hook in Hook.every if not hook.answered] == []
    events = (signals.submitted, signals.returned, signals.validated, signals.released, signals.cycle_opened)
    assert [event.name for event in events if not event.receivers] == []
