"""The form of one action: every field bounded, numbers and dates read the way the reader types them."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, RadioField, SelectChoice, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, StopValidation

from survey.assessments.models import Assessment
from survey.frameworks.labels import STAGE_NAMES
from survey.i18n.formats import format_date
from survey.i18n.forms import CatalogMeta
from survey.plans.labels import FUNDING_LABELS
from survey.plans.models import MAX_AGENCY, MAX_WHAT
from survey.plans.services import ActionValues, deadline_bounds, plannable_codes
from survey.questions.currencies import country_currency, currency_choices
from survey.questions.fields import DayField, NumberField, reader_locale
from survey.questions.numeric import Money


def _deadline_needed(form: Form, field: DayField) -> None:
    """A deadline must be given; one typed but unreadable keeps the parser's own message."""
    if field.data is None and not field.process_errors:
        raise StopValidation(_("Give the deadline of the action."))


def _currency_needed(form: Form, field: SelectField) -> None:
    if form.cost.data is not None and not field.data:
        raise ValidationError(_l("Choose the currency of the amount."))


class ActionForm(FlaskForm):
    """One action of the plan; `prepare` fills the choices that depend on the assessment."""

    Meta = CatalogMeta

    indicator = SelectField(_l("Priority need it answers"), choices=[], validate_choice=True)
    what = TextAreaField(
        _l("What will be done"),
        validators=[DataRequired(message=_l("Say what will be done.")), Length(max=MAX_WHAT)],
        render_kw={"maxlength": MAX_WHAT, "rows": 3},
    )
    lead_agency = StringField(
        _l("Lead agency"),
        validators=[DataRequired(message=_l("Name the agency that leads the action.")), Length(max=MAX_AGENCY)],
        render_kw={"maxlength": MAX_AGENCY, "size": 40},
    )
    target_stage = SelectField(
        _l("Target stage"), coerce=int, choices=[SelectChoice(stage, "") for stage in STAGE_NAMES], validate_choice=True
    )
    deadline = DayField(_l("Deadline"), validators=[_deadline_needed])
    cost = NumberField(_l("Estimated cost"), rule=Money.rule)
    currency = SelectField(_l("Currency"), choices=[], validate_choice=True, validators=[_currency_needed])
    funding = RadioField(
        _l("Funding"),
        choices=[SelectChoice(status, label) for status, label in FUNDING_LABELS.items()],
        validators=[DataRequired(message=_l("Choose how the action is funded."))],
    )

    def prepare(self, assessment: Assessment) -> None:
        """Indicators of the assessment's framework, currencies in the reader's language, the deadline's range."""
        self.assessment = assessment
        definition = assessment.framework_version.definition
        # Titles only: codes are English words.
        self.indicator.choices = [SelectChoice("", _("None: an action of its own"))] + [
            SelectChoice(code, _(definition.known_indicator(code).title)) for code in plannable_codes(assessment)
        ]
        self.target_stage.choices = [SelectChoice(stage, f"{stage}. {name}") for stage, name in STAGE_NAMES.items()]
        alpha2 = assessment.country.alpha2
        choices = list(currency_choices(str(reader_locale()), alpha2))
        if choices and choices[0].value != "":  # a cost is optional, so is its currency
            choices.insert(0, SelectChoice("", "—"))
        self.currency.choices = choices
        if self.currency.raw_data is None and not self.currency.data:
            self.currency.data = country_currency(alpha2) or ""

    def validate_deadline(self, field: DayField) -> None:
        """A deadline within the assessment's cycle year and the plan's horizon."""
        first, last = deadline_bounds(self.assessment)
        if field.data is not None and not first <= field.data <= last:
            raise ValidationError(
                _(
                    "Choose a deadline between %(first)s and %(last)s.",
                    first=format_date(first, "long"),
                    last=format_date(last, "long"),
                )
            )

    def values(self) -> ActionValues:
        """The checked values, for the services."""
        assert self.deadline.data is not None  # _deadline_needed: validated forms have a deadline
        return ActionValues(
            indicator_code=self.indicator.data or None,
            what=self.what.data.strip(),
            lead_agency=self.lead_agency.data.strip(),
            target_stage=self.target_stage.data,
            deadline=self.deadline.data,
            cost=self.cost.data,
            currency=(self.currency.data or None) if self.cost.data is not None else None,
            funding=self.funding.data,
        )

    @classmethod
    def filled(cls, action: Any) -> ActionForm:
        """The form showing an existing action."""
        return cls(
            indicator=action.indicator_code or "",
            what=action.what,
            lead_agency=action.lead_agency,
            target_stage=action.target_stage,
            deadline=action.deadline,
            cost=action.cost,
            currency=action.currency or "",
            funding=action.funding,
        )
