"""`flask setup`, `flask users ...` and `flask framework ...`: the admin pages' rules on the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from survey.accounts.models import Role, User
from survey.admin import services
from survey.audit.services import COMMAND_LINE
from survey.commands import DatabaseGroup, in_english, prepare_for_command
from survey.extensions import db
from survey.frameworks.definition import FrameworkError, default_framework_path
from survey.frameworks.models import FrameworkVersion

users = DatabaseGroup("users", help="Manage user accounts (the rules of the Accounts page).")
framework = DatabaseGroup("framework", help="Load and list assessment framework versions.")


@contextmanager
def refusals_as_errors() -> Iterator[None]:
    """Show a refused change as the command's error, in English."""
    with in_english():
        try:
            yield
        except (services.Refused, FrameworkError) as refusal:
            db.session.rollback()
            raise click.ClickException(str(refusal)) from refusal


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Add the reference data a new database lacks: countries, the shipped regions and framework.

    Idempotent: regions and the framework are loaded only when the database has none, so running
    it again never undoes what an administrator loaded or changed.
    """
    prepare_for_command()
    report = services.set_up_reference_data(COMMAND_LINE)
    db.session.commit()
    click.echo(
        f"countries: {report.countries} added; "
        f"regions: {f'{report.regions} loaded' if report.regions else 'already there, left as they are'}; "
        f"framework: {f'{report.framework} loaded' if report.framework else 'already there, left as it is'}"
    )


def password_options(function: Callable) -> Callable:
    """--password and --password-stdin; without either the command prompts."""
    function = click.option(
        "--password-stdin",
        "password_stdin",
        is_flag=True,
        help="Read the password from the first line of standard input (for scripts).",
    )(function)
    return click.option(
        "--password",
        help="The password (visible in the shell history: prefer "
        "--password-stdin). Without either option you are prompted for it twice.",
    )(function)


def read_password(username: str, password: str | None, password_stdin: bool) -> str:
    """The password given by option, standard input or an announced, hidden prompt."""
    if password_stdin:
        if password is not None:
            raise click.UsageError("give --password or --password-stdin, not both")
        password = click.get_text_stream("stdin").readline().rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin read an empty line")
        return password
    if password is None:
        click.echo(f"Choose the password of {username}: you will type it twice, and nothing is shown.", err=True)
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return password


@users.command("create")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    type=click.Choice([r.value for r in Role]),
    required=True,
    multiple=True,
    help="Repeat to give several roles.",
)
@click.option("--country", help="ISO alpha-2 code, required for contributors, coordinators, validators.")
@click.option("--name", "full_name", default="", help="The person's full name.")
@click.option("--email", default="", help="Where notifications and a forgotten password's link go.")
@password_options
def create_command(
    username: str,
    roles: tuple[str, ...],
    country: str | None,
    full_name: str,
    email: str,
    password: str | None,
    password_stdin: bool,
) -> None:
    """Create a user account (prompts for the password unless --password or --password-stdin)."""
    with refusals_as_errors():
        services.check_new_account(username, set(roles), country)
        services.create_account(
            username,
            set(roles),
            country,
            read_password(username, password, password_stdin),
            COMMAND_LINE,
            full_name=full_name,
            email=email,
        )
    db.session.commit()
    click.echo(f"created {username} ({', '.join(roles)})")


@users.command("set-roles")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    type=click.Choice([r.value for r in Role]),
    required=True,
    multiple=True,
    help="Repeat to give several roles; the account gets exactly these.",
)
@click.option("--country", help="ISO alpha-2 code, required for contributors, coordinators, validators.")
def set_roles_command(username: str, roles: tuple[str, ...], country: str | None) -> None:
    """Replace an account's roles and country."""
    user = _user(username)
    with refusals_as_errors():
        services.update_account(user, set(roles), country, COMMAND_LINE)
    db.session.commit()
    click.echo(f"{username} now holds {', '.join(sorted(roles))}" + (f" in {country.upper()}" if country else ""))


@users.command("set-password")
@click.argument("username")
@password_options
def set_password_command(username: str, password: str | None, password_stdin: bool) -> None:
    """Reset a user's password (prompts unless --password or --password-stdin)."""
    user = _user(username)
    with refusals_as_errors():
        services.reset_password(user, read_password(username, password, password_stdin), COMMAND_LINE)
    db.session.commit()
    click.echo(f"password changed for {username}; their sessions are closed")


@users.command("deactivate")
@click.argument("username")
def deactivate_command(username: str) -> None:
    """Stop an account from signing in and end its sessions."""
    services.deactivate_account(_user(username), COMMAND_LINE)
    db.session.commit()
    click.echo(f"{username} is deactivated")


def _user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


@framework.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(path: Path | None) -> None:
    """Load or update a framework version from a YAML file (default: the shipped one).

    Once a version has a submitted assessment only its wording may change; any other change is
    refused (exit status 1) and the file must be given a new version. Every load is audited.
    """
    try:
        with in_english():
            result = services.load_framework_file(path or default_framework_path(), COMMAND_LINE)
    except FrameworkError as refusal:
        db.session.commit()  # the loader changed nothing; keep the audit row of the refusal
        raise click.ClickException(str(refusal)) from refusal
    db.session.commit()
    click.echo(f"{result.version.label}: {result.action} (file sha256 {result.file_sha256})")


@framework.command("list")
def list_command() -> None:
    """List the framework versions in the database."""
    for version in db.session.scalars(sa.select(FrameworkVersion).order_by(FrameworkVersion.id)):
        click.echo(f"{version.label}\t{version.title}\t{version.checksum[:12]}")
