"""Marking notifications read; choosing where e-mails go and which regions to follow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectChoice, StringField
from wtforms.validators import Length, NumberRange, Optional, Regexp

from survey.i18n.forms import CatalogMeta
from survey.notifications.services import EMAIL_LENGTH, EMAIL_PATTERN, EMAIL_RULE
from survey.team.forms import CheckboxesField


class MarkReadForm(FlaskForm):
    """One notification (by id) or all of them."""

    Meta = CatalogMeta

    notification = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    all = HiddenField()

    def validate(self, extra_validators: dict | None = None) -> bool:
        """Name one notification, or ask for all."""
        if not super().validate(extra_validators):
            return False
        if self.notification.data is None and self.all.data != "1":
            self.notification.errors.append(_l("Choose a notification to mark as read."))
            return False
        return True


def email_field(description: str | LazyString = "") -> StringField:
    """An optional e-mail address."""
    return StringField(
        _l("E-mail address"),
        description=description,
        filters=[_stripped],
        validators=[Optional(), Length(max=EMAIL_LENGTH), Regexp(f"^{EMAIL_PATTERN}$", message=EMAIL_RULE)],
    )


def _stripped(value: str | None) -> str | None:
    return value.strip() if value else value


class SettingsForm(FlaskForm):
    """The e-mail address, whether to send to it, and the followed regions (for readers of releases)."""

    Meta = CatalogMeta

    email = email_field()
    email_enabled = BooleanField(_l("Send me notifications by e-mail"))
    regions = CheckboxesField(_l("Regions I follow"), choices=[], validate_choice=True)


def settings_form(region_choices: list[tuple[str, str]] | None, **defaults: object) -> SettingsForm:
    """The settings form; without region choices (not a reader of releases) the regions are left out."""
    form = SettingsForm(**defaults)
    if region_choices is None:
        del form.regions
    else:
        form.regions.choices = [SelectChoice(code, name) for code, name in region_choices]
    return form
