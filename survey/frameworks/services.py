"""Loading framework versions into the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from survey.countries.services import ensure_countries
from survey.extensions import db
from survey.frameworks.definition import (
    FrameworkDef,
    FrameworkError,
    IndicatorDef,
    checksum,
    default_framework_path,
    load_document,
    parse_framework,
)
from survey.frameworks.models import FrameworkVersion, Indicator, LoadSource
from survey.hooks import Hook
from survey.models import utcnow

# The (framework id, version) each shipped file declares, by path and modification time.
_IDENTITIES: dict[tuple[str, int], tuple[str, str]] = {}

# Answered by the assessments feature (above this one); until then every version counts as submitted.
version_submitted = Hook(
    "whether an assessment on this framework version was submitted (or went further)",
    default=lambda version_id: True,
)


class FrameworkRefused(FrameworkError):
    """A file that would change what stored answers or results of its version mean."""


@dataclass(frozen=True)
class LoadResult:
    """What loading a framework file did."""

    version: FrameworkVersion
    action: str  # "created", "updated", "unchanged" or "kept" (a command's load, left alone by start-up)
    file_sha256: str  # of the file's bytes, for the audit trail


def _number(value: float) -> str:
    return f"{value:g}"


def _indicator_changes(old: IndicatorDef, new: IndicatorDef) -> list[str]:
    """What changed in one indicator beyond its wording."""
    fields = (
        ("kind", old.kind, new.kind),
        ("weight", _number(old.weight), _number(new.weight)),
        ("fact type", old.fact_type, new.fact_type),
        ("unit", old.unit, new.unit),
        ("unit after 1", old.unit_one, new.unit_one),
        ("levels", ", ".join(map(str, old.levels)), ", ".join(map(str, new.levels))),
        ("options", ", ".join(o.id for o in old.options), ", ".join(o.id for o in new.options)),
    )
    return [f"indicator {old.code} {name} {a or '-'} → {b or '-'}" for name, a, b in fields if a != b]


def structural_changes(old: FrameworkDef, new: FrameworkDef) -> list[str]:
    """Every change beyond wording (texts, references, instruments' names), described for the person loading."""
    before, after = {p.code: p for p in old.pillars}, {p.code: p for p in new.pillars}
    changes = [f"pillar {code} removed" for code in before if code not in after]
    changes += [f"pillar {code} added" for code in after if code not in before]
    if [c for c in before if c in after] != [c for c in after if c in before]:
        changes.append("pillars reordered")
    for code, pillar in before.items():
        if code not in after:
            continue
        if pillar.weight != after[code].weight:
            changes.append(f"pillar {code} weight {_number(pillar.weight)} → {_number(after[code].weight)}")
        old_codes = [i.code for i in pillar.indicators]
        new_codes = [i.code for i in after[code].indicators]
        if [c for c in old_codes if c in new_codes] != [c for c in new_codes if c in old_codes]:
            changes.append(f"indicators of pillar {code} reordered")
    old_items = {i.code: i for i in old.all_indicators()}
    new_items = {i.code: i for i in new.all_indicators()}
    changes += [f"indicator {code} removed" for code in old_items if code not in new_items]
    changes += [f"indicator {code} added" for code in new_items if code not in old_items]
    for code, item in old_items.items():
        if code in new_items:
            changes += _indicator_changes(item, new_items[code])
    return changes


def _answer_shape(item: IndicatorDef) -> tuple:
    """What a stored answer to this indicator means: its kind, type, unit, levels and option ids."""
    return (item.kind, item.fact_type, item.unit, item.unit_one, tuple(item.levels), tuple(o.id for o in item.options))


def _meaning_changed(old: FrameworkDef, new: FrameworkDef) -> set[str]:
    """Indicators whose stored answers would be lost or read differently: removed, or another kind of answer."""
    after = {i.code: i for i in new.all_indicators()}
    return {
        i.code for i in old.all_indicators() if i.code not in after or _answer_shape(i) != _answer_shape(after[i.code])
    }


def _codes_with_data(version_id: int) -> set[str]:
    """Indicator codes of this version that any stored row points at (answers, evidence files, reviews...)."""
    # Every table holding an indicator id counts, so a feature added later is protected too.
    codes: set[str] = set()
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is Indicator.__table__:
                codes.update(
                    db.session.scalars(
                        sa.select(Indicator.code)
                        .join(table, fk.parent == Indicator.id)
                        .where(Indicator.framework_version_id == version_id)
                        .distinct()
                    )
                )
    return codes


def _check_change(version: FrameworkVersion, definition: FrameworkDef) -> None:
    """Refuse a file that changes more than wording once results, or draft answers, depend on it.

    After a submission, scores were computed with these weights and levels: only wording may change.
    With drafts only, weights and new indicators are harmless (nothing is scored yet), but an
    indicator that holds answers must keep its kind of answer and must not disappear.
    """
    old = version.definition
    changes = structural_changes(old, definition)
    if not changes:
        return
    if version_submitted(version.id):
        reason = "has submitted assessments, so its file may only fix wording (texts, references, translations)"
    else:
        touched = sorted(_meaning_changed(old, definition) & _codes_with_data(version.id))
        if not touched:
            return
        reason = f"has draft answers to {', '.join(touched)}, which this file removes or changes"
    raise FrameworkRefused(
        f"{version.label} {reason}; this file changes: {'; '.join(changes)}. "
        "Nothing was loaded: give the file a new version (for example a new 'version:' line) and load that."
    )


def load_framework(path: Path, source: LoadSource = LoadSource.COMMAND) -> LoadResult:
    """Create or update the framework version described by a file.

    Wording fixes (typos, clearer guidance, references) update a version in place. Other changes
    are refused once answers depend on them (see `_check_change`): publish a new version instead, so
    every answer and score keeps meaning what it meant. An automatic load never replaces the text a
    command loaded.
    """
    raw = path.read_bytes()
    file_sha256 = hashlib.sha256(raw).hexdigest()
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
    elif source == LoadSource.AUTOMATIC and version.source == LoadSource.COMMAND:
        return LoadResult(version, "kept", file_sha256)
    elif version.checksum == digest:
        version.source = source  # a command re-loading the same text claims it
        return LoadResult(version, "unchanged", file_sha256)
    else:
        _check_change(version, definition)
        action = "updated"
    version.title, version.document, version.checksum = definition.title, document, digest
    version.source, version.loaded_at = source, utcnow()
    db.session.flush()
    _sync_indicators(version, definition)
    return LoadResult(version, action, file_sha256)


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
    """Countries and the shipped framework are always present; a stored version is returned as it is.

    Pages and demo data call this, so it never reloads the file over a stored version (start-up
    refreshes the shipped file through the administration services, audited).
    """
    ensure_countries()
    framework_id, version_name = _shipped_identity(default_framework_path())
    version = db.session.scalar(
        sa.select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework_id, FrameworkVersion.version == version_name
        )
    )
    return version or load_framework(default_framework_path(), LoadSource.AUTOMATIC).version


def _shipped_identity(path: Path) -> tuple[str, str]:
    """The framework id and version a file declares (parsed once per file content)."""
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _IDENTITIES:
        definition = parse_framework(load_document(path))
        _IDENTITIES[key] = (definition.framework_id, definition.version)
    return _IDENTITIES[key]


def indicator_ids(version_id: int, codes: list[str] | None = None) -> dict[str, int]:
    """Map indicator codes to row ids for one framework version."""
    query = sa.select(Indicator.code, Indicator.id).where(Indicator.framework_version_id == version_id)
    if codes is not None:
        query = query.where(Indicator.code.in_(codes))
    return dict(db.session.execute(query).all())
