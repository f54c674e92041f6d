"""Project forms: record or edit a project, confirm it for one's country, import a list."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from survey.countries.services import all_countries
from survey.frameworks.definition import FrameworkDef
from survey.i18n.forms import CatalogMeta
from survey.i18n.locale import sorted_countries
from survey.projects.labels import STATUS_LABELS, VISIBILITY_LABELS
from survey.projects.services import BUDGET_RULE, MAX_LINK, MAX_NAME, MAX_NOTE, MAX_TITLE, ProjectValues
from survey.questions.currencies import current_currencies
from survey.questions.fields import DayField, NumberField

DONOR_SEPARATORS = (";", "\n")


def split_names(text: str) -> list[str]:
    """Names typed one per line or separated by semicolons, without blanks or repeats."""
    for separator in DONOR_SEPARATORS[1:]:
        text = text.replace(separator, DONOR_SEPARATORS[0])
    return list(dict.fromkeys(name.strip() for name in text.split(DONOR_SEPARATORS[0]) if name.strip()))


class ProjectForm(FlaskForm):
    """Everything a project records; choices are filled by `prepare`."""

    Meta = CatalogMeta

    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the project's title.")), Length(max=MAX_TITLE)])
    implementer = StringField(
        _l("Implementing organisation"),
        validators=[DataRequired(_l("Give the implementing organisation.")), Length(max=MAX_NAME)],
    )
    donors = TextAreaField(
        _l("Funding donors (one per line)"),
        validators=[DataRequired(_l("Name at least one funding donor.")), Length(max=4000)],
    )
    countries = SelectMultipleField(
        _l("Beneficiary countries"),
        choices=[],
        validators=[DataRequired(_l("Choose at least one beneficiary country."))],
    )
    targets = SelectMultipleField(
        _l("Pillars and indicators it works on"),
        choices=[],
        validators=[DataRequired(_l("Choose at least one pillar or indicator the project works on."))],
    )
    start_date = DayField(_l("Start date"), validators=[DataRequired(_l("Give the start date."))])
    end_date = DayField(_l("End date"), validators=[Optional()])
    budget = NumberField(_l("Budget"), rule=BUDGET_RULE, validators=[Optional()])
    currency = SelectField(_l("Currency"), choices=[], validate_choice=True, default="")
    status = SelectField(_l("Status"), choices=[], validate_choice=True)
    visibility = SelectField(_l("Who may read it"), choices=[], validate_choice=True)
    link = StringField(_l("Public link"), validators=[Optional(), Length(max=MAX_LINK)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=MAX_NAME)])

    def prepare(self, definition: FrameworkDef | None) -> None:
        """Countries and currencies in the reader's language, targets from the newest framework."""
        self.countries.choices = [
            SelectChoice(code, name) for code, name in sorted_countries(c.alpha2 for c in all_countries())
        ]
        targets: list[SelectChoice] = []
        for pillar in definition.pillars if definition else ():
            targets.append(SelectChoice(pillar.code, _("%(pillar)s (whole pillar)", pillar=_(pillar.title))))
            targets += [SelectChoice(i.code, f"— {_(i.title)}") for i in pillar.maturity_indicators]
        self.targets.choices = targets
        self.currency.choices = [SelectChoice("", "—"), *(SelectChoice(c, c) for c in current_currencies())]
        self.status.choices = [SelectChoice(k, str(v)) for k, v in STATUS_LABELS.items()]
        self.visibility.choices = [SelectChoice(k, str(v)) for k, v in VISIBILITY_LABELS.items()]

    def values(self) -> ProjectValues:
        """What was typed, for the service to check and store."""
        return ProjectValues(
            title=self.title.data or "",
            implementer=self.implementer.data or "",
            donors=split_names(self.donors.data or ""),
            countries=list(self.countries.data or ()),
            targets=list(self.targets.data or ()),
            start_date=self.start_date.data or date.min,  # required: validation refused none
            end_date=self.end_date.data,
            budget=self.budget.data,
            currency=self.currency.data or None,
            status=self.status.data,
            visibility=self.visibility.data,
            link=(self.link.data or "").strip() or None,
            contact=self.contact.data or "",
        )


class ConfirmForm(FlaskForm):
    """A beneficiary country's word on a project."""

    Meta = CatalogMeta

    decision = RadioField(
        _l("Does your country confirm this project?"),
        choices=[SelectChoice("yes", _l("Confirmed by the country")), SelectChoice("no", _l("Not confirmed"))],
        validators=[InputRequired(_l("Choose whether your country confirms the project."))],
    )
    note = TextAreaField(_l("Note from the country"), validators=[Optional(), Length(max=MAX_NOTE)])


class ImportForm(FlaskForm):
    """A CSV or XLSX list of projects."""

    Meta = CatalogMeta

    file = FileField(
        _l("List of projects (.csv or .xlsx)"), validators=[FileRequired(_l("Choose the file to import."))]
    )


class ApplyImportForm(FlaskForm):
    """Confirms (or cancels) a previewed import; the file waits on the server under `token`."""

    Meta = CatalogMeta
