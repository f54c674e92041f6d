"""Registers every feature's command group."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the command groups to `flask --app app ...`."""
    from survey.accounts.cli import users
    from survey.assessments.cli import cycles
    from survey.demo import demo
    from survey.frameworks.cli import framework
    from survey.i18n.cli import translate
    from survey.regions.cli import regions

    for group in (framework, cycles, users, demo, translate, regions):
        app.cli.add_command(group)
