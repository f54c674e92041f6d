"""Regions as data: accurate member counts, membership by cycle year, idempotent loading."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from survey.extensions import db
from survey.regions.definition import DATA_FILE, RegionsError, parse_regions, read_regions_file
from survey.regions.services import get_region, load_regions


def region(code: str):
    return get_region(code)


@pytest.mark.parametrize(
    ("code", "year", "count"),
    [
        ("ecowas", 2024, 15),
        ("ecowas", 2025, 12),
        ("ecowas", 2026, 12),
        ("au", 2026, 55),
        ("commonwealth", 2026, 56),
        ("commonwealth", 2021, 54),
        ("sadc", 2026, 16),
        ("eac", 2026, 8),
        ("eac", 2023, 7),
        ("caricom", 2026, 15),
        ("pif", 2026, 18),
        ("commonwealth-africa", 2026, 21),
        ("commonwealth-asia", 2026, 8),
        ("commonwealth-caribbean-americas", 2026, 13),
        ("commonwealth-europe", 2026, 3),
        ("commonwealth-pacific", 2026, 11),
    ],
)
def test_member_counts_match_the_organisations_lists(app, code, year, count):
    assert len(region(code).members(year)) == count


def test_sahel_states_leave_ecowas_in_2025_but_stay_in_the_african_union(app):
    for country in ("BF", "ML", "NE"):
        assert country in region("ecowas").members(2024)
        assert country not in region("ecowas").members(2025)
        assert country in region("au").members(2026)


def test_rejoining_members_count_only_while_members(app):
    commonwealth = region("commonwealth")
    assert "GM" not in commonwealth.members(2015) and "GM" in commonwealth.members(2019)
    assert "RW" in commonwealth.members(2010) and "RW" not in commonwealth.members(2009)
    assert "TG" in commonwealth.members(2023) and "TG" not in commonwealth.members(2021)


def test_loading_the_file_twice_changes_nothing(app):
    before = db.session.execute(sa.text("select count(*) from membership")).scalar()
    load_regions()
    load_regions()
    assert db.session.execute(sa.text("select count(*) from membership")).scalar() == before


def test_cli_loads_an_updated_file(app, tmp_path):
    text = DATA_FILE.read_text(encoding="utf-8").replace("      - TG\n", "      - TG\n      - MR\n", 1)
    updated = tmp_path / "regions.yaml"
    updated.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["regions", "load", str(updated)])
    assert result.exit_code == 0, result.output
    assert "MR" in region("ecowas").members(2026)


@pytest.mark.parametrize(
    "document",
    [
        {"regions": [{"code": "x", "short_name": "X", "name": "X", "source": "u", "members": ["XYZ"]}]},
        {
            "regions": [
                {
                    "code": "x",
                    "short_name": "X",
                    "name": "X",
                    "source": "u",
                    "members": [{"country": "GH", "joined": "2020-01-01", "left": "2019-01-01"}],
                }
            ]
        },
        {
            "regions": [
                {
                    "code": "x",
                    "short_name": "X",
                    "name": "X",
                    "source": "u",
                    "members": ["GH"],
                    "map_scope": "mars",
                }
            ]
        },
        {"nothing": 1},
    ],
)
def test_malformed_region_files_are_refused_with_a_reason(document):
    with pytest.raises(RegionsError):
        parse_regions(document)


def test_every_region_names_its_official_source():
    regions, _ = read_regions_file()
    assert all(r.source.startswith("https://") for r in regions)
