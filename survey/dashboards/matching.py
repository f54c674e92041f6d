"""Actions a country requested from donors, against the planned or running projects that cover them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from survey.assessments.models import Assessment
from survey.plans.models import Action, Funding
from survey.projects import services as project_services
from survey.projects.services import ProjectRef


def requested(actions: Iterable[Action]) -> list[Action]:
    """The actions requested from donors that answer an indicator (only those a project can cover)."""
    return [a for a in actions if a.funding == Funding.DONORS and a.indicator_code]


def covers(
    actions: Iterable[Action], alpha2: str, by_gap: Mapping[tuple[str, str], Sequence[ProjectRef]]
) -> dict[int, list[ProjectRef]]:
    """Per action id requested from donors, the projects on its indicator in the country (none: left out)."""
    return {
        a.id: list(by_gap[(alpha2, a.indicator_code)])
        for a in requested(actions)
        if a.indicator_code and (alpha2, a.indicator_code) in by_gap
    }


def plan_covers(viewer: Any, assessment: Assessment, actions: Sequence[Action]) -> dict[int, list[ProjectRef]]:
    """Projects the viewer may read that cover each action of the plan requested from donors (one query, if any)."""
    if not requested(actions):
        return {}
    alpha2 = assessment.country.alpha2
    definition = assessment.framework_version.definition
    return covers(actions, alpha2, project_services.funding(viewer, [alpha2], definition).by_gap)
