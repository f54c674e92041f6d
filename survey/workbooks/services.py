"""Workbook use cases: make one, keep an upload until it is confirmed, preview its changes, apply them."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from survey.accounts.models import User
from survey.assessments import services
from survey.assessments.models import Answer, Assessment
from survey.assessments.services import AnswerValues
from survey.extensions import db
from survey.frameworks.definition import IndicatorDef, PillarDef
from survey.frameworks.models import FrameworkVersion
from survey.permissions import Permission, can
from survey.workbooks.build import build_workbook
from survey.workbooks.layout import Manifest
from survey.workbooks.read import ReadWorkbook

TOKEN = re.compile(r"[0-9a-f]{64}")
# Uploads wait for confirmation at most this long, and at most this many at once.
KEEP_SECONDS = 24 * 3600
KEEP_FILES = 200


def workbook_pillars(user: User, assessment: Assessment) -> list[PillarDef]:
    """The pillars the user may answer: every pillar for a coordinator, the assigned ones for a contributor."""
    definition = assessment.framework_version.definition
    return [p for p in definition.pillars if can(user, Permission.ASSESSMENT_WORKBOOK, assessment, pillar=p.code)]


def make_workbook(assessment: Assessment, pillars: list[PillarDef], locale: str, secret: str) -> bytes:
    """The workbook of these pillars with the current answers and their versions, signed."""
    answers = services.answers_by_code(assessment)
    codes = [i.code for p in pillars for i in p.indicators]
    manifest = Manifest(
        assessment=assessment.id,
        framework_version=assessment.framework_version_id,
        country=assessment.country.alpha2,
        locale=locale,
        sheets={},
        rows={},
        versions={code: answers[code].version if code in answers else 0 for code in codes},
        digests={code: services.answer_digest(answers.get(code)) for code in codes},
    )
    return build_workbook(pillars, answers, manifest, secret)


def blank_workbook(version: FrameworkVersion, locale: str) -> bytes:
    """The questionnaire of a framework version with no country and no answers, for preparation (unsigned)."""
    definition = version.definition
    manifest = Manifest(
        assessment=None,
        framework_version=version.id,
        country=None,
        locale=locale,
        sheets={},
        rows={},
        versions={},
        digests={},
    )
    return build_workbook(definition.pillars, {}, manifest, None)


def blank_filename(version: FrameworkVersion, locale: str) -> str:
    """'cyberready-questionnaire-2026.1-fr.xlsx'."""
    return f"{version.framework_id}-questionnaire-{version.version}-{locale}.xlsx"


def workbook_filename(assessment: Assessment) -> str:
    """'cyberready-SN-2026.xlsx'."""
    return f"cyberready-{assessment.country.alpha2}-{assessment.cycle.year}.xlsx"


@dataclass(frozen=True)
class Change:
    """One indicator the workbook changes: the value now on the server, the workbook's, and any conflict."""

    indicator: IndicatorDef
    pillar: PillarDef
    current: Answer | None
    workbook: AnswerValues
    conflict: bool  # someone saved it on the server after the workbook was downloaded
    version: int  # the version an apply builds on
    editable: bool  # the assessment's state lets the user change it now


def changes(user: User, assessment: Assessment, read: ReadWorkbook) -> list[Change]:
    """What applying the workbook would change, in questionnaire order; unchanged answers are left out."""
    manifest = read.manifest
    answers = services.answers_by_code(assessment)
    _load_editors(answers.values())
    definition = assessment.framework_version.definition
    found = []
    for pillar_code in manifest.sheets:
        pillar = definition.known_pillar(pillar_code)
        editable = services.editable_codes(user, assessment, pillar, answers)
        for indicator in pillar.indicators:
            value = read.values.get(indicator.code)
            if value is None or services.answer_digest(value) == manifest.digests.get(indicator.code):
                continue  # not touched in the workbook
            current = answers.get(indicator.code)
            if services.answer_digest(current) == services.answer_digest(value):
                continue  # the server already holds it
            now = current.version if current is not None else 0
            conflict = now != manifest.versions.get(indicator.code, 0)
            found.append(Change(indicator, pillar, current, value, conflict, now, indicator.code in editable))
    return found


def apply_changes(
    user: User, assessment: Assessment, read: ReadWorkbook, chosen: dict[str, int], filename: str, token: str
) -> int:
    """Save the chosen answers (code -> version seen in the preview) in one atomic save; callers commit.

    Raises EditConflict when an answer moved on since the preview, as the web form does.
    """
    values = {code: read.values[code] for code in chosen if code in read.values}
    detail = f"via workbook {filename[:200]} (sha256 {token})"
    return services.save_answers(assessment, values, user, {code: chosen[code] for code in values}, detail=detail)


class Uploads:
    """Uploaded workbooks waiting for confirmation, on disk under the instance folder, keyed by their hash."""

    def __init__(self, folder: Path):
        """Files live in `folder`, created on first use."""
        self.folder = folder

    def keep(self, data: bytes) -> str:
        """Store the file (dropping stale ones first) and return its hash, the preview's token."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._prune()
        token = hashlib.sha256(data).hexdigest()
        (self.folder / f"{token}.xlsx").write_bytes(data)
        return token

    def load(self, token: str) -> bytes | None:
        """The stored file, or None when the token is malformed or the file is gone."""
        if not TOKEN.fullmatch(token or ""):
            return None
        path = self.folder / f"{token}.xlsx"
        return path.read_bytes() if path.is_file() else None

    def discard(self, token: str) -> None:
        """Forget a file once applied or cancelled."""
        if TOKEN.fullmatch(token or ""):
            (self.folder / f"{token}.xlsx").unlink(missing_ok=True)

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.xlsx"), key=lambda path: path.stat().st_mtime)
        cutoff = time.time() - KEEP_SECONDS
        for number, path in enumerate(files):
            if path.stat().st_mtime < cutoff or len(files) - number >= KEEP_FILES:
                path.unlink(missing_ok=True)


def _load_editors(answers: Any) -> None:
    """Attach who last saved each answer (the preview names them on a conflict), in one query."""
    answers = list(answers)
    ids = {a.updated_by_id for a in answers if a.updated_by_id}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}
    for answer in answers:
        answer.editor = users.get(answer.updated_by_id)
