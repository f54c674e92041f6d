"""Demo data: invented assessments for Ghana, Nigeria and Senegal, marked as demo everywhere."""

from __future__ import annotations

import random
from functools import cache
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from survey.accounts.models import Role, User
from survey.assessments import services
from survey.assessments.models import AnswerState
from survey.countries.services import country_by_code
from survey.extensions import db
from survey.frameworks.definition import IndicatorDef
from survey.frameworks.models import FrameworkVersion
from survey.frameworks.services import ensure_default_framework

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo credential, never in production
DEMO_NOTE = "Demo answer: invented for demonstration, not an official position."
CURRENCIES = {"GH": "GHS", "NG": "NGN", "SN": "XOF"}
# (country, year, typical level, how many pillars answered or None for all, submitted)
DEMO_ASSESSMENTS = (
    ("GH", 2025, 3, None, True),
    ("NG", 2025, 2, None, True),
    ("NG", 2026, 3, None, True),
    ("SN", 2026, 3, 3, False),
)

demo = AppGroup("demo", help="Demo data for trying CyberReady out.")


@cache
def _demo_password_hash() -> str:
    """One slow hash shared by the demo accounts, so loading the demo stays quick."""
    user = User()
    user.set_password(DEMO_PASSWORD)
    return user.password_hash


def demo_users() -> list[tuple[str, Role, str | None, str]]:
    """(username, role, country code, display name) of the demo accounts."""
    users = [("admin", Role.ADMIN, None, "Demo administrator"),
             ("donor", Role.DONOR, None, "Demo donor")]
    for code, country in (("gh", "Ghana"), ("ng", "Nigeria"), ("sn", "Senegal")):
        users.append((f"{code}-coordinator", Role.COORDINATOR, code.upper(), f"Demo coordinator, {country}"))
        users.append((f"{code}-officer", Role.OFFICER, code.upper(), f"Demo officer, {country}"))
    return users


def _demo_answer(indicator: IndicatorDef, rng: random.Random, typical: int, country: str) -> services.AnswerValues:
    if indicator.is_maturity:
        roll = rng.random()
        if roll < 0.04:
            return services.AnswerValues(AnswerState.DONT_KNOW.value, comment=DEMO_NOTE)
        level = max(1, min(5, typical + rng.choice((-2, -1, -1, 0, 0, 0, 1, 1))))
        return services.AnswerValues(AnswerState.LEVEL.value, level=level,
                                     evidence_description=DEMO_NOTE if level >= 3 else "",
                                     comment=DEMO_NOTE)
    number = {"money": Decimal(rng.randrange(2, 90) * 1_000_000), "count": Decimal(rng.randrange(5, 400)),
              "percent": Decimal(rng.randrange(5, 70))}.get(indicator.fact_type)
    return services.AnswerValues(
        AnswerState.VALUE.value, number_value=number,
        currency=CURRENCIES[country] if indicator.fact_type == "money" else None,
        bool_value=rng.random() < 0.5 if indicator.fact_type == "boolean" else None,
        comment=DEMO_NOTE)


def _cycle(year: int, version: FrameworkVersion, is_open: bool):
    cycle = services.open_cycle(year, version)
    cycle.is_open = is_open
    return cycle


def load_demo() -> None:
    """Create the demo accounts, cycles and assessments."""
    version = ensure_default_framework()
    cycles = {2025: _cycle(2025, version, False), 2026: _cycle(2026, version, True)}
    users = {}
    for username, role, code, name in demo_users():
        user = User(username=username, role=role, full_name=name,
                    country=country_by_code(code) if code else None)
        user.password_hash = _demo_password_hash()
        db.session.add(user)
        users[username] = user
    db.session.flush()
    for code, year, typical, pillars, submitted in DEMO_ASSESSMENTS:
        coordinator = users[f"{code.lower()}-coordinator"]
        assessment = services.start_assessment(coordinator, cycles[year])
        assessment.is_demo = True
        rng = random.Random(f"{code}-{year}")  # noqa: S311 - reproducible demo, not security
        for pillar in version.definition.pillars[:pillars]:
            services.save_answers(assessment, {i.code: _demo_answer(i, rng, typical, code)
                                               for i in pillar.indicators}, coordinator)
        if submitted:
            services.submit(assessment, coordinator)
    db.session.flush()


def load_demo_if_empty() -> bool:
    """Load the demo only into a database that has no users yet."""
    if db.session.scalar(sa.select(sa.func.count(User.id))):
        return False
    load_demo()
    return True


@demo.command("load")
def load_command() -> None:
    """Load the demo data into an empty database."""
    if not load_demo_if_empty():
        raise click.ClickException("the database already has users; demo data is only loaded into an empty one")
    db.session.commit()
    click.echo("demo data loaded")

