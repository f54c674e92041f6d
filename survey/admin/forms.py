"""Account forms for administrators, and the audit log filter."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from survey.accounts.forms import password_fields
from survey.accounts.labels import ROLE_LABELS
from survey.admin.services import USERNAME_PATTERN, USERNAME_RULE
from survey.assessments.cycles import FIRST_YEAR, LAST_YEAR
from survey.audit.labels import ACTION_LABELS
from survey.countries.services import all_countries
from survey.i18n.bidi import NoDirectionControls
from survey.i18n.locale import sorted_countries
from survey.notifications.forms import email_field
from survey.team.forms import CheckboxesField


def country_choices(blank_label: str) -> list[SelectChoice]:
    """Countries named in the reader's language and in its collation order ('Égypte' before 'Zimbabwe')."""
    named = sorted_countries(c.alpha2 for c in all_countries())
    return [SelectChoice("", blank_label), *(SelectChoice(code, name) for code, name in named)]


def role_field() -> CheckboxesField:
    """The roles, as checkboxes."""
    return CheckboxesField(
        _l("Roles"),
        choices=[SelectChoice(r, label) for r, label in ROLE_LABELS.items()],
        validators=[DataRequired(message=_l("Give at least one role."))],
    )


def username_field() -> StringField:
    """A new account's sign-in name."""
    return StringField(
        _l("Username"),
        validators=[
            DataRequired(message=_l("Enter a username.")),
            Regexp(rf"^{USERNAME_PATTERN}$", message=USERNAME_RULE),
        ],
    )


def full_name_field() -> StringField:
    """The person's name as colleagues know it."""
    return StringField(_l("Full name"), validators=[Optional(), Length(max=120), NoDirectionControls()])


def agency_field() -> StringField:
    """The national agency the person works for."""
    return StringField(_l("Agency (optional)"), validators=[Optional(), Length(max=120), NoDirectionControls()])


# What an address given when an account is made is for; its holder changes it in their settings.
ADDRESS_USE = _l("Optional. Notifications go there, and the link to choose a new password if its holder forgets it.")


class AccountForm(FlaskForm):
    """Name, agency, roles, country and whether the account may sign in."""

    full_name = full_name_field()
    agency = agency_field()
    roles = role_field()
    country = SelectField(_l("Country"), choices=[], validate_choice=True, default="")
    active = BooleanField(_l("Active (may sign in)"), default=True)
    email = email_field(ADDRESS_USE)
    # The address as the page showed it: its holder may change it meanwhile, and an edit of the
    # other fields must not put the old one back.
    email_shown = HiddenField()

    def changed_email(self) -> str | None:
        """The address the administrator typed, or None when they left the one shown as it was."""
        typed = self.email.data or ""
        return None if typed == (self.email_shown.data or "").strip() else typed


class NewAccountForm(AccountForm):
    """A new account with its first password."""

    username = username_field()
    password, confirm = password_fields()


class ContributorAccountForm(FlaskForm):
    """A coordinator's new contributor: the country and the role are the coordinator's to fix, not fields."""

    username = username_field()
    full_name = full_name_field()
    agency = agency_field()
    email = email_field(ADDRESS_USE)
    password, confirm = password_fields()


class PasswordResetForm(FlaskForm):
    """A new password chosen by an administrator."""

    password, confirm = password_fields()


class DateWithin:
    """A date the audit log can hold: from 2000 to 2999 (a typo's year 9999 is a message, not an error page)."""

    first = date(2000, 1, 1)
    last = date(2999, 12, 31)

    def __call__(self, form: Any, field: Any) -> None:
        """Refuse a date outside the range."""
        if field.data is not None and not self.first <= field.data <= self.last:
            raise ValidationError(
                _(
                    "Give a date between %(first)s and %(last)s.",
                    first=format_date(self.first),
                    last=format_date(self.last),
                )
            )


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (a GET form, no CSRF needed)."""

    class Meta:
        """Filters only read data."""

        csrf = False

    action = SelectField(
        _l("Action"),
        choices=[SelectChoice("", _l("Any")), *(SelectChoice(a, label) for a, label in ACTION_LABELS.items())],
        validate_choice=True,
        default="",
    )
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", _l("Any")), SelectChoice("ok", _l("Done")), SelectChoice("refused", _l("Refused"))],
        default="",
    )
    username = StringField(_l("Account"), validators=[Optional(), Length(max=64)])
    country = SelectField(_l("Country"), choices=[], validate_choice=True, default="")
    since = DateField(_l("From"), validators=[Optional(), DateWithin()])
    until = DateField(_l("To"), validators=[Optional(), DateWithin()])
    # "Older" pages: the last event id of the page before (not shown; a database integer).
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])


class CycleForm(FlaskForm):
    """Open the cycle of a year on a framework version."""

    year = IntegerField(
        _l("Year"),
        validators=[
            DataRequired(message=_l("Enter a year.")),
            NumberRange(min=FIRST_YEAR, max=LAST_YEAR, message=_l("Enter a year between %(min)s and %(max)s.")),
        ],
    )
    version = SelectField(_l("Framework version"), choices=[], validate_choice=True)
    deadline = DateField(_l("Deadline (optional)"), validators=[Optional()])
