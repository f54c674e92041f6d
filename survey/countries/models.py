"""Countries (ISO 3166-1); names come from CLDR in the reader's language."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import Model


class Country(Model):
    """A UN member or observer state, keyed by its ISO 3166-1 codes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    alpha2: Mapped[str] = mapped_column(sa.String(2), unique=True)
    alpha3: Mapped[str] = mapped_column(sa.String(3), unique=True)
    numeric: Mapped[str] = mapped_column(sa.String(3))
