"""Registers every feature's command group."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the commands to `flask --app app ...`."""
    from survey.admin.cli import framework, setup_command, users
    from survey.api.cli import api_tokens
    from survey.assessments.cli import cycles
    from survey.dashboards import synthetic  # noqa: F401 - adds `flask demo synthetic`
    from survey.demo import demo
    from survey.i18n.cli import translate
    from survey.notifications.cli import notifications
    from survey.pages.assets import assets
    from survey.regions.cli import regions

    for command in (
        setup_command,
        framework,
        cycles,
        users,
        demo,
        translate,
        regions,
        api_tokens,
        notifications,
        assets,
    ):
        app.cli.add_command(command)
