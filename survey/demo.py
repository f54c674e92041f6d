"""Demo data: invented assessments for a dozen countries, marked as demo everywhere."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache

import click
import sqlalchemy as sa
from flask import current_app

from survey.accounts.labels import ROLE_LABELS
from survey.accounts.models import Role, User
from survey.assessments import services
from survey.assessments.models import AnswerState, Assessment, Cycle, Status
from survey.commands import DatabaseGroup
from survey.countries.services import country_by_code
from survey.extensions import db
from survey.frameworks.definition import IndicatorDef
from survey.frameworks.models import FrameworkVersion
from survey.frameworks.services import ensure_default_framework
from survey.plans.models import Funding
from survey.plans.services import ActionValues, add_action
from survey.projects.models import ProjectStatus, ProjectVisibility
from survey.projects.services import ProjectValues, country_map, create_project
from survey.publication.rules import Visibility
from survey.publication.services import release
from survey.questions import DemoContext, question_type
from survey.review.services import accept_all, validate
from survey.team.models import Assignment

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo credential, never in production
DEMO_NOTE = "Demo answer: invented for demonstration, not an official position."
# Countries with full demo accounts (coordinator, validator, contributor); the others only
# have a coordinator so that their invented assessments have an author.
TEAM_COUNTRIES = (("gh", "Ghana"), ("ng", "Nigeria"), ("sn", "Senegal"))
# Pillars the demo contributors are assigned: e.g. the police unit and the CERT in Ghana.
DEMO_ASSIGNMENTS = {
    "gh-contributor": ("legal", "justice", "reporting", "cooperation"),
    "gh-contributor2": ("strategy", "csirt", "awareness", "resources"),
    "ng-contributor": ("legal", "strategy", "csirt", "justice"),
    "sn-contributor": ("legal", "strategy", "csirt", "justice"),
}


@dataclass(frozen=True)
class DemoAssessment:
    """One invented assessment and how far along the workflow it is."""

    country: str
    year: int
    typical_level: int
    status: Status = Status.VALIDATED
    visibility: Visibility = Visibility.DONORS
    pillars: int | None = None  # how many pillars are answered; None for all


DEMO_ASSESSMENTS = (
    DemoAssessment("GH", 2025, 3),
    DemoAssessment("NG", 2025, 2),
    DemoAssessment("NG", 2026, 3),
    DemoAssessment("SN", 2026, 3, Status.DRAFT, Visibility.PRIVATE, pillars=3),
    DemoAssessment("CI", 2025, 2),
    DemoAssessment("CI", 2026, 3),
    DemoAssessment("CV", 2026, 3, visibility=Visibility.PUBLIC),
    DemoAssessment("BJ", 2026, 3),
    DemoAssessment("SL", 2026, 2),
    DemoAssessment("GM", 2026, 2),
    DemoAssessment("LR", 2025, 1),
    DemoAssessment("LR", 2026, 2),
    DemoAssessment("BF", 2025, 2),
    DemoAssessment("BF", 2026, 2),
    DemoAssessment("TG", 2026, 3, visibility=Visibility.PRIVATE),  # validated, kept private
    DemoAssessment("KE", 2025, 3),
    DemoAssessment("KE", 2026, 4),
    DemoAssessment("JM", 2026, 3, visibility=Visibility.PUBLIC),
)
# Invented projects, titled "Demo:" and marked as demo: (owner, title, implementer, donors, countries, targets,
# start, end, budget in USD, status, visibility). Two of them overlap in Ghana with different donors.
DEMO_PROJECTS = (
    (
        "donor",
        "Demo: Cybercrime legislation review",
        "Demo Law Institute",
        ("Demo Fund",),
        ("GH", "SL"),
        ("legal",),
        date(2025, 3, 1),
        date(2027, 2, 28),
        450_000,
        ProjectStatus.RUNNING,
        ProjectVisibility.PUBLIC,
    ),
    (
        "implementer",
        "Demo: Digital forensics laboratory",
        "Demo Implementer",
        ("Demo Fund", "Demo Foundation"),
        ("GH",),
        ("justice.digital_forensics", "justice.cybercrime_unit"),
        date(2026, 1, 15),
        date(2027, 12, 31),
        1_200_000,
        ProjectStatus.RUNNING,
        ProjectVisibility.PUBLIC,
    ),
    (
        "donor",
        "Demo: Forensic tools for police units",
        "Demo Police Academy",
        ("Demo Agency",),
        ("GH", "LR"),
        ("justice.digital_forensics",),
        date(2026, 6, 1),
        None,
        300_000,
        ProjectStatus.PLANNED,
        ProjectVisibility.DONORS,
    ),
    (
        "implementer",
        "Demo: National CSIRT set-up",
        "Demo Implementer",
        ("Demo Agency",),
        ("GM", "LR", "BF"),
        ("csirt.national_csirt", "csirt.incident_reporting"),
        date(2024, 1, 1),
        date(2025, 6, 30),
        800_000,
        ProjectStatus.COMPLETED,
        ProjectVisibility.PUBLIC,
    ),
    (
        "donor",
        "Demo: 24/7 contact point training",
        "Demo Law Institute",
        ("Demo Fund",),
        ("NG", "BJ", "CI"),
        ("cooperation.contact_point_247",),
        date(2026, 2, 1),
        date(2026, 11, 30),
        150_000,
        ProjectStatus.RUNNING,
        ProjectVisibility.PUBLIC,
    ),
)


def _create_projects(users: dict[str, User]) -> None:
    countries = country_map()
    for owner, title, implementer, donors, codes, targets, start, end, budget, status, visibility in DEMO_PROJECTS:
        values = ProjectValues(
            title=title,
            implementer=implementer,
            donors=list(donors),
            countries=list(codes),
            targets=list(targets),
            start_date=start,
            end_date=end,
            budget=Decimal(budget),
            currency="USD",
            status=status,
            visibility=visibility,
            contact="projects@example.org",
        )
        create_project(values, users[owner], countries, is_demo=True)


# Ghana's plan for its five priority needs of 2025: (lead agency, what, deadline, cost in cedis, funding).
DEMO_PLAN_COUNTRY = "GH"
DEMO_PLAN = (
    (
        "Cyber Security Authority",
        "Demo action: draft the missing regulations and consult on them",
        date(2026, 6, 30),
        Decimal("850000"),
        Funding.STATE,
    ),
    (
        "Ghana Police Service, Cybercrime Unit",
        "Demo action: train investigators and equip a digital forensics lab",
        date(2026, 12, 31),
        Decimal("4200000"),
        Funding.DONORS,
    ),
    (
        "Office of the Attorney-General",
        "Demo action: train prosecutors and judges on electronic evidence",
        date(2027, 3, 31),
        Decimal("1500000.50"),
        Funding.DONORS,
    ),
    (
        "National CERT (CERT-GH)",
        "Demo action: set up a national incident reporting portal",
        date(2027, 6, 30),
        None,
        Funding.UNFUNDED,
    ),
    (
        "Ministry of Communications and Digitalisation",
        "Demo action: run a national awareness campaign",
        date(2027, 12, 31),
        Decimal("2000000"),
        Funding.STATE,
    ),
)

demo = DatabaseGroup("demo", help="Demo data for trying CyberReady out (refused in production).")


class DemoRefused(RuntimeError):
    """Demo data asked for where it must not go."""


def refuse_production() -> None:
    """Stop any writing of demo data under the production configuration."""
    if current_app.config["ENV_NAME"] == "production":
        raise DemoRefused(
            "this is the production configuration (CYBERREADY_ENV=production): demo data, "
            "whose accounts share the published password 'demo', is never written into it"
        )


@cache
def _demo_password_hash() -> str:
    """One slow hash shared by the demo accounts, so loading the demo stays quick."""
    user = User()
    user.set_password(DEMO_PASSWORD)
    return user.password_hash


def demo_users() -> list[tuple[str, Role, str | None, str]]:
    """(username, role, country code, display name) of the demo accounts."""
    users: list[tuple[str, Role, str | None, str]] = [
        ("admin", Role.ADMIN, None, "Demo administrator"),
        ("donor", Role.DONOR, None, "Demo donor"),
        ("translator", Role.TRANSLATOR, None, "Demo translator"),
        ("implementer", Role.IMPLEMENTER, None, "Demo implementer"),
    ]
    for code, country in TEAM_COUNTRIES:
        users.append((f"{code}-coordinator", Role.COORDINATOR, code.upper(), f"Demo coordinator, {country}"))
        users.append((f"{code}-validator", Role.VALIDATOR, code.upper(), f"Demo validator, {country}"))
        users.append((f"{code}-contributor", Role.CONTRIBUTOR, code.upper(), f"Demo contributor, {country}"))
    users.append(("gh-contributor2", Role.CONTRIBUTOR, "GH", "Demo contributor (CERT), Ghana"))
    team = {code.upper() for code, _ in TEAM_COUNTRIES}
    for code in sorted({a.country for a in DEMO_ASSESSMENTS} - team):
        users.append((f"{code.lower()}-coordinator", Role.COORDINATOR, code, f"Demo coordinator, {code}"))
    return users


def demo_accounts() -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every demo account as (username, country code), grouped under its role in the reader's language."""
    by_role: dict[str, list[tuple[str, str | None]]] = {}
    for username, role, code, _name in demo_users():
        by_role.setdefault(role, []).append((username, code))
    return [(str(label), by_role[role]) for role, label in ROLE_LABELS.items() if role in by_role]


