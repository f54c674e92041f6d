"""`flask cycles ...`: open assessment cycles."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from survey.assessments.services import open_cycle
from survey.extensions import db
from survey.frameworks.models import FrameworkVersion

cycles = AppGroup("cycles", help="Manage assessment cycles.")


@cycles.command("open")
@click.argument("year", type=int)
@click.option("--framework", "label", help="Framework as 'id version'; default: the newest loaded.")
def open_command(year: int, label: str | None) -> None:
    """Open the cycle of YEAR (closing any other) on a framework version."""
    query = sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc())
    if label:
        framework_id, _, version = label.partition(" ")
        query = query.where(FrameworkVersion.framework_id == framework_id,
                            FrameworkVersion.version == version)
    version = db.session.scalars(query).first()
    if version is None:
        raise click.ClickException("no such framework version; load one with `flask framework load`")
    cycle = open_cycle(year, version)
    db.session.commit()
    click.echo(f"cycle {cycle.year} open on {version.label}")
