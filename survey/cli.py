"""Registers every feature's command group."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the command groups to `flask --app app ...`."""
    from survey.accounts.cli import users
    from survey.api.cli import api_tokens
    from survey.assessments.cli import cycles
    from survey.dashboards import synthetic  # noqa: F401 - adds `flask demo synthetic`
    from survey.demo import demo
    from survey.frameworks.cli import framework
    from survey.i18n.cli import translate
    from survey.pages.assets import assets
    from survey.regions.cli import regions

    for group in (framework, cycles, users, demo, translate, regions, api_tokens, assets):
        app.cli.add_command(group)
