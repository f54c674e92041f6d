"""The translation status page, for translators and administrators.

It lives here, at the web edge, because it asks the rule book; `survey.i18n` stays below every feature.
The blueprint keeps the name `i18n`, so its endpoint is still `i18n.status`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template

from survey.i18n.locale import language_name
from survey.i18n.status import problem_label, translation_status
from survey.permissions import Permission, requires

blueprint = Blueprint("i18n", __name__)


@blueprint.route("/translations")
@requires(Permission.TRANSLATIONS_READ)
def status() -> str:
    """Per language: how complete, what is fuzzy, what is faulty and falls back to English."""
    root = Path(current_app.root_path).parent
    statuses = translation_status(Path(current_app.config["TRANSLATIONS_DIR"]), root)
    return render_template(
        "i18n/status.html",
        statuses=statuses,
        language_name=language_name,
        problem_label=problem_label,
    )
