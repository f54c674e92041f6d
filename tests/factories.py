"""Test factories: users, assessments and answers, made through the services the application uses.

Each flushes what it makes; the ones a test then reads through a request commit (inside the
test's rolled-back transaction).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from survey.accounts.models import User
from survey.assessments import services
from survey.assessments.models import Assessment
from survey.countries.services import country_by_code
from survey.extensions import db
from survey.recovery.links import link_token


def user(username: str) -> User:
    """An existing account (e.g. one of the demo's) by its name."""
    found = db.session.scalar(sa.select(User).where(User.username == username))
    assert found is not None, f"no account {username!r}: does the test ask for `demo`?"
    return found


def recovery_token(username: str) -> str:
    """The token of a password recovery link for this account, as its e-mail carries it."""
    return link_token(user(username))


def make_user(
    username: str,
    roles: Iterable[str],
    country: str | None = None,
    password: str = "demo",
    full_name: str = "",
    active: bool = True,
) -> User:
    """A new account with these roles, of the country with this ISO alpha-2 code."""
    account = User(username=username, full_name=full_name, active=active)
    if country:
        account.country = country_by_code(country)
    account.set_password(password)
    account.set_roles(roles)
    db.session.add(account)
    db.session.flush()
    return account


def start_assessment(username: str = "gh-coordinator") -> Assessment:
    """The draft of this user's country in the open cycle, started as its coordinator would."""
    assessment = services.start_assessment(user(username), services.current_cycle())
    db.session.commit()
    return assessment


def answer_everything(assessment_id: int, level: int = 3, username: str = "gh-coordinator") -> None:
    """Answer every maturity indicator through the service, as a coordinator would over weeks."""
    assessment = db.session.get(Assessment, assessment_id)
    author = user(username)
    for pillar in assessment.framework_version.definition.pillars:
        services.save_answers(
            assessment,
            {i.code: services.AnswerValues("level", level=level) for i in pillar.maturity_indicators},
            author,
        )
    db.session.commit()


def submitted_assessment(username: str = "gh-coordinator", level: int = 3) -> Assessment:
    """This user's country's assessment of the open cycle, fully answered and submitted."""
    assessment = start_assessment(username)
    answer_everything(assessment.id, level, username)
    services.submit(assessment, user(username))
    db.session.commit()
    return assessment
