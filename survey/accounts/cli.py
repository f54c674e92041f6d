"""`flask users ...`: create accounts and reset passwords."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from survey.accounts.models import COUNTRY_ROLES, Role, User
from survey.countries.services import country_by_code
from survey.extensions import db

users = AppGroup("users", help="Manage user accounts.")


@users.command("create")
@click.argument("username")
@click.option("--role", "roles", type=click.Choice([r.value for r in Role]), required=True, multiple=True,
              help="Repeat to give several roles.")
@click.option("--country", help="ISO alpha-2 code, required for contributors, coordinators, validators.")
@click.password_option()
def create_command(username: str, roles: tuple[str, ...], country: str | None, password: str) -> None:
    """Create a user account."""
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise click.ClickException(f"user {username!r} already exists")
    country_row = country_by_code(country) if country else None
    if COUNTRY_ROLES.intersection(roles) and country_row is None:
        raise click.ClickException("contributors, coordinators and validators need a valid --country code")
    user = User(username=username, country=country_row if COUNTRY_ROLES.intersection(roles) else None)
    user.set_roles(roles)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {username} ({', '.join(roles)})")


@users.command("set-password")
@click.argument("username")
@click.password_option()
def set_password_command(username: str, password: str) -> None:
    """Reset a user's password."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    user.set_password(password)
    db.session.commit()
    click.echo(f"password changed for {username}")
