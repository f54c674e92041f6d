"""`flask translate ...`: the translator's workflow, wrapping Babel."""

from __future__ import annotations

import subprocess  # noqa: S404 - runs pybabel with fixed arguments
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

translate = AppGroup("translate", help="Extract, update and compile translations.")


def _root() -> Path:
    return Path(current_app.root_path).parent


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(command, cwd=_root(), check=False).returncode != 0:  # noqa: S603
        raise click.ClickException("pybabel " + " ".join(args) + " failed")


def _extract() -> None:
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--add-comments=i18n:",
             "--sort-by-file", "--project=CyberReady", "-o", "translations/messages.pot", ".")


@translate.command("init")
@click.argument("language")
def init_command(language: str) -> None:
    """Start a new language, e.g. `flask translate init sw`."""
    _extract()
    _pybabel("init", "-i", "translations/messages.pot", "-d", "translations", "-l", language)


@translate.command("update")
def update_command() -> None:
    """Collect new and changed strings into every language's .po file."""
    _extract()
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--previous")


@translate.command("compile")
def compile_command() -> None:
    """Compile the .po files into the .mo files the app reads."""
    _pybabel("compile", "-d", "translations", "--statistics")
