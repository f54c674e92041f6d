"""Sign-in form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

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
