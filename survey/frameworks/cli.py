"""`flask framework ...`: load and list framework versions."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from survey.extensions import db
from survey.frameworks.definition import FrameworkError, default_framework_path
from survey.frameworks.models import FrameworkVersion
from survey.frameworks.services import load_framework

framework = AppGroup("framework", help="Load and list assessment framework versions.")


@framework.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(path: Path | None) -> None:
    """Load or update a framework version from a YAML file (default: the shipped one)."""
    try:
        result = load_framework(path or default_framework_path())
    except FrameworkError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{result.version.label}: {result.action}")


@framework.command("list")
def list_command() -> None:
    """List the framework versions in the database."""
    for version in db.session.scalars(sa.select(FrameworkVersion).order_by(FrameworkVersion.id)):
        click.echo(f"{version.label}\t{version.title}\t{version.checksum[:12]}")
