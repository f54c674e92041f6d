"""Loading the reference list of countries."""

from pathlib import Path

import sqlalchemy as sa

from survey.countries.models import Country
from survey.extensions import db

UN_STATES_FILE = Path(__file__).parent / "un_states.txt"


def read_un_states() -> list[tuple[str, str, str]]:
    """(alpha2, alpha3, numeric) of every UN member and observer state."""
    rows = []
    for line in UN_STATES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            alpha2, alpha3, numeric = line.split()
            rows.append((alpha2, alpha3, numeric))
    return rows


def ensure_countries() -> int:
    """Insert the countries that are missing; return how many were added."""
    existing = set(db.session.scalars(sa.select(Country.alpha2)))
    new = [Country(alpha2=a2, alpha3=a3, numeric=num) for a2, a3, num in read_un_states() if a2 not in existing]
    db.session.add_all(new)
    db.session.flush()
    return len(new)


def country_by_code(alpha2: str) -> Country | None:
    """The country with this ISO alpha-2 code."""
    return db.session.scalar(sa.select(Country).where(Country.alpha2 == alpha2.upper()))


def all_countries() -> list[Country]:
    """Every country row."""
    return list(db.session.scalars(sa.select(Country)))
