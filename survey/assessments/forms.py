"""Pillar forms built from the framework: one subform per indicator."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from urllib.parse import urlsplit

from babel.numbers import get_currency_name, list_currencies
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from survey.assessments.models import Answer, AnswerState
from survey.assessments.services import AnswerValues
from survey.frameworks.definition import IndicatorDef, PillarDef
from survey.i18n.forms import CatalogMeta, LocalisedDecimalField, LocalisedIntegerField
from survey.methodology.scoring import needs_reason

MAX_TEXT = 5000
MAX_URLS = 10
MAX_URL_LENGTH = 2000
LEVEL_CHOICES = [SelectChoice(str(level), str(level)) for level in range(1, 6)]
LEVEL_VALUES = frozenset(c.value for c in LEVEL_CHOICES)
NOT_APPLICABLE = AnswerState.NOT_APPLICABLE.value
DONT_KNOW = AnswerState.DONT_KNOW.value


class OptionalRadioField(RadioField):
    """A radio group that may be left empty (an unanswered question is not an error)."""

    def pre_validate(self, form: Form) -> None:
        """Accept no choice; otherwise the choice must be one offered."""
        if self.data in (None, ""):
            self.data = None
            return
        super().pre_validate(form)


def validate_urls(form: Form, field: TextAreaField) -> None:
    """Each non-empty line must be an http(s) web address."""
    lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
    if len(lines) > MAX_URLS:
        raise ValidationError(_l("Give at most %(n)s web addresses.", n=MAX_URLS))
    for line in lines:
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in line \
                or len(line) > MAX_URL_LENGTH:
            raise ValidationError(
                _l("“%(url)s” is not a valid web address: it must start with http:// or https://.",
                   url=line[:80]))


def text_field(label: str, extra: list | None = None) -> TextAreaField:
    """A free-text area with the shared length limit."""
    limit = Length(max=MAX_TEXT, message=_l("Keep this under %(max)d characters.", max=MAX_TEXT))
    return TextAreaField(label, validators=[Optional(), limit, *(extra or [])])


class VersionedForm(Form):
    """Carries the version of the stored answer the user started from (no lost updates)."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=0, max=2**31)])

    def fill_version(self, answer: Answer | None) -> None:
        """Record the stored version shown to the user."""
        self.version.data = answer.version if answer is not None else 0


class MaturityAnswerForm(VersionedForm):
    """A level (or N/A, don't know), evidence and a comment."""

    Meta = CatalogMeta

    state = OptionalRadioField(
        _l("Level"),
        choices=[*LEVEL_CHOICES, SelectChoice(NOT_APPLICABLE, _l("Not applicable")),
                 SelectChoice(DONT_KNOW, _l("Don't know"))],
    )
    evidence_urls = text_field(_l("Evidence links (one per line)"), [validate_urls])
    evidence_description = text_field(_l("Evidence description"))
    comment = text_field(_l("Comment"))

    def validate_state(self, field: OptionalRadioField) -> None:
        """"Not applicable" and "don't know" must say why, in the comment (see the methodology)."""
        if needs_reason(field.data, self.comment.data):
            raise ValidationError(_l("Say why in the comment: “Not applicable” and “Don't know” need a short reason."))

    def values(self) -> AnswerValues:
        """The entered answer as plain values."""
        state = self.state.data
        is_level = state in LEVEL_VALUES
        return AnswerValues(
            state=AnswerState.LEVEL.value if is_level else state,
            level=int(state) if is_level else None,
            evidence_urls=_clean(self.evidence_urls.data),
            evidence_description=_clean(self.evidence_description.data),
            comment=_clean(self.comment.data),
        )

    def fill(self, answer: Answer) -> None:
        """Show a stored answer."""
        self.state.data = str(answer.level) if answer.state == AnswerState.LEVEL else answer.state
        self.evidence_urls.data = answer.evidence_urls
        self.evidence_description.data = answer.evidence_description
        self.comment.data = answer.comment


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


class FactAnswerForm(VersionedForm):
    """Base for fact questions: a value or "don't know", and its source."""

    Meta = CatalogMeta

    dont_know = BooleanField(_l("Don't know"))
    comment = text_field(_l("Source or comment"))

    def validate_dont_know(self, field: BooleanField) -> None:
        """A value and "don't know" contradict each other."""
        if field.data and self.value.data not in (None, ""):
            raise ValidationError(_l("Either give a value or tick “Don't know”, not both."))

    def values(self) -> AnswerValues:
        """The entered fact as plain values."""
        value = self.value.data
        has_value = value not in (None, "")
        state = AnswerState.VALUE.value if has_value else (DONT_KNOW if self.dont_know.data else None)
        return AnswerValues(state=state, comment=_clean(self.comment.data), **self.typed_value())

    def typed_value(self) -> dict:
        """Column values for this fact type."""
        value = self.value.data
        return {"number_value": Decimal(value) if value not in (None, "") else None}

    def fill(self, answer: Answer) -> None:
        """Show a stored fact."""
        self.dont_know.data = answer.state == DONT_KNOW
        self.comment.data = answer.comment
        if answer.number_value is not None:
            self.value.data = answer.number_value


