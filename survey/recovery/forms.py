"""The request for a recovery link, and the new password it lets one choose."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from survey.accounts.forms import password_fields
from survey.i18n.forms import CatalogMeta


class RecoveryRequestForm(FlaskForm):
    """The username of the account whose password was forgotten."""

    Meta = CatalogMeta

    username = StringField(
        _l("Username"), validators=[DataRequired(message=_l("Enter your username.")), Length(max=64)]
    )


class NewPasswordForm(FlaskForm):
    """The new password chosen through a recovery link (the view sets `known_username`)."""

    Meta = CatalogMeta

    password, confirm = password_fields()
    known_username = ""
