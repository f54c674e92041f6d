"""Readable, translated descriptions of audit events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from survey.frameworks.labels import stage_name
from survey.i18n.formats import clause_separator, join_items
from survey.questions import COLUMN_LABELS

ACTION_LABELS = {
    "answer.update": _l("Answer changed"),
    "assessment.status": _l("Status changed"),
    "assessment.release": _l("Release level changed"),
    "indicator.review": _l("Indicator reviewed"),
    "assignment.update": _l("Pillar assignments changed"),
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.roles": _l("Roles changed"),
    "user.password": _l("Password reset"),
    "user.password_link": _l("Password link sent"),
    "user.login": _l("Signed in"),
    "user.login_failed": _l("Failed sign-in"),
    "access.denied": _l("Access refused"),
    "cycle.open": _l("Cycle opened"),
    "cycle.close": _l("Cycle closed"),
    "framework.load": _l("Framework file loaded"),
    "api_token.create": _l("API token created"),
    "api_token.revoke": _l("API tokens revoked"),
}
ANSWER_FIELD_LABELS = {
    "state": _l("Answer"),
    "level": _l("Level"),
    "number_value": _l("Value"),
    "currency": _l("Currency"),
    "bool_value": _l("Yes/no"),
    "evidence_urls": _l("Evidence links"),
    "evidence_description": _l("Evidence description"),
    "comment": _l("Comment"),
}
STATE_LABELS = {"na": _l("Not applicable"), "dont_know": _l("Don't know")}
# Names of the values an action records (statuses, release levels...), given by the feature that owns them.
VALUE_LABELS: dict[str, Mapping[str, Any]] = {}
# How a field of a recorded dict is written (e.g. a project's countries by name), given by the feature owning it.
FIELD_FORMATTERS: dict[str, Callable[[Any], str]] = {}


def name_values(action: str, labels: Mapping[str, Any]) -> None:
    """Let the audit trail name the values this action records (called by the feature owning them)."""
    VALUE_LABELS[action] = labels


def action_label(action: str) -> str:
    """The action in the reader's language."""
    return str(ACTION_LABELS.get(action, action))


def describe(value: Any, action: str = "", titles: dict[str, str] | None = None, code: str | None = None) -> str:
    """An old or new value of an action as a short sentence in the reader's language.

    `titles` names pillars and indicators by code, and the options of the indicator `code` by
    "code/option" (English source, translated here).
    """
    words = VALUE_LABELS.get(action, {})
    if value is None:
        return "—"
    if isinstance(value, dict):
        return (
            clause_separator().join(
                _describe_field(key, _field_value(key, item, code, titles))
                for key, item in value.items()
                if key != "state" or item in STATE_LABELS
            )
            or "—"
        )
    if isinstance(value, list):
        return join_items(gettext(titles[item]) if titles and item in titles else str(item) for item in value) or "—"
    return str(words.get(value, value))


def _field_value(key: str, item: Any, code: str | None, titles: dict[str, str] | None) -> Any:
    """A recorded field's value, by its title where it names an indicator (an action plan's) or an option."""
    if key == "state":
        return item
    if key == "indicator" and titles and item in titles:
        return gettext(titles[item])
    return _option_label(item, code, titles)


def _option_label(value: Any, code: str | None, titles: dict[str, str] | None) -> Any:
    """A choice answer's option, by its translated label when `titles` knows it."""
    label = (titles or {}).get(f"{code}/{value}") if code and isinstance(value, str) else None
    return gettext(label) if label else value


def _describe_field(key: str, value: Any) -> str:
    if key in FIELD_FORMATTERS:
        value = FIELD_FORMATTERS[key](value)
    elif value is None:
        value = "—"
    if key == "level":
        return f"{ANSWER_FIELD_LABELS['level']}: {value}. {stage_name(value)}"
    if key == "state":
        return str(STATE_LABELS[value])
    if key == "bool_value" or isinstance(value, bool):
        value = _l("Yes") if value else _l("No")
    return f"{ANSWER_FIELD_LABELS.get(key) or COLUMN_LABELS.get(key, key)}: {value}"