class CountForm(FactAnswerForm):
    """A whole number."""

    value = LocalisedIntegerField(_l("Number"), validators=[Optional(), NumberRange(
        min=0, max=10**9, message=_l("Enter a whole number between 0 and 1,000,000,000."))])

    def fill(self, answer: Answer) -> None:
        """Show a stored count without decimals."""
        super().fill(answer)
        if answer.number_value is not None:
            self.value.data = int(answer.number_value)


class PercentForm(FactAnswerForm):
    """A share between 0 and 100."""

    value = LocalisedDecimalField(_l("Per cent"), places=None, validators=[Optional(), NumberRange(
        min=0, max=100, message=_l("Enter a percentage between 0 and 100."))])


class MoneyForm(FactAnswerForm):
    """An amount and its currency."""

    value = LocalisedDecimalField(_l("Amount"), places=None, validators=[Optional(), NumberRange(
        min=0, max=10**15, message=_l("Enter an amount of 0 or more."))])
    currency = SelectField(_l("Currency"), choices=[], validate_choice=True)

    def validate_currency(self, field: SelectField) -> None:
        """An amount needs its currency."""
        if self.value.data not in (None, "") and not field.data:
            raise ValidationError(_l("Choose the currency of the amount."))

    def typed_value(self) -> dict:
        """Amount and currency."""
        return {**super().typed_value(), "currency": self.currency.data or None}

    def fill(self, answer: Answer) -> None:
        """Show a stored amount."""
        super().fill(answer)
        self.currency.data = answer.currency or ""


class BooleanFactForm(FactAnswerForm):
    """Yes or no."""

    value = OptionalRadioField(_l("Answer"), choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))])

    def typed_value(self) -> dict:
        """Yes/no as a boolean."""
        value = self.value.data
        return {"bool_value": None if value in (None, "") else value == "yes"}

    def fill(self, answer: Answer) -> None:
        """Show a stored yes/no."""
        super().fill(answer)
        if answer.bool_value is not None:
            self.value.data = "yes" if answer.bool_value else "no"


FACT_FORMS = {"count": CountForm, "percent": PercentForm, "money": MoneyForm, "boolean": BooleanFactForm}


def field_key(code: str) -> str:
    """A form field name for an indicator code ('legal.x' -> 'legal__x')."""
    return code.replace(".", "__")


def currency_choices() -> list[SelectChoice]:
    """ISO 4217 currencies named in the reader's language, sorted by code."""
    return _currency_choices(str(get_locale()))


@cache
def _currency_choices(locale: str) -> list[SelectChoice]:
    names = [SelectChoice(code, f"{code} – {get_currency_name(code, locale=locale)}")
             for code in sorted(list_currencies())]
    return [SelectChoice("", "—"), *names]


class PillarForm(FlaskForm):
    """Base class of the generated pillar forms."""

    Meta = CatalogMeta

    indicator_codes: tuple[str, ...] = ()

    def subform(self, code: str) -> FormField:
        """The subform of one indicator."""
        return self[field_key(code)]

    def values(self) -> dict[str, AnswerValues]:
        """Every indicator's entered answer."""
        return {code: self.subform(code).form.values() for code in self.indicator_codes}

    def versions(self) -> dict[str, int]:
        """The version of each answer the user edited from (0: there was none)."""
        return {code: self.subform(code).form.version.data or 0 for code in self.indicator_codes}

    def fill(self, answers: dict[str, Answer]) -> None:
        """Show stored answers (only on GET; a failed POST keeps what was typed)."""
        for code in self.indicator_codes:
            sub = self.subform(code).form
            sub.fill_version(answers.get(code))
            if code in answers:
                sub.fill(answers[code])


def subform_class(indicator: IndicatorDef) -> type[Form]:
    """The subform class for an indicator."""
    return MaturityAnswerForm if indicator.is_maturity else FACT_FORMS[indicator.fact_type]


_FORM_CLASSES: dict[tuple, type[PillarForm]] = {}


def make_pillar_form(pillar: PillarDef) -> PillarForm:
    """Build (and cache) the form class for a pillar, then instantiate it for this request."""
    key = tuple((i.code, i.kind, i.fact_type) for i in pillar.indicators)
    if key not in _FORM_CLASSES:
        fields = {field_key(i.code): FormField(subform_class(i)) for i in pillar.indicators}
        fields["indicator_codes"] = tuple(i.code for i in pillar.indicators)
        _FORM_CLASSES[key] = type(f"PillarForm_{pillar.code}", (PillarForm,), fields)
    form = _FORM_CLASSES[key]()
    for indicator in pillar.indicators:
        if indicator.fact_type == "money":
            form.subform(indicator.code).form.currency.choices = currency_choices()
    return form
