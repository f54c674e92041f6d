"""The release form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import DataRequired

from survey.publication.labels import VISIBILITY_LABELS


class ReleaseForm(FlaskForm):
    """Who may read the validated results."""

    visibility = RadioField(
        _l("Who may read these results"),
        validators=[DataRequired(message=_l("Choose who may read the results."))],
        choices=[SelectChoice(level, label) for level, label in VISIBILITY_LABELS.items()],
    )
