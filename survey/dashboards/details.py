"""Facts and evidence per indicator of assessments already filtered by the release rule, for exports and the API.

Callers pass the ids of assessments they read through `released_condition`; each function is one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from survey.assessments.models import Answer, Assessment
from survey.evidence.models import EvidenceFile
from survey.evidence.services import listed_in_open_data
from survey.extensions import db
from survey.frameworks.models import Indicator
from survey.publication.rules import Visibility
from survey.questions import COLUMNS, StoredAnswer, stored


@dataclass(frozen=True)
class FileRef:
    """An evidence file as open data names it: its name, whether the country marked it public, where to get it."""

    name: str
    public: bool
    url: str | None  # only for files anyone may download (public, in a public release)


@dataclass(frozen=True)
class Evidence:
    """An indicator's evidence: the web addresses the country gave and its files."""

    links: tuple[str, ...] = ()
    files: tuple[FileRef, ...] = ()


def fact_answers_of(assessment_ids: list[int]) -> dict[int, dict[str, StoredAnswer]]:
    """Fact answers per assessment id and indicator code."""
    rows = db.session.execute(
        sa.select(Answer.assessment_id, Indicator.code, Answer.state, *(getattr(Answer, c) for c in COLUMNS))
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id.in_(assessment_ids), Indicator.kind == "fact")
    )
    found: dict[int, dict[str, StoredAnswer]] = defaultdict(dict)
    for row in rows:
        found[row.assessment_id][row.code] = stored(row)
    return dict(found)


def web_links(text: str | None) -> tuple[str, ...]:
    """The http(s) addresses of an answer's evidence links (one per line)."""
    return tuple(url for url in (text or "").split() if url.startswith(("https://", "http://")))


def evidence_of(assessment_ids: list[int]) -> dict[int, dict[str, Evidence]]:
    """Evidence per assessment id and indicator code (indicators without any are left out): two queries."""
    links: dict[tuple[int, str], tuple[str, ...]] = {}
    for assessment_id, code, text in db.session.execute(
        sa.select(Answer.assessment_id, Indicator.code, Answer.evidence_urls)
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(Answer.assessment_id.in_(assessment_ids), Answer.evidence_urls != "")
    ):
        if given := web_links(text):
            links[(assessment_id, code)] = given
    files: dict[tuple[int, str], list[FileRef]] = defaultdict(list)
    for row in db.session.execute(
        sa.select(
            EvidenceFile.id,
            EvidenceFile.assessment_id,
            EvidenceFile.filename,
            EvidenceFile.is_public,
            Indicator.code,
            Assessment.visibility,
        )
        .join(Indicator, EvidenceFile.indicator_id == Indicator.id)
        .join(Assessment, EvidenceFile.assessment_id == Assessment.id)
        .where(EvidenceFile.assessment_id.in_(assessment_ids), listed_in_open_data())
        .order_by(EvidenceFile.filename, EvidenceFile.id)
    ):
        # Anyone may download a public file of a public release (`EvidenceFile.is_shared`); others stay named only.
        shared = row.is_public and row.visibility == Visibility.PUBLIC
        url = url_for("evidence.download", file_id=row.id, _external=True) if shared else None
        files[(row.assessment_id, row.code)].append(FileRef(row.filename, row.is_public, url))
    found: dict[int, dict[str, Evidence]] = defaultdict(dict)
    for key in sorted(links.keys() | files.keys()):
        found[key[0]][key[1]] = Evidence(links.get(key, ()), tuple(files.get(key, ())))
    return dict(found)
