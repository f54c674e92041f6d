"""Loading regions into the database and reading their members. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from survey.extensions import db
from survey.regions.definition import DATA_FILE, Period, members_in, read_regions_file
from survey.regions.models import Membership, Region


@dataclass(frozen=True)
class RegionInfo:
    """A region with its membership periods, detached from the session."""

    code: str
    short_name: str
    name: str
    map_scope: str
    source_url: str
    periods: tuple[Period, ...]

    def members(self, year: int) -> list[str]:
        """Alpha-2 codes of the members in a cycle year (see definition.reference_date)."""
        return members_in(self.periods, year)

    @property
    def title(self) -> str:
        """The region's name in the reader's language."""
        return _(self.name)

    @property
    def short_title(self) -> str:
        """The region's short name in the reader's language."""
        return _(self.short_name)


def load_regions(path: Path = DATA_FILE) -> tuple[int, int]:
    """Create or update every region of the file and replace its members; return the counts."""
    definitions, _digest = read_regions_file(path)
    existing = {r.code: r for r in db.session.scalars(sa.select(Region))}
    for position, item in enumerate(definitions):
        region = existing.get(item.code) or Region(code=item.code)
        region.short_name, region.name, region.parent_code = item.short_name, item.name, item.parent
        region.map_scope, region.source_url, region.position = item.map_scope, item.source, position
        db.session.add(region)
    db.session.flush()
    ids = dict(db.session.execute(sa.select(Region.code, Region.id)).all())
    db.session.execute(sa.delete(Membership).where(Membership.region_id.in_([ids[item.code] for item in definitions])))
    rows = [
        {"region_id": ids[item.code], "country_code": p.country, "joined": p.joined, "left": p.left}
        for item in definitions
        for p in item.periods
    ]
    db.session.execute(sa.insert(Membership), rows)
    db.session.flush()
    return len(definitions), len(rows)


def ensure_regions() -> None:
    """Load the shipped regions file into a database that has no regions yet."""
    if not db.session.scalar(sa.select(sa.func.count(Region.id))):
        load_regions()


def _info(region: Region, periods: list[Period]) -> RegionInfo:
    return RegionInfo(
        region.code,
        region.short_name,
        region.name,
        region.map_scope,
        region.source_url,
        tuple(periods),
    )


def all_regions() -> list[RegionInfo]:
    """Every region with its members, in file order, in two queries."""
    regions = list(db.session.scalars(sa.select(Region).order_by(Region.position)))
    periods: dict[int, list[Period]] = {}
    for row in db.session.execute(
        sa.select(Membership.region_id, Membership.country_code, Membership.joined, Membership.left)
    ):
        periods.setdefault(row.region_id, []).append(Period(row.country_code, row.joined, row.left))
    return [_info(r, periods.get(r.id, [])) for r in regions]


def get_region(code: str) -> RegionInfo | None:
    """One region with its membership periods, or None, in one query."""
    rows = db.session.execute(
        sa.select(Region, Membership.country_code, Membership.joined, Membership.left)
        .join(Membership, Membership.region_id == Region.id, isouter=True)
        .where(Region.code == code)
    ).all()
    if not rows:
        return None
    periods = [Period(r.country_code, r.joined, r.left) for r in rows if r.country_code]
    return _info(rows[0][0], periods)


def regions_of_country(alpha2: str) -> list[RegionInfo]:
    """Every region the country ever belonged to, with all members (for regional medians)."""
    codes = db.session.scalars(
        sa.select(Region.code).join(Membership).where(Membership.country_code == alpha2).distinct()
    )
    wanted = set(codes)
    return [r for r in all_regions() if r.code in wanted]
