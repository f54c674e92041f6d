"""The evidence file table: one uploaded document supporting one indicator's answer."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.assessments.models import Assessment
from survey.extensions import Model
from survey.frameworks.models import Indicator
from survey.models import utcnow
from survey.publication.rules import Visibility, is_released


class EvidenceFile(Model):
    """A document an official attached to an indicator of an assessment; its bytes live in the storage."""

    __table_args__ = (sa.Index("ix_evidence_file_assessment_indicator", "assessment_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Keyed to the assessment and indicator (not the answer row): a file may come before the answer.
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id"))
    digest: Mapped[str] = mapped_column(sa.String(64), index=True)  # SHA-256 of the content: its storage key
    filename: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(8))  # a key of `survey.evidence.sniff.MEDIA_TYPES`
    size: Mapped[int] = mapped_column(sa.Integer)
    scan: Mapped[str] = mapped_column(sa.String(16))  # clean | not_scanned
    is_public: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    assessment: Mapped[Assessment] = relationship(lazy="joined")
    indicator: Mapped[Indicator] = relationship(lazy="joined")
    uploaded_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def is_shared(self) -> bool:
        """Readable by anyone: marked public by the country, and the results released publicly."""
        return self.is_public and is_released(self.assessment) and self.assessment.visibility == Visibility.PUBLIC
