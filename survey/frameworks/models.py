"""Framework versions and their indicators as stored rows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import Model
from survey.frameworks.definition import FrameworkDef, parse_framework
from survey.models import utcnow

_PARSED: dict[tuple[int, str], FrameworkDef] = {}


class LoadSource(StrEnum):
    """Who loaded a version's current text: start-up may refresh its own loads, never a command's."""

    COMMAND = "command"  # `flask framework load`: an administrator chose this file
    AUTOMATIC = "automatic"  # the shipped file, loaded by `flask setup` or the development start-up


class FrameworkVersion(Model):
    """One version of a framework; answers always belong to exactly one version."""

    __table_args__ = (sa.UniqueConstraint("framework_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))
    # Deferred: pages use the cached parsed definition, not the raw document.
    document: Mapped[dict] = mapped_column(sa.JSON, deferred=True)
    checksum: Mapped[str] = mapped_column(sa.String(64))
    loaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Versions loaded before sources were recorded count as loaded by command: never overwritten.
    source: Mapped[str] = mapped_column(sa.String(16), default=LoadSource.AUTOMATIC, server_default="command")

    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="framework_version", order_by="Indicator.position", lazy="raise"
    )

    @property
    def label(self) -> str:
        """Framework id and version, e.g. 'cyberready 2026.1' (an identifier, for data files)."""
        return f"{self.framework_id} {self.version}"

    @property
    def display_name(self) -> str:
        """The framework's title in the reader's language and its version, for pages and charts."""
        return f"{gettext(self.title)} {self.version}"

    @property
    def definition(self) -> FrameworkDef:
        """The parsed definition, cached per version and content."""
        key = (self.id, self.checksum)
        if key not in _PARSED:
            _PARSED[key] = parse_framework(self.document)
        return _PARSED[key]


class Indicator(Model):
    """A row per indicator so answers reference exactly one framework version."""

    __table_args__ = (sa.UniqueConstraint("framework_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("framework_version.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(120))
    pillar_code: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16))
    fact_type: Mapped[str | None] = mapped_column(sa.String(16))
    weight: Mapped[float] = mapped_column(sa.Float)
    position: Mapped[int] = mapped_column(sa.Integer)

    framework_version: Mapped[FrameworkVersion] = relationship(back_populates="indicators")
