"""What each kind of notification says, in the current locale, and where it leads.

A notification stores its kind and facts (country code, year, who acted); the words are chosen
when it is shown or mailed, in the reader's language (`flask_babel.force_locale` for mail).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from survey.i18n.locale import country_name
from survey.publication.labels import visibility_label

SUBMITTED = "submitted"
RESUBMITTED = "resubmitted"
RETURNED = "returned"
VALIDATED = "validated"
RELEASED = "released"
CYCLE_OPENED = "cycle_opened"
DEADLINE = "deadline"


@dataclass(frozen=True)
class Text:
    """A notification in words: a title (the e-mail's subject) and a sentence or two."""

    title: str
    body: str


def _facts(params: dict[str, Any]) -> dict[str, Any]:
    """The stored facts, with names put in the current language."""
    facts = dict(params)
    if "country" in facts:
        facts["country"] = country_name(facts["country"])
    return facts


def _submitted(p: dict[str, Any]) -> Text:
    return Text(
        _("%(country)s: the %(year)s assessment awaits validation", **p),
        _(
            "%(name)s submitted the %(year)s assessment of %(country)s. Review its answers, then "
            "validate it or return the indicators that need changes.",
            **p,
        ),
    )


def _resubmitted(p: dict[str, Any]) -> Text:
    return Text(
        _("%(country)s: the %(year)s assessment was resubmitted", **p),
        _(
            "%(name)s resubmitted the %(year)s assessment of %(country)s after changing the "
            "returned indicators. Review the changes.",
            **p,
        ),
    )


def _returned(p: dict[str, Any]) -> Text:
    return Text(
        _("%(country)s: indicators of the %(year)s assessment were returned", **p),
        ngettext(
            "%(name)s returned %(num)s indicator of the %(year)s assessment of %(country)s "
            "for changes. Read the comments, change the answer and submit again.",
            "%(name)s returned %(num)s indicators of the %(year)s assessment of %(country)s "
            "for changes. Read the comments, change the answers and submit again.",
            p.get("count", 0),
            **p,
        ),
    )


def _validated(p: dict[str, Any]) -> Text:
    return Text(
        _("%(country)s: the %(year)s assessment is validated", **p),
        _(
            "%(name)s validated the %(year)s assessment of %(country)s. Its answers are locked; "
            "you can now choose who outside your country may read the results.",
            **p,
        ),
    )


def _released(p: dict[str, Any]) -> Text:
    audience = visibility_label(p.get("level", ""))
    return Text(
        _("%(country)s released its %(year)s results", **p),
        _("%(country)s released the results of its %(year)s assessment to: %(audience)s.", audience=audience, **p),
    )


def _cycle_opened(p: dict[str, Any]) -> Text:
    return Text(
        _("The %(year)s assessment cycle is open", **p), _("Your country can now start its %(year)s assessment.", **p)
    )


def _deadline(p: dict[str, Any]) -> Text:
    due = format_date(date.fromisoformat(p["deadline"]), format="long")
    return Text(
        _("The %(year)s assessment is due on %(date)s", date=due, **p),
        _("The %(year)s assessment of %(country)s is due on %(date)s and is not submitted yet.", date=due, **p),
    )


KINDS: dict[str, Callable[[dict[str, Any]], Text]] = {
    SUBMITTED: _submitted,
    RESUBMITTED: _resubmitted,
    RETURNED: _returned,
    VALIDATED: _validated,
    RELEASED: _released,
    CYCLE_OPENED: _cycle_opened,
    DEADLINE: _deadline,
}

# The page each kind leads to, and whether it needs the assessment's id.
TARGETS: dict[str, tuple[str, bool]] = {
    SUBMITTED: ("review.validation", True),
    RESUBMITTED: ("review.validation", True),
    RETURNED: ("assessments.overview", True),
    VALIDATED: ("assessments.results", True),
    RELEASED: ("assessments.results", True),
    CYCLE_OPENED: ("assessments.index", False),
    DEADLINE: ("assessments.index", False),
}


def text_of(kind: str, params: dict[str, Any]) -> Text:
    """The notification's title and text in the current language."""
    return KINDS[kind](_facts(params))


def target_of(kind: str, assessment_id: int | None) -> tuple[str, dict[str, Any]]:
    """The endpoint and URL values of the page the notification leads to."""
    endpoint, needs_assessment = TARGETS[kind]
    if needs_assessment and assessment_id is not None:
        return endpoint, {"assessment_id": assessment_id}
    return "assessments.index", {}


def mail_footer(settings_url: str) -> str:
    """The line that ends every e-mail: why it came and where to stop it."""
    return _(
        "You receive this e-mail because of your CyberReady account. Choose what you receive: %(url)s", url=settings_url
    )
