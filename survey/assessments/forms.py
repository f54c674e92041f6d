"""Pillar forms built from the framework: one subform per indicator, its fields from its question type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import BooleanField, Field, Form, FormField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from survey.assessments.models import Answer, AnswerState
from survey.assessments.services import AnswerValues, answer_digest
from survey.frameworks.definition import IndicatorDef, PillarDef
from survey.i18n.bidi import link_problem
from survey.i18n.forms import CatalogMeta
from survey.methodology.scoring import needs_reason
from survey.questions import QuestionType, StoredAnswer, answer_text, question_type, stored
from survey.questions.fields import reader_locale

MAX_TEXT = 5000
MAX_URLS = 10
MAX_URL_LENGTH = 2000
DONT_KNOW = AnswerState.DONT_KNOW.value


def validate_urls(form: Form, field: TextAreaField) -> None:
    """Each non-empty line must be an http(s) web address."""
    lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
    if len(lines) > MAX_URLS:
        raise ValidationError(_l("Give at most %(n)s web addresses.", n=MAX_URLS))
    for line in lines:
        if problem := link_problem(line):
            raise ValidationError(problem)
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in line or len(line) > MAX_URL_LENGTH:
            raise ValidationError(
                _l("“%(url)s” is not a valid web address: it must start with http:// or https://.", url=line[:80])
            )


def text_field(label: str, extra: list | None = None) -> TextAreaField:
    """A free-text area with the shared length limit."""
    limit = Length(max=MAX_TEXT, message=_l("Keep this under %(max)d characters.", max=MAX_TEXT))
    return TextAreaField(label, validators=[Optional(), limit, *(extra or [])])


class VersionedForm(Form):
    """Carries the version of the stored answer the user started from (no lost updates)."""

    # Never shown; an explicit label spares WTForms a catalog lookup per field and request.
    version = IntegerField("version", widget=HiddenInput(), validators=[Optional(), NumberRange(min=0, max=2**31)])
    # The fingerprint of the answer as shown (services.answer_digest): what the user left untouched.
    shown = StringField("shown", widget=HiddenInput(), validators=[Optional(), Length(max=16)])

    def fill_version(self, answer: Answer | None) -> None:
        """Record the stored version shown to the user, and the fingerprint of what it held."""
        self.version.data = answer.version if answer is not None else 0
        self.shown.data = answer_digest(answer)


class AnswerForm(VersionedForm):
    """Base of the subforms; the generated class adds its question type's fields."""

    Meta = CatalogMeta

    question: QuestionType
    indicator: IndicatorDef
    question_fields: tuple[str, ...] = ()

    def prepare(self, country: str | None, locale: Locale | None = None) -> None:
        """Let the question type set up its fields for this reader (locale) and country."""
        self.question.prepare(self, locale or reader_locale(), country)

    def fill(self, answer: Answer) -> None:
        """Show a stored answer (each kind of subform fills its own fields)."""
        raise NotImplementedError

    def show_stored(self, answer: Answer) -> None:
        """Show the stored answer instead of what was posted, with its version and fingerprint."""
        for field in self:
            field.raw_data = None
        self.fill_version(answer)
        self.fill(answer)


class MaturityAnswerForm(AnswerForm):
    """A level (or N/A, don't know), evidence and a comment."""

    evidence_urls = text_field(_l("Evidence links (one per line)"), [validate_urls])
    evidence_description = text_field(_l("Evidence description"))
    comment = text_field(_l("Comment"))

    def validate_state(self, field: Field) -> None:
        """A "not applicable" or "don't know" answer must say why, in the comment (see the methodology)."""
        if needs_reason(field.data, self.comment.data):
            raise ValidationError(_l("Say why in the comment: “Not applicable” and “Don't know” need a short reason."))

    def values(self) -> AnswerValues:
        """The entered answer as plain values."""
        return AnswerValues(
            **self.question.read(self),
            evidence_urls=_clean(self.evidence_urls.data),
            evidence_description=_clean(self.evidence_description.data),
            comment=_clean(self.comment.data),
        )

    def fill(self, answer: Answer) -> None:
        """Show a stored answer."""
        self.question.fill(self, stored(answer))
        self.evidence_urls.data = answer.evidence_urls
        self.evidence_description.data = answer.evidence_description
        self.comment.data = answer.comment


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


class FactAnswerForm(AnswerForm):
    """A fact: a value of the question's type or "don't know", and its source."""

    dont_know = BooleanField(_l("Don't know"))
    comment = text_field(_l("Source or comment"))

    def validate_dont_know(self, field: BooleanField) -> None:
        """A value and "don't know" contradict each other."""
        if field.data and self.question.has_value(self):
            raise ValidationError(_l("Either give a value or tick “Don't know”, not both."))

    def values(self) -> AnswerValues:
        """The entered fact as plain values."""
        has_value = self.question.has_value(self)
        state = AnswerState.VALUE.value if has_value else (DONT_KNOW if self.dont_know.data else None)
        return AnswerValues(state=state, comment=_clean(self.comment.data), **self.question.read(self))

    def fill(self, answer: Answer) -> None:
        """Show a stored fact."""
        self.dont_know.data = answer.state == DONT_KNOW
        self.comment.data = answer.comment
        self.question.fill(self, stored(answer))

    def understood(self) -> str | None:
        """How a submitted value was read ('1 500 000,75 F CFA'), shown back for checking."""
        submitted = any(self[name].raw_data for name in self.question_fields)
        if not submitted or self.errors or not self.question.has_value(self):
            return None
        return answer_text(self.indicator, StoredAnswer(AnswerState.VALUE.value, self.question.read(self)))


