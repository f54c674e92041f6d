"""The regions file as plain data, and the rule that says who is a member in a cycle year."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where PyYAML has it: ten times faster

DATA_FILE = Path(__file__).parent / "data" / "regions.yaml"
MAP_SCOPES = ("africa", "world")


class RegionsError(ValueError):
    """A regions file that does not follow the format described at its top."""


@dataclass(frozen=True)
class Period:
    """A country's membership from `joined` (None: before records) to `left` (None: still)."""

    country: str
    joined: date | None = None
    left: date | None = None


@dataclass(frozen=True)
class RegionDef:
    """One region as written in the file."""

    code: str
    short_name: str
    name: str
    map_scope: str
    source: str
    parent: str | None
    periods: tuple[Period, ...]


def reference_date(year: int) -> date:
    """The day membership is read for a cycle year: 1 July, the middle of the year."""
    return date(year, 7, 1)


def is_member(period: Period, year: int) -> bool:
    """Whether this period covers the reference date of the cycle year."""
    day = reference_date(year)
    return (period.joined is None or period.joined <= day) and (period.left is None or period.left > day)


def members_in(periods: Iterable[Period], year: int) -> list[str]:
    """Sorted alpha-2 codes of the members in a cycle year."""
    return sorted({p.country for p in periods if is_member(p, year)})


def _date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise RegionsError(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD)") from error


def _period(raw: Any, where: str) -> Period:
    if isinstance(raw, str):
        raw = {"country": raw}
    if not isinstance(raw, dict):
        raise RegionsError(f"{where}: a member is a country code or a mapping with 'country'")
    code = str(raw.get("country", "")).strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise RegionsError(f"{where}: {code!r} is not an ISO 3166-1 alpha-2 code")
    period = Period(code, _date(raw.get("joined"), f"{where} {code}"), _date(raw.get("left"), f"{where} {code}"))
    if period.joined and period.left and period.left <= period.joined:
        raise RegionsError(f"{where} {code}: 'left' must come after 'joined'")
    return period


def _region(raw: Any) -> RegionDef:
    if not isinstance(raw, dict) or not str(raw.get("code", "")).strip():
        raise RegionsError("every region needs a 'code'")
    code = str(raw["code"]).strip()
    for key in ("short_name", "name", "source"):
        if not str(raw.get(key, "")).strip():
            raise RegionsError(f"region {code}: '{key}' is required")
    scope = raw.get("map_scope", "world")
    if scope not in MAP_SCOPES:
        raise RegionsError(f"region {code}: 'map_scope' must be one of {', '.join(MAP_SCOPES)}")
    periods = tuple(_period(item, f"region {code}") for item in raw.get("members") or [])
    if not periods:
        raise RegionsError(f"region {code}: at least one member is required")
    return RegionDef(
        code,
        str(raw["short_name"]).strip(),
        str(raw["name"]).strip(),
        scope,
        str(raw["source"]).strip(),
        raw.get("parent"),
        periods,
    )


def parse_regions(document: Any) -> list[RegionDef]:
    """Validate a regions document and return its regions in file order."""
    if not isinstance(document, dict) or not isinstance(document.get("regions"), list):
        raise RegionsError("the regions file must hold a mapping with a 'regions' list")
    regions = [_region(raw) for raw in document["regions"]]
    codes = [r.code for r in regions]
    if len(set(codes)) != len(codes):
        raise RegionsError("region codes must be unique")
    return regions


def read_regions_file(path: Path = DATA_FILE) -> tuple[list[RegionDef], str]:
    """Parse a regions file; also return a checksum of its content."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        raise RegionsError(f"{path.name}: not valid YAML ({error})") from error
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()
    return parse_regions(document), digest
