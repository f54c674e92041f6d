"""`flask demo synthetic`: many invented, validated, released assessments for load tests.

Every row is marked `is_demo`. Countries are the existing ones (the 195 UN member and observer
states), in alphabetical order of code: asking for 200 gives all 195. Cycles are the N years up
to the newest existing cycle (or this year), created on the default framework version when
missing. Pairs that already have an assessment are left alone, so the command can be rerun.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import click
import sqlalchemy as sa

from survey.assessments.models import (
    Answer,
    AnswerState,
    Assessment,
    Cycle,
    PillarScore,
    Status,
)
from survey.countries.models import Country
from survey.demo import demo
from survey.extensions import db
from survey.frameworks.definition import FrameworkDef
from survey.frameworks.models import FrameworkVersion
from survey.frameworks.services import ensure_default_framework, indicator_ids
from survey.methodology.scoring import IndicatorInput, PillarInput, score_assessment
from survey.models import utcnow
from survey.publication.rules import Visibility

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
) -> tuple[list, list[PillarInput]]:
    values, pillars = [], []
    for pillar in definition.pillars:
        inputs = []
        for indicator in pillar.indicators:
            if indicator.is_maturity:
                level = max(1, min(5, round(typical + rng.gauss(0, 0.9))))
                values.append((indicator.code, AnswerState.LEVEL.value, level, None, None, None))
                inputs.append(
                    IndicatorInput(indicator.code, indicator.weight, AnswerState.LEVEL.value, level)
                )
            elif indicator.fact_type == "boolean":
                values.append(
                    (indicator.code, AnswerState.VALUE.value, None, None, None, rng.random() < 0.5)
                )
            else:
                number = Decimal(
                    rng.randrange(1, 500) * (100_000 if indicator.fact_type == "money" else 1)
                )
                currency = "USD" if indicator.fact_type == "money" else None
                if indicator.fact_type == "percent":
                    number = Decimal(rng.randrange(0, 90))
                values.append(
                    (indicator.code, AnswerState.VALUE.value, None, number, currency, None)
                )
        pillars.append(PillarInput(pillar.code, pillar.weight, tuple(inputs)))
    return values, pillars


def generate(countries: int, cycles: int, seed: int = 1) -> int:
    """Create the synthetic assessments; return how many were added."""
    version = ensure_default_framework()
    definition = version.definition
    ids = indicator_ids(version.id)
    chosen = list(db.session.scalars(sa.select(Country).order_by(Country.alpha2).limit(countries)))
    rounds = _cycles(cycles, version)
    taken = set(
        db.session.execute(
            sa.select(Assessment.country_id, Assessment.cycle_id).where(
                Assessment.framework_version_id == version.id
            )
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
        db.session.scalars(
            sa.insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True), rows
        )
    )
    answers, pillars = [], []
    for assessment_id, (_country, _cycle, values, result, _rng) in zip(new_ids, chunk, strict=True):
        answers += [
            {
                "assessment_id": assessment_id,
                "indicator_id": ids[code],
                "state": state,
                "level": level,
                "number_value": number,
                "currency": currency,
                "bool_value": flag,
                "comment": SYNTHETIC_NOTE,
                "updated_at": now,
                "version": 1,
                "review": "accepted",
                "evidence_urls": "",
                "evidence_description": "",
            }
            for code, state, level, number, currency, flag in values
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
    db.session.execute(sa.insert(Answer), answers)
    db.session.execute(sa.insert(PillarScore), pillars)
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
def synthetic_command(countries: int, cycles: int, seed: int) -> None:
    """Generate validated, released, demo-marked assessments for load and query-count tests."""
    added = generate(countries, cycles, seed)
    db.session.commit()
    click.echo(f"{added} synthetic assessments added")
