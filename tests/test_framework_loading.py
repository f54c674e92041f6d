"""Framework versions that cannot change under results: what a reload may change, its audit, and start-up."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from survey.assessments import cycles, services
from survey.audit.models import AuditEvent
from survey.audit.services import COMMAND_LINE
from survey.extensions import db
from survey.frameworks.definition import default_framework_path
from survey.frameworks.models import FrameworkVersion, LoadSource
from tests.factories import make_user

SHIPPED = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))


def write(data: dict, path: Path) -> Path:
    """A framework file holding this document."""
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def stored(version: str = "2026.1") -> FrameworkVersion:
    return db.session.scalars(sa.select(FrameworkVersion).where(FrameworkVersion.version == version)).one()


def last_load() -> AuditEvent:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "framework.load").order_by(AuditEvent.id.desc())
    ).first()


def test_reloading_2026_1_with_a_new_pillar_weight_is_refused_and_audited(app, demo, tmp_path):
    data = copy.deepcopy(SHIPPED)
    data["pillars"][0]["weight"] = 1.5
    edited = write(data, tmp_path / "edited.yaml")
    result = app.test_cli_runner().invoke(args=["framework", "load", str(edited)])
    assert result.exit_code != 0
    assert "pillar legal weight 1 → 1.5" in result.output
    assert "submitted assessments" in result.output and "new version" in result.output
    assert stored().definition.known_pillar("legal").weight == 1
    event = last_load()
    assert event.outcome == "refused" and event.username == COMMAND_LINE.username
    assert hashlib.sha256(edited.read_bytes()).hexdigest() in event.detail
    assert "pillar legal weight 1 → 1.5" in event.detail


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            lambda d: d["pillars"][0]["indicators"][0].update(weight=3),
            "indicator legal.substantive_offences weight 2 → 3",
        ),
        (lambda d: d["pillars"][0]["indicators"].pop(0), "indicator legal.substantive_offences removed"),
        (
            lambda d: d["pillars"][0]["indicators"].append(
                {**next(i for i in d["pillars"][0]["indicators"] if i["kind"] == "fact"), "id": "legal.new_fact"}
            ),
            "indicator legal.new_fact added",
        ),
        (lambda d: d["pillars"].append({**d["pillars"][1], "id": "extra", "indicators": []}), "pillar"),
        (lambda d: d["pillars"].insert(0, d["pillars"].pop(1)), "pillars reordered"),
        (
            lambda d: next(i for i in d["pillars"][7]["indicators"] if i.get("unit") == "officers").update(
                unit="people"
            ),
            "unit officers → people",
        ),
    ],
)
def test_a_version_with_results_refuses_every_change_beyond_wording(app, demo, tmp_path, change, named):
    data = copy.deepcopy(SHIPPED)
    change(data)
    result = app.test_cli_runner().invoke(args=["framework", "load", str(write(data, tmp_path / "edited.yaml"))])
    assert result.exit_code != 0 and named in result.output, result.output


def test_a_typo_fix_to_a_version_with_results_is_accepted_audited_and_shown(app, demo, client, tmp_path):
    data = copy.deepcopy(SHIPPED)
    indicator = data["pillars"][0]["indicators"][0]
    indicator["question"] = "To what extent does national law make core attacks on computer systems offences (fixed)?"
    indicator["levels"][5] = "Offences are reviewed every year (fixed wording)."
    indicator["references"][0]["provision"] = "Articles 2-6 (fixed)"
    edited = write(data, tmp_path / "typo.yaml")
    result = app.test_cli_runner().invoke(args=["framework", "load", str(edited)])
    assert result.exit_code == 0 and "cyberready 2026.1: updated" in result.output
    event = last_load()
    assert event.outcome == "ok" and hashlib.sha256(edited.read_bytes()).hexdigest() in event.detail
    assert stored().source == LoadSource.COMMAND
    page = client.get(f"/framework/{stored().id}").get_data(as_text=True)
    assert "core attacks on computer systems offences (fixed)?" in page
    assert "Offences are reviewed every year (fixed wording)." in page


def test_a_version_with_drafts_only_changes_weights_but_keeps_its_answered_indicators(app, tmp_path):
    version = stored()
    coordinator = make_user("gh-coord", ["coordinator"], "GH")
    cycles.open_cycle(2026, version, COMMAND_LINE)
    assessment = services.start_assessment(coordinator, services.current_cycle())
    services.save_answers(
        assessment, {"legal.substantive_offences": services.AnswerValues("level", level=2)}, coordinator
    )
    db.session.commit()
    runner = app.test_cli_runner()
    data = copy.deepcopy(SHIPPED)
    data["pillars"][0]["weight"] = 2
    assert "updated" in runner.invoke(args=["framework", "load", str(write(data, tmp_path / "a.yaml"))]).output
    assert stored().definition.known_pillar("legal").weight == 2

    data["pillars"][0]["indicators"].pop(0)
    result = runner.invoke(args=["framework", "load", str(write(data, tmp_path / "b.yaml"))])
    assert result.exit_code != 0 and "draft answers to legal.substantive_offences" in result.output
    assert stored().definition.indicator("legal.substantive_offences") is not None

    data = copy.deepcopy(SHIPPED)
    data["pillars"][0]["indicators"].pop(1)  # nobody answered it yet
    assert "updated" in runner.invoke(args=["framework", "load", str(write(data, tmp_path / "c.yaml"))]).output
    assert stored().definition.indicator(SHIPPED["pillars"][0]["indicators"][1]["id"]) is None


def test_development_start_up_refreshes_its_own_load_but_leaves_a_command_loaded_edit_alone(
    make_app, tmp_path, monkeypatch
):
    first = make_app(config=None)  # the first start loads the shipped file and the demo
    with first.app_context():
        assert stored().source == LoadSource.AUTOMATIC
        db.engine.dispose()

    shipped_fix = copy.deepcopy(SHIPPED)
    shipped_fix["pillars"][0]["indicators"][0]["guidance"] = "Guidance fixed in the shipped file."
    monkeypatch.setattr("survey.admin.services.default_framework_path", lambda: write(shipped_fix, tmp_path / "s.yaml"))
    with make_app(config=None).app_context():  # a restart picks up a wording fix of the shipped file
        assert stored().definition.known_indicator("legal.substantive_offences").guidance.endswith("shipped file.")
        command_edit = copy.deepcopy(SHIPPED)
        command_edit["pillars"][0]["indicators"][0]["guidance"] = "Guidance an administrator loaded."
        path = write(command_edit, tmp_path / "admin.yaml")
        assert "updated" in first.test_cli_runner().invoke(args=["framework", "load", str(path)]).output
        db.engine.dispose()

    shipped_fix["pillars"][0]["indicators"][0]["guidance"] = "Another shipped fix."
    with make_app(config=None).app_context():
        version = stored()
        assert version.source == LoadSource.COMMAND
        assert version.definition.known_indicator("legal.substantive_offences").guidance == (
            "Guidance an administrator loaded."
        )
        db.engine.dispose()
