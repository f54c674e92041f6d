"""`flask api-tokens ...`: bearer tokens for the read-only API."""

from datetime import datetime

import click
import sqlalchemy as sa

from survey.accounts.models import User
from survey.accounts.tokens import TokenRefused, create_token, revoke_tokens
from survey.audit.services import COMMAND_LINE
from survey.commands import DatabaseGroup
from survey.extensions import db

api_tokens = DatabaseGroup("api-tokens", help="Bearer tokens for the read-only API.")


def _user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


@api_tokens.command("create")
@click.argument("username")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), help="Last day the token works (UTC), YYYY-MM-DD.")
def create_command(username: str, name: str, expires: datetime | None) -> None:
    """Create a token for USERNAME and print it (it is not stored and cannot be shown again)."""
    try:
        token = create_token(_user(username), COMMAND_LINE, name, expires.date() if expires else None)
    except TokenRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    db.session.commit()
    click.echo(token)


@api_tokens.command("revoke")
@click.argument("username")
def revoke_command(username: str) -> None:
    """Revoke every token of USERNAME."""
    count = revoke_tokens(_user(username), COMMAND_LINE)
    db.session.commit()
    click.echo(f"{count} token(s) of {username} revoked")
