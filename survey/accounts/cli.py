"""`flask users ...`: create accounts and reset passwords."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from survey.accounts.models import COUNTRY_ROLES, Role, User
from survey.accounts.passwords import password_problem
from survey.audit.services import record
from survey.countries.services import country_by_code
from survey.extensions import db

users = AppGroup("users", help="Manage user accounts.")


class _CommandLine:
    """The audit trail's actor for changes made on the server's command line."""

    is_authenticated = True
    id = None
    username = "(command line)"


CLI_ACTOR = _CommandLine()


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
    _check_password(password, username)
    user = User(username=username, country=country_row if COUNTRY_ROLES.intersection(roles) else None)
    user.set_roles(roles)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.create", user=CLI_ACTOR, target_user_id=user.id, country_id=user.country_id,
           new_value={"roles": sorted(roles), "country": country, "active": True})
    db.session.commit()
    click.echo(f"created {username} ({', '.join(roles)})")


@users.command("set-password")
@click.argument("username")
@click.password_option()
def set_password_command(username: str, password: str) -> None:
    """Reset a user's password."""
    user = _user(username)
    _check_password(password, username)
    user.set_password(password)
    record("user.password", user=CLI_ACTOR, target_user_id=user.id, country_id=user.country_id)
    db.session.commit()
    click.echo(f"password changed for {username}; their sessions are closed")


@users.command("deactivate")
@click.argument("username")
def deactivate_command(username: str) -> None:
    """Stop an account from signing in and end its sessions."""
    user = _user(username)
    user.active = False
    user.session_token = User.new_token()
    record("user.update", user=CLI_ACTOR, target_user_id=user.id, country_id=user.country_id,
           old_value={"active": True}, new_value={"active": False})
    db.session.commit()
    click.echo(f"{username} is deactivated")


def _user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


def _check_password(password: str, username: str) -> None:
    with force_locale("en"):  # the command line has no request to take a language from
        problem = password_problem(password, username)
    if problem:
        raise click.ClickException(problem)