def field_key(code: str) -> str:
    """A form field name for an indicator code ('legal.x' -> 'legal__x')."""
    return code.replace(".", "__")


class PillarForm(FlaskForm):
    """Base class of the generated pillar forms."""

    Meta = CatalogMeta

    indicator_codes: tuple[str, ...] = ()
    subform_classes: dict[str, type[AnswerForm]] = {}  # noqa: RUF012 - set by pillar_form_class

    def subform(self, code: str) -> FormField:
        """The subform of one indicator."""
        return self[field_key(code)]

    def values(self) -> dict[str, AnswerValues]:
        """Every indicator's entered answer."""
        return {code: self.subform(code).form.values() for code in self.indicator_codes}

    def versions(self) -> dict[str, int]:
        """The version of each answer the user edited from (0: there was none)."""
        return {code: self.subform(code).form.version.data or 0 for code in self.indicator_codes}

    def shown(self) -> dict[str, str]:
        """The fingerprint of each answer as the form showed it (absent from an older page: none)."""
        return {code: sub.shown.data for code in self.indicator_codes if (sub := self.subform(code).form).shown.data}

    def fill(self, answers: dict[str, Answer]) -> None:
        """Show stored answers (only on GET; a failed POST keeps what was typed)."""
        for code in self.indicator_codes:
            sub = self.subform(code).form
            sub.fill_version(answers.get(code))
            if code in answers:
                sub.fill(answers[code])


def subform_class(indicator: IndicatorDef) -> type[AnswerForm]:
    """The subform class for an indicator: the shared fields plus its question type's."""
    question = question_type(indicator)
    fields = question.form_fields(indicator)
    base = MaturityAnswerForm if indicator.is_maturity else FactAnswerForm
    return type(
        f"{base.__name__}_{field_key(indicator.code)}",
        (base,),
        {**fields, "question": question, "indicator": indicator, "question_fields": tuple(fields)},
    )


_FORM_CLASSES: dict[tuple, type[PillarForm]] = {}


def pillar_form_class(pillar: PillarDef) -> type[PillarForm]:
    """The form class of a pillar, built once per set of indicator definitions."""
    key = tuple((i.code, i.kind, i.fact_type, i.options) for i in pillar.indicators)
    if key not in _FORM_CLASSES:
        subforms = {i.code: subform_class(i) for i in pillar.indicators}
        fields: dict = {field_key(code): FormField(cls, label=code) for code, cls in subforms.items()}
        fields["indicator_codes"] = tuple(subforms)
        fields["subform_classes"] = subforms
        _FORM_CLASSES[key] = type(f"PillarForm_{pillar.code}", (PillarForm,), fields)
    return _FORM_CLASSES[key]


def make_pillar_form(pillar: PillarDef, country: str | None = None) -> PillarForm:
    """Build (and cache) the form class for a pillar, then instantiate it for this request and country."""
    form = pillar_form_class(pillar)()
    locale = reader_locale()  # once, not once per question
    for code in form.indicator_codes:
        form.subform(code).form.prepare(country, locale)
    return form


@dataclass(frozen=True)
class Subform:
    """What `PillarForm.subform` gives (a FormField), as far as the page uses it: the subform."""

    form: AnswerForm


class StoredPillarForm:
    """The pillar form as a GET shows it, holding the stored answers; each subform is built when first asked for.

    Building every subform costs more than the rest of the page, and the lean page
    (survey/assessments/fragments.py) asks only for those of answered indicators: it keeps the
    markup of unanswered ones. The subforms are those of `make_pillar_form` filled with `fill`,
    field names included; only the CSRF token comes from a form of its own.
    """

    stored = True  # no typed values and no errors: unanswered indicators show as they always do

    def __init__(self, pillar: PillarDef, country: str | None, answers: dict[str, Any]) -> None:
        """Remember what to build subforms from (stored answers: Answer objects or rows of their columns)."""
        self.cls = pillar_form_class(pillar)
        self.indicator_codes = self.cls.indicator_codes
        self.country, self.answers = country, answers
        self.locale = reader_locale()
        self.built: dict[str, Subform] = {}

    def subform(self, code: str) -> Subform:
        """The subform of one indicator, filled with its stored answer."""
        found = self.built.get(code)
        if found is None:
            sub = self.cls.subform_classes[code](prefix=f"{field_key(code)}-")
            sub.prepare(self.country, self.locale)
            answer = self.answers.get(code)
            sub.fill_version(answer)
            if answer is not None:
                sub.fill(answer)
            found = self.built[code] = Subform(sub)
        return found

    def hidden_tag(self) -> Markup:
        """The form's hidden CSRF field, as a FlaskForm renders it (without building one on every page)."""
        name = current_app.config["WTF_CSRF_FIELD_NAME"]
        around = _CSRF_MARKUP.get(name)
        if around is None or not current_app.config["WTF_CSRF_ENABLED"]:
            form = ConfirmForm()
            if not form.meta.csrf:  # tests may turn CSRF off: no field
                return form.hidden_tag()
            before, token, after = str(form.hidden_tag()).partition(str(escape(form.csrf_token.current_token)))
            if not token:  # never expected: the field shows its token
                return form.hidden_tag()
            around = _CSRF_MARKUP[name] = (before, after)
        return Markup(f"{around[0]}{escape(generate_csrf())}{around[1]}")  # noqa: S704 - WTForms' markup


_CSRF_MARKUP: dict[str, tuple[str, str]] = {}  # by field name: the CSRF field's markup before and after its token


class ConfirmForm(FlaskForm):
    """Confirms carried answers as they stand; which ones come as `code` or `all` (checked by the view)."""

    Meta = CatalogMeta
