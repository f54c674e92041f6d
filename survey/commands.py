"""The command group of `flask` commands that use the database, and the command line's language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo
from flask_babel import force_locale

# Set by the factory on a development app started for a command: brings the schema up to date.
DEFERRED_PREPARATION = "cyberready.prepare_database"


def defer_preparation(app: Flask, prepare: Callable[[], None]) -> None:
    """Keep the database preparation for the first command that uses the database (run at most once)."""
    done: list[bool] = []

    def once() -> None:
        if not done:
            done.append(True)
            with app.app_context():
                prepare()

    app.extensions[DEFERRED_PREPARATION] = once


def started_for_a_command() -> bool:
    """Whether the app is being built by a `flask` command other than `run` (`--help`, `translate`...)."""
    context = click.get_current_context(silent=True)
    return context is not None and context.command.name != "run"


def prepare_for_command(app: Flask | None = None) -> None:
    """Run the database preparation the factory deferred, if any."""
    prepare = (app or current_app).extensions.get(DEFERRED_PREPARATION)
    if prepare is not None:
        prepare()


class DatabaseGroup(AppGroup):
    """Commands that read or write the database: in development the schema is migrated first.

    `flask --help` and `flask translate ...` need no database, so they start without migrating.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Prepare the database (when the factory deferred it), then run the command."""
        prepare_for_command(ctx.ensure_object(ScriptInfo).load_app())
        return super().invoke(ctx)


@contextmanager
def in_english() -> Iterator[None]:
    """Messages in English on the command line, which has no request to take a language from."""
    with force_locale("en"):
        yield