def _demo_answer(indicator: IndicatorDef, rng: random.Random, typical: int, country: str) -> services.AnswerValues:
    answer = question_type(indicator).demo_value(indicator, rng, DemoContext(country, typical))
    values = services.AnswerValues(answer.state, **answer.columns, comment=DEMO_NOTE)
    if answer.state == AnswerState.LEVEL and answer.columns["level"] >= 3:
        return replace(values, evidence_description=DEMO_NOTE)
    return values


def _cycle(year: int, version: FrameworkVersion, is_open: bool) -> Cycle:
    # Invented cycles, not an administrator's decision: nothing for the audit trail.
    if is_open:
        db.session.execute(sa.update(Cycle).values(is_open=False))
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.year == year)) or Cycle(year=year)
    cycle.framework_version_id, cycle.is_open = version.id, is_open
    db.session.add(cycle)
    return cycle


def _create_users() -> dict[str, User]:
    users = {}
    for username, role, code, name in demo_users():
        user = User(username=username, full_name=name, country=country_by_code(code) if code else None)
        user.set_roles([role])
        user.password_hash = _demo_password_hash()
        db.session.add(user)
        users[username] = user
    db.session.flush()
    return users


def _create_assessment(spec: DemoAssessment, cycle: Cycle, users: dict[str, User]) -> Assessment:
    code = spec.country.lower()
    coordinator = users[f"{code}-coordinator"]
    assessment = services.start_assessment(coordinator, cycle)
    assessment.is_demo = True
    rng = random.Random(f"{spec.country}-{spec.year}")  # noqa: S311 - reproducible demo, not security
    for pillar in cycle.framework_version.definition.pillars[: spec.pillars]:
        services.save_answers(
            assessment,
            {i.code: _demo_answer(i, rng, spec.typical_level, spec.country) for i in pillar.indicators},
            coordinator,
        )
    if spec.status == Status.DRAFT:
        return assessment
    services.submit(assessment, coordinator)
    if spec.status == Status.VALIDATED:
        validator = users.get(f"{code}-validator", coordinator)
        accept_all(assessment, validator)
        validate(assessment, validator)
        release(assessment, spec.visibility, coordinator)
        if spec.country == DEMO_PLAN_COUNTRY:
            _demo_plan(assessment, coordinator)
    return assessment


