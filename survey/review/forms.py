"""Forms of the review: the whole submission in one form, an indicator decision, a comment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, HiddenField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from survey.assessments.forms import field_key
from survey.assessments.models import Answer
from survey.i18n.forms import CatalogMeta
from survey.questions.fields import OptionalRadioField
from survey.review.models import Review
from survey.review.services import Decision

MAX_COMMENT = 2000


class CommentForm(FlaskForm):
    """A message in an indicator's thread."""

    body = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(message=_l("Write a message first.")),
            Length(max=MAX_COMMENT, message=_l("Keep this under %(max)d characters.", max=MAX_COMMENT)),
        ],
    )


class DecisionForm(FlaskForm):
    """Accept an indicator, or return it with a comment saying what to fix."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(Review.ACCEPTED.value, _l("Accept")),
            SelectChoice(Review.RETURNED.value, _l("Return with a comment")),
        ],
        validators=[DataRequired(message=_l("Choose accept or return."))],
    )
    comment = TextAreaField(
        _l("Comment for the country's team"),
        validators=[
            Optional(),
            Length(max=MAX_COMMENT, message=_l("Keep this under %(max)d characters.", max=MAX_COMMENT)),
        ],
    )

    def validate(self, extra_validators: dict | None = None) -> bool:
        """Returning needs a reason the team can act on."""
        valid = super().validate(extra_validators)
        if valid and self.decision.data == Review.RETURNED and not (self.comment.data or "").strip():
            self.comment.errors = [_l("Say what needs fixing when you return an indicator.")]
            return False
        return valid


ACTIONS = ("save", "send_back", "validate")


class IndicatorDecisionForm(Form):
    """One indicator in the review form: a decision (or none yet), a comment, and what the page showed."""

    Meta = CatalogMeta

    decision = OptionalRadioField(
        _l("Decision"),
        choices=[
            SelectChoice(Review.ACCEPTED.value, _l("Accept")),
            SelectChoice(Review.RETURNED.value, _l("Return with a comment")),
        ],
    )
    comment = TextAreaField(
        _l("Comment for the country's team"),
        validators=[
            Optional(),
            Length(max=MAX_COMMENT, message=_l("Keep this under %(max)d characters.", max=MAX_COMMENT)),
        ],
    )
    # The answer's version and review decision the page was built from: a stale form is a conflict.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0, max=2**31)])
    seen = HiddenField()

    def validate(self, extra_validators: Mapping | None = None) -> bool:
        """Returning needs a reason the team can act on, unless the indicator is returned already."""
        valid = super().validate(extra_validators)
        if (
            valid
            and self.decision.data == Review.RETURNED
            and self.seen.data != Review.RETURNED
            and not (self.comment.data or "").strip()
        ):
            self.comment.errors = [_l("Say what needs fixing when you return an indicator.")]
            return False
        return valid

    def fill(self, answer: Answer) -> None:
        """Show the answer's current decision and remember what the page showed."""
        self.decision.data = answer.review
        self.version.data, self.seen.data = answer.version, answer.review or ""

    def to_decision(self, code: str) -> Decision:
        """The entered decision as plain values."""
        return Decision(
            code,
            Review(self.decision.data) if self.decision.data else None,
            (self.comment.data or "").replace("\r\n", "\n"),
            self.version.data or 0,
            self.seen.data or None,
        )


class ReviewForm(FlaskForm):
    """Base of the generated review forms: one subform per shown indicator, and the step to take."""

    Meta = CatalogMeta

    indicator_codes: tuple[str, ...] = ()
    accept_unflagged = BooleanField(_l("Also accept every indicator I left without a decision that is not flagged"))

    def subform(self, code: str) -> IndicatorDecisionForm:
        """The subform of one indicator."""
        return self[field_key(code)].form

    def fill(self, answers: Mapping[str, Answer], only_missing: bool = False) -> None:
        """Show stored decisions; with `only_missing`, only in subforms the request did not carry."""
        for code in self.indicator_codes:
            sub = self.subform(code)
            if not only_missing or not sub.version.raw_data:
                sub.fill(answers[code])

    def decisions(self) -> list[Decision]:
        """Every shown indicator's decision."""
        return [self.subform(code).to_decision(code) for code in self.indicator_codes]


@lru_cache(maxsize=64)  # bounded: the indicators a request carries are the sender's choice
def _review_form_class(codes: tuple[str, ...]) -> type[ReviewForm]:
    fields = {field_key(code): FormField(IndicatorDecisionForm) for code in codes}
    return type("ReviewForm", (ReviewForm,), {**fields, "indicator_codes": codes})


def make_review_form(codes: Sequence[str]) -> ReviewForm:
    """Build the review form for these indicators (classes are cached), bound to the request."""
    return _review_form_class(tuple(codes))()


def posted_codes(form_keys: Sequence[str], codes: Sequence[str]) -> list[str]:
    """The indicators, among `codes`, whose subform the request carries (in questionnaire order)."""
    keys = set(form_keys)
    return [code for code in codes if f"{field_key(code)}-version" in keys]
