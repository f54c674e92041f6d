"""The framework file, its loader and the extraction of its texts for translators."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from survey.frameworks.definition import (
    FrameworkError,
    default_framework_path,
    load_document,
    parse_framework,
)

REQUIRED_PILLARS = ["legal", "strategy", "csirt", "justice", "reporting", "cooperation", "awareness", "resources"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def document() -> dict:
    return load_document(default_framework_path())


def test_shipped_framework_has_the_eight_pillars_with_five_indicators_each(document):
    definition = parse_framework(document)
    assert [p.code for p in definition.pillars][:8] == REQUIRED_PILLARS
    for pillar in definition.pillars:
        assert len(pillar.maturity_indicators) >= 5, pillar.code
        for indicator in pillar.maturity_indicators:
            assert sorted(indicator.levels) == [1, 2, 3, 4, 5]
            assert indicator.guidance and indicator.references and indicator.weight > 0


def test_framework_has_every_kind_of_fact(document):
    definition = parse_framework(document)
    kinds = {i.fact_type for i in definition.all_indicators() if not i.is_maturity}
    assert kinds == {"money", "count", "percent", "boolean", "date", "choice"}
    assert definition.indicator("resources.annual_budget").fact_type == "money"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["pillars"][0]["indicators"][0]["levels"].pop("5"), "levels 1 to 5"),
        (lambda d: d["pillars"][0]["indicators"][0]["references"].append({"instrument": "nope"}), "unknown instrument"),
        (lambda d: d["pillars"][1]["indicators"].append(copy.deepcopy(d["pillars"][1]["indicators"][0])), "duplicate"),
        (lambda d: d["pillars"][0]["indicators"][0].update(kind="essay"), "'kind'"),
        (lambda d: d["pillars"][0]["indicators"][0].update(weight=-1), "weight"),
    ],
)
def test_malformed_framework_is_refused_with_a_clear_reason(document, change, message):
    broken = copy.deepcopy(document)
    change(broken)
    with pytest.raises(FrameworkError, match=message):
        parse_framework(broken)


def test_cli_loads_updates_and_protects_a_version_with_answers(app, demo, tmp_path):
    runner = app.test_cli_runner()
    assert "unchanged" in runner.invoke(args=["framework", "load"]).output
    data = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    data["pillars"][0]["indicators"][0]["guidance"] = "Clearer guidance."
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "updated" in runner.invoke(args=["framework", "load", str(edited)]).output
    data["pillars"][0]["indicators"].pop(0)
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(args=["framework", "load", str(edited)])
    assert result.exit_code != 0 and "new version" in result.output
    data["version"] = "2027.1"
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "cyberready 2027.1: created" in runner.invoke(args=["framework", "load", str(edited)]).output


def test_extraction_finds_strings_of_every_template_and_of_the_framework(tmp_path, document):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    text = pot.read_text(encoding="utf-8")
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if "_(" in template.read_text(encoding="utf-8"):
            assert f"templates/{template.relative_to(ROOT / 'templates')}" in text, template
    definition = parse_framework(document)
    indicator = definition.indicator("legal.substantive_offences")
    assert f'msgid "{indicator.title}"' in text
    assert "survey/frameworks/data/cyberready-2026.yaml" in text
    assert "i18n: what a country at stage 'Dynamic' has" in text
