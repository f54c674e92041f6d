"""Loading framework versions into the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from survey.countries.services import ensure_countries
from survey.extensions import db
from survey.frameworks.definition import (
    FACT,
    FrameworkDef,
    FrameworkError,
    checksum,
    default_framework_path,
    load_document,
    parse_framework,
)
from survey.frameworks.models import FrameworkVersion, Indicator
from survey.hooks import Hook

# Answered by the assessments feature (above this one); until then every version counts as in use.
version_in_use = Hook("whether assessments were started on this framework version", default=lambda version_id: True)


@dataclass(frozen=True)
class LoadResult:
    """What loading a framework file did."""

    version: FrameworkVersion
    action: str  # "created", "updated" or "unchanged"


def _shape(definition: FrameworkDef) -> dict[str, tuple]:
    """What answers depend on: indicator ids, pillars, kinds, fact types and option ids."""
    return {
        i.code: (i.pillar_code, i.kind, i.fact_type, tuple(o.id for o in i.options))
        for i in definition.all_indicators()
    }


def _keeps_answers(old: FrameworkDef, new: FrameworkDef) -> bool:
    """Every indicator unchanged; new facts may join (they are not scored, so no score moves)."""
    before, after = _shape(old), _shape(new)
    return list(before.items()) == [(code, after.get(code)) for code in before] and all(
        after[code][1] == FACT for code in set(after) - set(before)
    )


def load_framework(path: Path) -> LoadResult:
    """Create or update the framework version described by a file.

    Text changes (typos, clearer guidance) and new fact questions update a version in place.
    Changes to the existing indicators are refused once assessments use the version: publish
    a new version instead, so every answer keeps meaning what it meant.
    """
    document = load_document(path)
    definition = parse_framework(document)
    digest = checksum(document)
    version = db.session.scalar(
        sa.select(FrameworkVersion).where(
            FrameworkVersion.framework_id == definition.framework_id,
            FrameworkVersion.version == definition.version,
        )
    )
    if version is None:
        version = FrameworkVersion(framework_id=definition.framework_id, version=definition.version)
        db.session.add(version)
        action = "created"
    elif version.checksum == digest:
        return LoadResult(version, "unchanged")
    else:
        if not _keeps_answers(version.definition, definition) and version_in_use(version.id):
            raise FrameworkError(
                f"{definition.framework_id} {definition.version} already has assessments and "
                "this file changes its indicators; give the file a new version instead"
            )
        action = "updated"
    version.title, version.document, version.checksum = definition.title, document, digest
    db.session.flush()
    _sync_indicators(version, definition)
    return LoadResult(version, action)


def _sync_indicators(version: FrameworkVersion, definition: FrameworkDef) -> None:
    rows = {
        i.code: i for i in db.session.scalars(sa.select(Indicator).where(Indicator.framework_version_id == version.id))
    }
    wanted = definition.all_indicators()
    for position, item in enumerate(wanted):
        row = rows.get(item.code) or Indicator(framework_version_id=version.id, code=item.code)
        row.pillar_code, row.kind, row.fact_type = item.pillar_code, item.kind, item.fact_type
        row.weight, row.position = item.weight, position
        db.session.add(row)
    for code, row in rows.items():
        if code not in {i.code for i in wanted}:
            db.session.delete(row)
    db.session.flush()


def ensure_default_framework() -> FrameworkVersion:
    """Countries and the shipped framework are always present."""
    ensure_countries()
    return load_framework(default_framework_path()).version


def indicator_ids(version_id: int, codes: list[str] | None = None) -> dict[str, int]:
    """Map indicator codes to row ids for one framework version."""
    query = sa.select(Indicator.code, Indicator.id).where(Indicator.framework_version_id == version_id)
    if codes is not None:
        query = query.where(Indicator.code.in_(codes))
    return dict(db.session.execute(query).all())
