"""`flask cycles ...`: open and close assessment cycles (the rules of the Cycles page)."""

from datetime import datetime

import click
import sqlalchemy as sa

from survey.assessments.cycles import FIRST_YEAR, LAST_YEAR, close_cycle, open_cycle
from survey.audit.services import COMMAND_LINE
from survey.commands import DatabaseGroup
from survey.extensions import db
from survey.frameworks.models import FrameworkVersion

cycles = DatabaseGroup("cycles", help="Manage assessment cycles.")


@cycles.command("open")
@click.argument("year", type=click.IntRange(FIRST_YEAR, LAST_YEAR))
@click.option("--framework", "label", help="Framework as 'id version'; default: the newest loaded.")
@click.option(
    "--deadline",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Submission deadline (YYYY-MM-DD); teams are reminded a week before.",
)
def open_command(year: int, label: str | None, deadline: datetime | None) -> None:
    """Open the cycle of YEAR (closing any other) on a framework version."""
    query = sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc())
    if label:
        framework_id, _, number = label.partition(" ")
        query = query.where(FrameworkVersion.framework_id == framework_id, FrameworkVersion.version == number)
    version = db.session.scalars(query).first()
    if version is None:
        raise click.ClickException("no such framework version; load one with `flask framework load`")
    cycle = open_cycle(year, version, COMMAND_LINE, deadline=deadline.date() if deadline else None)
    db.session.commit()
    click.echo(f"cycle {cycle.year} open on {version.label}")


@cycles.command("close")
def close_command() -> None:
    """Close the open cycle: nobody can start an assessment until another opens."""
    cycle = close_cycle(COMMAND_LINE)
    db.session.commit()
    click.echo(f"cycle {cycle.year} closed" if cycle else "no cycle was open")
