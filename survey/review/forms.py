"""Forms of the review: an indicator decision and a comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from survey.review.models import Review

MAX_COMMENT = 2000


class CommentForm(FlaskForm):
    """A message in an indicator's thread."""

    body = TextAreaField(_l("Your message"), validators=[
        DataRequired(message=_l("Write a message first.")),
        Length(max=MAX_COMMENT, message=_l("Keep this under %(max)d characters.", max=MAX_COMMENT))])


class DecisionForm(FlaskForm):
    """Accept an indicator, or return it with a comment saying what to fix."""

    decision = RadioField(_l("Decision"), choices=[
        SelectChoice(Review.ACCEPTED.value, _l("Accept")),
        SelectChoice(Review.RETURNED.value, _l("Return with a comment"))],
        validators=[DataRequired(message=_l("Choose accept or return."))])
    comment = TextAreaField(_l("Comment for the country's team"), validators=[
        Optional(), Length(max=MAX_COMMENT, message=_l("Keep this under %(max)d characters.", max=MAX_COMMENT))])

    def validate(self, extra_validators: dict | None = None) -> bool:
        """Returning needs a reason the team can act on."""
        valid = super().validate(extra_validators)
        if valid and self.decision.data == Review.RETURNED and not (self.comment.data or "").strip():
            self.comment.errors = [_l("Say what needs fixing when you return an indicator.")]
            return False
        return valid
