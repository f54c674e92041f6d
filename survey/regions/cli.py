"""`flask regions ...`: load the regional organisations and list them."""

from pathlib import Path

import click

from survey.commands import DatabaseGroup
from survey.extensions import db
from survey.regions.definition import DATA_FILE, RegionsError
from survey.regions.services import all_regions, load_regions

regions = DatabaseGroup("regions", help="Regional organisations and their members.")


@regions.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(path: Path | None) -> None:
    """Load or update the regions from a YAML file (default: the shipped one); idempotent."""
    try:
        count, members = load_regions(path or DATA_FILE)
    except RegionsError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"{count} regions, {members} membership periods loaded")


@regions.command("list")
@click.option("--year", type=int, default=None, help="Members in this cycle year (default: this year).")
def list_command(year: int | None) -> None:
    """List the regions and how many members each has in a cycle year."""
    from datetime import date

    year = year or date.today().year
    for region in all_regions():
        click.echo(f"{region.code}\t{len(region.members(year))}\t{region.name}")
