"""Shared column helpers for the feature models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware now, used as a callable column default."""
    return datetime.now(UTC)
