"""Attaching, listing, sharing and removing evidence files; the view commits."""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app, g

from survey.assessments import signals
from survey.assessments.models import Assessment
from survey.audit.services import record
from survey.evidence import scan, sniff
from survey.evidence.models import EvidenceFile
from survey.evidence.storage import storage
from survey.extensions import db, run_core
from survey.frameworks.models import Indicator
from survey.publication.rules import Visibility

MAX_NAME = 200


class Refused(Exception):
    """An upload that is not stored: `reason` says why (a key of `survey.evidence.labels.REFUSALS`)."""

    def __init__(self, reason: str, status: int):
        """Name the reason and the HTTP status to answer with."""
        super().__init__(reason)
        self.reason, self.status = reason, status


def max_bytes() -> int:
    """The largest evidence file accepted, in bytes (EVIDENCE_MAX_BYTES, 20 MB by default)."""
    return int(current_app.config.get("EVIDENCE_MAX_BYTES") or 20 * 1024 * 1024)


def clean_name(name: str | None) -> str:
    """The file name as sent, refused (Refused) when it holds a path, control characters or nothing."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name or name in {".", ".."}:
        raise Refused("no_file", 400)
    if len(name) > MAX_NAME or any(c in "/\\" or unicodedata.category(c).startswith("C") for c in name):
        raise Refused("bad_name", 422)
    return name


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _digest(stream: IO[bytes]) -> str:
    stream.seek(0)
    # Uploads are spooled or in-memory files, which have readinto(); typing.IO does not declare it.
    digest = hashlib.file_digest(stream, "sha256").hexdigest()  # type: ignore[arg-type]
    stream.seek(0)
    return digest


def attach(
    assessment: Assessment, indicator: Indicator, name: str | None, stream: IO[bytes], user: Any
) -> EvidenceFile:
    """Check, scan and store an uploaded file for this indicator, or raise Refused (nothing stored)."""
    filename = clean_name(name)
    size = _size(stream)
    if size == 0:
        raise Refused("empty", 422)
    if size > max_bytes():
        raise Refused("too_large", 413)
    kind = sniff.kind_of(stream)
    if kind is None:
        raise Refused("bad_type", 415)
    try:
        verdict = scan.scan(stream)
    except scan.Infected as infected:
        raise Refused("infected", 422) from infected
    except scan.ScannerUnavailable as down:
        raise Refused("scanner_down", 503) from down
    digest = _digest(stream)
    storage().put(digest, stream)
    file = EvidenceFile(
        assessment=assessment,
        indicator=indicator,
        digest=digest,
        filename=filename,
        kind=kind,
        size=size,
        scan=verdict,
        uploaded_by_id=user.id,
    )
    db.session.add(file)
    g.pop("filed_indicators", None)
    db.session.flush()
    record(
        "evidence.upload",
        country_id=assessment.country_id,
        assessment_id=assessment.id,
        indicator_code=indicator.code,
        new_value={"file": filename, "kind": kind, "size": size, "scan": verdict, "sha256": digest},
    )
    return file


def remove(file: EvidenceFile) -> None:
    """Delete the file's row, and its bytes when no other row shares them."""
    record(
        "evidence.delete",
        country_id=file.assessment.country_id,
        assessment_id=file.assessment_id,
        indicator_code=file.indicator.code,
        old_value={"file": file.filename, "sha256": file.digest},
    )
    digest = file.digest
    db.session.delete(file)
    g.pop("filed_indicators", None)
    db.session.flush()
    if not db.session.scalar(sa.select(sa.func.count()).where(EvidenceFile.digest == digest)):
        storage().delete(digest)


def share(file: EvidenceFile, public: bool) -> None:
    """Mark the file public (readable by all once the results are released publicly) or not."""
    if file.is_public == public:
        return
    record(
        "evidence.share",
        country_id=file.assessment.country_id,
        assessment_id=file.assessment_id,
        indicator_code=file.indicator.code,
        old_value={"file": file.filename, "public": file.is_public},
        new_value={"file": file.filename, "public": public},
    )
    file.is_public = public


_file = EvidenceFile.__table__
# Most assessments have no file yet: a pillar page asks this cheap question first.
HAS_FILES = sa.select(sa.exists().where(_file.c.assessment_id == sa.bindparam("assessment_id")))


def files_by_code(assessment: Assessment, indicator_code: str | None = None) -> dict[str, list[EvidenceFile]]:
    """The assessment's files keyed by indicator code, oldest first (for one indicator, or all)."""
    if not run_core(HAS_FILES, {"assessment_id": assessment.id}).scalar():
        return {}
    query = (
        sa.select(EvidenceFile)
        .join(Indicator, EvidenceFile.indicator_id == Indicator.id)
        .where(EvidenceFile.assessment_id == assessment.id)
        .order_by(EvidenceFile.id)
    )
    if indicator_code is not None:
        query = query.where(Indicator.code == indicator_code)
    files: dict[str, list[EvidenceFile]] = defaultdict(list)
    for file in db.session.scalars(query):
        files[file.indicator.code].append(file)
    return dict(files)


@signals.filed_evidence.answer
def filed_indicator_ids(assessment_id: int) -> frozenset[int]:
    """Ids of the indicators of this assessment with at least one file (a file counts as evidence).

    Asked once per answer on the validation page: one query per assessment and request, forgotten
    when this request attaches or removes a file.
    """
    known: dict[int, frozenset[int]] = g.setdefault("filed_indicators", {})
    if assessment_id not in known:
        known[assessment_id] = frozenset(
            db.session.scalars(
                sa.select(EvidenceFile.indicator_id).where(EvidenceFile.assessment_id == assessment_id).distinct()
            )
        )
    return known[assessment_id]


def listed_in_open_data() -> sa.ColumnElement[bool]:
    """Files open data names (on a query joined to Assessment).

    Every file of a release to donors (with its public flag), only those marked public of a public release.
    """
    return sa.or_(EvidenceFile.is_public.is_(True), Assessment.visibility != Visibility.PUBLIC)


@signals.carried.connect
def carry_files(assessment: Assessment, *, source: Assessment, indicators: dict[int, int], user: Any) -> None:
    """Files of last cycle's carried answers come along: new rows naming the same stored bytes, nothing copied."""
    if not indicators:
        return
    files = db.session.scalars(
        sa.select(EvidenceFile)
        .where(EvidenceFile.assessment_id == source.id, EvidenceFile.indicator_id.in_(list(indicators)))
        .order_by(EvidenceFile.id)
    ).all()
    db.session.add_all(
        EvidenceFile(
            assessment_id=assessment.id,
            indicator_id=indicators[file.indicator_id],
            digest=file.digest,
            filename=file.filename,
            kind=file.kind,
            size=file.size,
            scan=file.scan,
            uploaded_by_id=file.uploaded_by_id,
            uploaded_at=file.uploaded_at,
        )
        for file in files
    )
    g.pop("filed_indicators", None)
