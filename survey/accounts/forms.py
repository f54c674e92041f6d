"""Sign-in form, the forms that choose a new password, and the form that names a new API token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from survey.accounts.passwords import MAX_LENGTH, StrongPassword
from survey.accounts.tokens import NAME_LENGTH, today
from survey.i18n.forms import CatalogMeta


class LoginForm(FlaskForm):
    """Username and password."""

    Meta = CatalogMeta

    username = StringField(
        _l("Username"), validators=[DataRequired(message=_l("Enter your username.")), Length(max=64)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Enter your password.")), Length(max=256)]
    )
    remember = BooleanField(_l("Keep me signed in on this computer"))


def password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and its confirmation."""
    return (
        PasswordField(
            _l("New password"),
            validators=[DataRequired(message=_l("Enter a password.")), Length(max=MAX_LENGTH), StrongPassword()],
        ),
        PasswordField(
            _l("Repeat the password"), validators=[EqualTo("password", message=_l("The two passwords differ."))]
        ),
    )


class PasswordChangeForm(FlaskForm):
    """The signed-in user's current password and the new one they choose (the view sets `known_username`)."""

    Meta = CatalogMeta

    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password.")), Length(max=MAX_LENGTH)],
    )
    password, confirm = password_fields()
    known_username = ""


class TokenForm(FlaskForm):
    """A new API token's name and optional last day."""

    Meta = CatalogMeta

    name = StringField(
        _l("Name"),
        description=_l("What the token is for, e.g. the script or the service that uses it."),
        validators=[
            DataRequired(message=_l("Give the token a name.")),
            Length(max=NAME_LENGTH, message=_l("A name has at most %(max)d characters.")),
        ],
    )
    expires_on = DateField(
        _l("Expires after (optional)"),
        description=_l("The last day the token works. Leave empty to keep it until you revoke it."),
        validators=[Optional()],
    )

    def validate_expires_on(self, field: DateField) -> None:
        """A last day before today would make a token that never works."""
        if field.data is not None and field.data < today():
            raise ValidationError(_l("The expiry date is in the past: choose today or a later day."))
