"""`flask demo synthetic`: many invented, validated, released assessments for load tests.

Every row is marked `is_demo`. Countries are the existing ones (the 195 UN member and observer
states), in alphabetical order of code: asking for 200 gives all 195. Cycles are the N years up
to the newest existing cycle (or this year), created on the default framework version when
missing. Pairs that already have an assessment are left alone, so the command can be rerun.
Refused in production; outside SQLite only with --i-know-this-is-not-production.
"""

from __future__ import annotations

import random
from datetime import date
from typing import cast

import click
import sqlalchemy as sa

from survey.assessments.models import (
    Answer,
    Assessment,
    Cycle,
    PillarScore,
    Status,
)
from survey.countries.models import Country
from survey.demo import DemoRefused, demo, refuse_production
from survey.extensions import db
from survey.frameworks.definition import FrameworkDef
from survey.frameworks.models import FrameworkVersion
from survey.frameworks.services import ensure_default_framework, indicator_ids
from survey.methodology.scoring import IndicatorInput, PillarInput, score_assessment
from survey.models import utcnow
from survey.publication.rules import Visibility
from survey.questions import COLUMNS, DemoContext, StoredAnswer, question_type

BATCH = 5000
SYNTHETIC_NOTE = "Synthetic demo data generated for load testing."


def _cycles(count: int, version: FrameworkVersion) -> list[Cycle]:
    newest = db.session.scalar(sa.select(sa.func.max(Cycle.year))) or date.today().year
    existing = {c.year: c for c in db.session.scalars(sa.select(Cycle))}
    cycles = []
    for year in range(newest - count + 1, newest + 1):
        if year not in existing:
            existing[year] = Cycle(year=year, framework_version_id=version.id, is_open=False)
            db.session.add(existing[year])
        cycles.append(existing[year])
    db.session.flush()
    return cycles


def _answers(
    definition: FrameworkDef, rng: random.Random, typical: float
) -> tuple[list[tuple[str, StoredAnswer]], list[PillarInput]]:
    values, pillars = [], []
    context = DemoContext(None, typical)  # no country: amounts in US dollars
    for pillar in definition.pillars:
        inputs = []
        for indicator in pillar.indicators:
            answer = question_type(indicator).demo_value(indicator, rng, context)
            values.append((indicator.code, answer))
            if indicator.is_maturity:
                inputs.append(IndicatorInput(indicator.code, indicator.weight, answer.state, answer.columns["level"]))
        pillars.append(PillarInput(pillar.code, pillar.weight, tuple(inputs)))
    return values, pillars


def generate(countries: int, cycles: int, seed: int = 1, server_database_ok: bool = False) -> int:
    """Create the synthetic assessments; return how many were added.

    Thousands of invented results must not land in a shared database by mistake: outside SQLite
    the caller says it is not production (`server_database_ok`), and production refuses anyway.
    """
    refuse_production()
    if db.engine.dialect.name != "sqlite" and not server_database_ok:
        raise DemoRefused(
            f"synthetic data goes into SQLite only; this database is {db.engine.dialect.name}. "
            "If it is a development or test database, pass --i-know-this-is-not-production"
        )
    version = ensure_default_framework()
    definition = version.definition
    ids = indicator_ids(version.id)
    chosen = list(db.session.scalars(sa.select(Country).order_by(Country.alpha2).limit(countries)))
    rounds = _cycles(cycles, version)
    taken = set(
        db.session.execute(
            sa.select(Assessment.country_id, Assessment.cycle_id).where(Assessment.framework_version_id == version.id)
        ).all()
    )
    rng = random.Random(seed)  # noqa: S311 - invented data, not security
    now = utcnow()
    pending = []
    for country in chosen:
        typical = rng.uniform(1.3, 4.2)
        for index, cycle in enumerate(rounds):
            if (country.id, cycle.id) in taken:
                continue
            answers, inputs = _answers(definition, rng, typical + 0.08 * index)
            pending.append((country, cycle, answers, score_assessment(inputs), rng))
    added, step = 0, max(1, BATCH // max(1, len(ids)))  # about BATCH answers per statement
    for start in range(0, len(pending), step):
        added += _insert(pending[start : start + step], version, ids, now)
    db.session.flush()
    return added


def _insert(chunk: list, version: FrameworkVersion, ids: dict[str, int], now) -> int:
    if not chunk:
        return 0
    rows = [
        {
            "country_id": country.id,
            "cycle_id": cycle.id,
            "framework_version_id": version.id,
            "status": Status.VALIDATED.value,
            "is_demo": True,
            "submitted_at": now,
            "validated_at": now,
            "released_at": now,
            "overall_score": result.score,
            "overall_stage": result.stage,
            "overall_scored": result.scored,
            "overall_total": result.total,
            "visibility": (Visibility.PUBLIC if rng.random() < 0.4 else Visibility.DONORS).value,
            "created_at": now,
            "updated_at": now,
        }
        for country, cycle, _answers, result, rng in chunk
    ]
    new_ids = list(
        db.session.scalars(sa.insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True), rows)
    )
    answers, pillars = [], []
    for assessment_id, (_country, _cycle, values, result, _rng) in zip(new_ids, chunk, strict=True):
        answers += [
            {
                "assessment_id": assessment_id,
                "indicator_id": ids[code],
                "state": answer.state,
                **{column: answer.columns.get(column) for column in COLUMNS},
                "comment": SYNTHETIC_NOTE,
                "updated_at": now,
                "version": 1,
                "review": "accepted",
                "evidence_urls": "",
                "evidence_description": "",
            }
            for code, answer in values
        ]
        pillars += [
            {
                "assessment_id": assessment_id,
                "pillar_code": p.code,
                "score": p.score,
                "stage": p.stage,
                "coverage": p.coverage,
                "status": p.status,
                "scored": p.scored,
                "total": p.total,
            }
            for p in result.pillars
        ]
    # Core inserts of the tables: the ORM's bulk mode would look at each of these rows again in Python.
    db.session.execute(sa.insert(cast(sa.Table, Answer.__table__)), answers)
    db.session.execute(sa.insert(cast(sa.Table, PillarScore.__table__)), pillars)
    return len(new_ids)


@demo.command("synthetic")
@click.option(
    "--countries",
    default=200,
    show_default=True,
    help="How many countries (at most the 195 known).",
)
@click.option("--cycles", default=10, show_default=True, help="How many cycles, up to the newest.")
@click.option("--seed", default=1, show_default=True, help="Random seed, for reproducible data.")
@click.option(
    "--i-know-this-is-not-production",
    "server_database_ok",
    is_flag=True,
    help="Allow a database other than SQLite (development and test databases only).",
)
def synthetic_command(countries: int, cycles: int, seed: int, server_database_ok: bool) -> None:
    """Generate validated, released, demo-marked assessments for load and query-count tests."""
    try:
        added = generate(countries, cycles, seed, server_database_ok)
    except DemoRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    db.session.commit()
    click.echo(f"{added} synthetic assessments added")
