"""`flask api-tokens ...`: bearer tokens for the read-only API."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from survey.accounts.models import User
from survey.api.models import ApiToken
from survey.api.services import create_token
from survey.extensions import db

api_tokens = AppGroup("api-tokens", help="Bearer tokens for the read-only API.")


def _user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


@api_tokens.command("create")
@click.argument("username")
def create_command(username: str) -> None:
    """Create a token for USERNAME and print it (it is not stored and cannot be shown again)."""
    token = create_token(_user(username))
    db.session.commit()
    click.echo(token)


@api_tokens.command("revoke")
@click.argument("username")
def revoke_command(username: str) -> None:
    """Revoke every token of USERNAME."""
    user = _user(username)
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id).values(revoked=True))
    db.session.commit()
    click.echo(f"tokens of {username} revoked")