def _demo_plan(assessment: Assessment, coordinator: User) -> None:
    """Five actions, one per priority need, planned by the coordinator after the release."""
    needs = services.priorities(assessment, services.scoring_inputs(assessment))
    for need, (agency, what, deadline, cost, funding) in zip(needs, DEMO_PLAN, strict=False):
        values = ActionValues(
            need.code, what, agency, min(need.level + 1, 5), deadline, cost, "GHS" if cost else None, funding
        )
        add_action(assessment, values, coordinator)


def load_demo() -> None:
    """Create the demo accounts, cycles, pillar assignments and assessments (refused in production)."""
    refuse_production()
    version = ensure_default_framework()
    cycles = {2025: _cycle(2025, version, False), 2026: _cycle(2026, version, True)}
    db.session.flush()
    users = _create_users()
    for spec in DEMO_ASSESSMENTS:
        _create_assessment(spec, cycles[spec.year], users)
    _create_projects(users)
    for username, pillars in DEMO_ASSIGNMENTS.items():
        user = users[username]
        db.session.add_all(
            Assignment(country_id=user.country_id, pillar_code=pillar, user_id=user.id) for pillar in pillars
        )
    db.session.flush()


def load_demo_if_empty() -> bool:
    """Load the demo only into a database that has no users yet (refused in production)."""
    refuse_production()
    if db.session.scalar(sa.select(sa.func.count(User.id))):
        return False
    load_demo()
    return True


@demo.command("load")
def load_command() -> None:
    """Load the demo data into an empty database (refused in production)."""
    try:
        loaded = load_demo_if_empty()
    except DemoRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    if not loaded:
        raise click.ClickException("the database already has users; demo data is only loaded into an empty one")
    db.session.commit()
    click.echo("demo data loaded")
