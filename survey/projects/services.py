"""Projects: checking, recording, editing and confirming them (each change audited), and reading them back.

Services only flush; the view commits. Who may read a project is `visible_condition`, built from the
rule book's answers (`can`), so lists, dashboards, exports and the API show the same projects.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.audit.services import record
from survey.countries.models import Country
from survey.extensions import db
from survey.frameworks.definition import FrameworkDef
from survey.frameworks.models import FrameworkVersion
from survey.models import utcnow
from survey.permissions import Permission, can
from survey.projects.models import (
    FUNDING_STATUSES,
    Project,
    ProjectCountry,
    ProjectStatus,
    ProjectTarget,
    ProjectVisibility,
)
from survey.questions.currencies import current_currencies
from survey.questions.numbers import NumberRule

MAX_TITLE = 200
MAX_NAME = 200
MAX_DONORS = 20
MAX_COUNTRIES = 60
MAX_TARGETS = 100
MAX_LINK = 500
MAX_NOTE = 1000
BUDGET_RULE = NumberRule(
    Decimal(0), Decimal(10**15), 2, _l("The budget must be an amount between %(min)s and %(max)s, never negative.")
)
# Characters that reorder text on screen: a link holding one can show an address it does not lead to.
BIDI_CONTROLS = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class ProjectValues:
    """What a project form or an import row gives, before it is stored."""

    title: str
    implementer: str
    donors: list[str]
    countries: list[str]  # ISO alpha-2 codes
    targets: list[str]  # pillar or indicator codes
    start_date: date
    end_date: date | None = None
    budget: Decimal | None = None
    currency: str | None = None
    status: str = ProjectStatus.PLANNED
    visibility: str = ProjectVisibility.PUBLIC
    link: str | None = None
    contact: str = ""
    problems: list[str] = field(default_factory=list)


def framework_codes() -> dict[str, str]:
    """Every pillar and indicator code of the loaded framework versions, with its English title."""
    codes: dict[str, str] = {}
    for version in db.session.scalars(sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc())):
        for pillar in version.definition.pillars:
            codes.setdefault(pillar.code, pillar.title)
            for indicator in pillar.indicators:
                if indicator.is_maturity:
                    codes.setdefault(indicator.code, indicator.title)
    return codes


def latest_definition() -> FrameworkDef | None:
    """The newest framework version's definition (what forms offer as targets)."""
    version = db.session.scalar(sa.select(FrameworkVersion).order_by(FrameworkVersion.id.desc()).limit(1))
    return version.definition if version else None


def link_problem(link: str) -> str | None:
    """Why a public link is refused (not http(s), spaces, direction controls), or None."""
    if len(link) > MAX_LINK:
        return _("Keep the link under %(max)s characters.", max=MAX_LINK)
    if BIDI_CONTROLS.search(link) or any(unicodedata.category(c) in ("Cc", "Cf", "Zs") for c in link):
        return _("The link holds spaces or invisible characters: type the address again.")
    try:
        parts = urlsplit(link)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return _("The link must be a web address starting with http:// or https://.")
    return None


def country_map() -> dict[str, Country]:
    """Every country by its alpha-2 code (one query, for forms and imports)."""
    return {c.alpha2: c for c in db.session.scalars(sa.select(Country))}


def check(values: ProjectValues, codes: dict[str, str], countries: dict[str, Country]) -> list[str]:
    """Every reason the values cannot be stored (empty when they can), in the reader's language."""
    problems = list(values.problems)
    if not values.title.strip():
        problems.append(_("Give the project's title."))
    if not values.implementer.strip():
        problems.append(_("Give the implementing organisation."))
    if len(values.title) > MAX_TITLE or len(values.implementer) > MAX_NAME or len(values.contact) > MAX_NAME:
        problems.append(_("Keep titles, names and contacts under %(max)s characters.", max=MAX_NAME))
    if not values.donors:
        problems.append(_("Name at least one funding donor."))
    if len(values.donors) > MAX_DONORS or any(len(d) > MAX_NAME for d in values.donors):
        problems.append(_("Name at most %(n)s donors, each under %(max)s characters.", n=MAX_DONORS, max=MAX_NAME))
    if not values.countries:
        problems.append(_("Choose at least one beneficiary country."))
    if len(values.countries) > MAX_COUNTRIES:
        problems.append(_("Choose at most %(n)s countries.", n=MAX_COUNTRIES))
    for code in values.countries:
        if code not in countries:
            problems.append(_("There is no country with the code %(code)s.", code=code[:8]))
    if not values.targets:
        problems.append(_("Choose at least one pillar or indicator the project works on."))
    if len(values.targets) > MAX_TARGETS:
        problems.append(_("Choose at most %(n)s pillars and indicators.", n=MAX_TARGETS))
    for code in values.targets:
        if code not in codes:
            problems.append(_("There is no pillar or indicator with the code %(code)s.", code=code[:120]))
    if values.end_date is not None and values.end_date < values.start_date:
        problems.append(_("The project cannot end before it starts."))
    if values.budget is not None and values.budget < 0:
        problems.append(_("The budget cannot be negative."))
    if values.budget is not None and not values.currency:
        problems.append(_("Give the currency of the budget."))
    if values.currency and values.currency not in current_currencies():
        problems.append(_("“%(code)s” is not a currency code in use.", code=values.currency[:10]))
    if values.status not in set(ProjectStatus):
        problems.append(_("The status must be planned, running or completed."))
    if values.visibility not in set(ProjectVisibility):
        problems.append(_("Choose who may read the project."))
    if values.link and (problem := link_problem(values.link)):
        problems.append(problem)
    return problems


def snapshot(project: Project) -> dict[str, Any]:
    """A project as plain JSON values (the audit trail's before and after, and the JSON export)."""
    return {
        "id": project.id,
        "title": project.title,
        "implementer": project.implementer,
        "donors": list(project.donors),
        "countries": sorted(b.country.alpha2 for b in project.beneficiaries),
        "targets": project.targets,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat() if project.end_date else None,
        "budget": str(project.budget) if project.budget is not None else None,
        "currency": project.currency,
        "status": project.status,
        "visibility": project.visibility,
        "link": project.link,
        "contact": project.contact,
        "is_demo": project.is_demo,
    }


def _apply(project: Project, values: ProjectValues, countries: dict[str, Country]) -> None:
    project.title = values.title.strip()
    project.implementer = values.implementer.strip()
    project.donors = [d.strip() for d in values.donors]
    project.start_date, project.end_date = values.start_date, values.end_date
    project.budget = values.budget
    project.currency = values.currency if values.budget is not None else None
    project.status, project.visibility = values.status, values.visibility
    project.link, project.contact = values.link or None, values.contact.strip()
    wanted = {countries[code].id: countries[code] for code in values.countries}
    kept = [b for b in project.beneficiaries if b.country_id in wanted]  # keep their confirmations
    known = {b.country_id for b in kept}
    project.beneficiaries = kept + [ProjectCountry(country=c) for i, c in wanted.items() if i not in known]
    current = {t.code: t for t in project.target_rows}
    project.target_rows = [current.get(code) or ProjectTarget(code=code) for code in dict.fromkeys(values.targets)]


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    """What the audit trail keeps of a project: its fields, not its id (in the detail) or demo marker."""
    return {key: value for key, value in values.items() if key not in ("id", "is_demo")}


def create_project(
    values: ProjectValues, by: Any, countries: dict[str, Country], is_demo: bool = False, via: str = ""
) -> Project:
    """A new project owned by `by`, audited (`via` names an import file); the values were checked."""
    project = Project(owner_id=getattr(by, "id", None), is_demo=is_demo, donors=[])
    db.session.add(project)
    _apply(project, values, countries)
    db.session.flush()
    detail = f"project {project.id}" + (f" imported from {via}" if via else "")
    record("project.create", user=by, detail=detail[:500], new_value=_audited(snapshot(project)))
    return project


def update_project(project: Project, values: ProjectValues, by: Any, countries: dict[str, Country]) -> bool:
    """Change a project, audited with its values before and after; False when nothing changed."""
    before = snapshot(project)
    _apply(project, values, countries)
    db.session.flush()
    after = snapshot(project)
    if after == before:
        return False
    project.updated_at = utcnow()
    changed = {key for key in after if after[key] != before[key]}
    record(
        "project.update",
        user=by,
        detail=f"project {project.id}",
        old_value=_audited({k: before[k] for k in sorted(changed)}),
        new_value=_audited({k: after[k] for k in sorted(changed)}),
    )
    return True


def confirm(project: Project, country_id: int, confirmed: bool, note: str, by: Any) -> None:
    """A beneficiary country's word on a project (confirmed, and a note), audited."""
    row = next(b for b in project.beneficiaries if b.country_id == country_id)
    old = {"confirmed": row.confirmed, "note": row.note}
    row.confirmed, row.note = confirmed, note.strip()[:MAX_NOTE]
    row.confirmed_at = utcnow() if confirmed else None
    project.updated_at = utcnow()
    db.session.flush()
    record(
        "project.confirm",
        user=by,
        country_id=country_id,
        detail=f"project {project.id}",
        old_value=old,
        new_value={"confirmed": row.confirmed, "note": row.note},
    )


def visible_condition(viewer: Any) -> Any:
    """SQL: the projects this viewer may read (public ones; donor-level for donors, owners, beneficiaries)."""
    if can(viewer, Permission.RELEASE_READ_DONORS) or can(viewer, Permission.PROJECT_EDIT_ALL):
        return sa.true()
    conditions: list[Any] = [Project.visibility == ProjectVisibility.PUBLIC]
    if getattr(viewer, "is_authenticated", False):
        conditions.append(Project.owner_id == viewer.id)
        if viewer.country_id is not None:
            conditions.append(
                Project.id.in_(
                    sa.select(ProjectCountry.project_id).where(ProjectCountry.country_id == viewer.country_id)
                )
            )
    return sa.or_(*conditions)


def visible_projects(
    viewer: Any, countries: Iterable[str] | None = None, statuses: Sequence[str] | None = None
) -> list[Project]:
    """Projects the viewer may read, for these countries (alpha-2) and statuses if given, newest first."""
    query = sa.select(Project).where(visible_condition(viewer))
    if countries is not None:
        query = query.where(
            Project.id.in_(
                sa.select(ProjectCountry.project_id)
                .join(Country, ProjectCountry.country_id == Country.id)
                .where(Country.alpha2.in_(list(countries)))
            )
        )
    if statuses is not None:
        query = query.where(Project.status.in_(list(statuses)))
    return list(db.session.scalars(query.order_by(Project.start_date.desc(), Project.id.desc())))


def get_visible_project(viewer: Any, project_id: int) -> Project | None:
    """The project with this id if the viewer may read it."""
    return db.session.scalar(sa.select(Project).where(Project.id == project_id, visible_condition(viewer)))


def indicator_codes(targets: Iterable[str], definition: FrameworkDef) -> set[str]:
    """The maturity indicator codes a project's targets cover: a pillar covers all its indicators."""
    covered: set[str] = set()
    for code in targets:
        pillar = definition.pillar(code)
        if pillar is not None:
            covered.update(i.code for i in pillar.maturity_indicators)
        elif (indicator := definition.indicator(code)) is not None and indicator.is_maturity:
            covered.add(code)
    return covered


@dataclass(frozen=True)
class ProjectRef:
    """A project as the needs view names it."""

    id: int
    title: str


@dataclass(frozen=True)
class Funding:
    """Planned or running projects the viewer may read: per (member, indicator) they cover, and per member."""

    by_gap: dict[tuple[str, str], list[ProjectRef]]
    per_country: dict[str, int]


def funding(viewer: Any, countries: Iterable[str], definition: FrameworkDef) -> Funding:
    """Planned or running projects the viewer may read for these countries (alpha-2): one query."""
    rows = db.session.execute(
        sa.select(Project.id, Project.title, Country.alpha2, ProjectTarget.code)
        .join(ProjectCountry, ProjectCountry.project_id == Project.id)
        .join(Country, ProjectCountry.country_id == Country.id)
        .join(ProjectTarget, ProjectTarget.project_id == Project.id)
        .where(
            visible_condition(viewer),
            Project.status.in_(list(FUNDING_STATUSES)),
            Country.alpha2.in_(sorted(set(countries))),
        )
        .order_by(Project.start_date, Project.id)
    ).all()
    by_gap: dict[tuple[str, str], list[ProjectRef]] = defaultdict(list)
    projects: dict[str, set[int]] = defaultdict(set)
    for project_id, title, alpha2, target in rows:
        projects[alpha2].add(project_id)
        for code in indicator_codes([target], definition):
            if (ref := ProjectRef(project_id, title)) not in by_gap[(alpha2, code)]:
                by_gap[(alpha2, code)].append(ref)
    return Funding(dict(by_gap), {alpha2: len(ids) for alpha2, ids in projects.items()})


@dataclass(frozen=True)
class Overlap:
    """Two projects that may duplicate each other's work: same country and indicator, at the same time."""

    other: Project
    country: str  # alpha-2
    codes: tuple[str, ...]


def _dates_overlap(a: Project, b: Project) -> bool:
    a_end, b_end = a.end_date or date.max, b.end_date or date.max
    return a.start_date <= b_end and b.start_date <= a_end


def overlaps(projects: Sequence[Project], definition: FrameworkDef) -> dict[int, list[Overlap]]:
    """Possible duplication per project id: same country and indicator, overlapping dates, other donors."""
    covered = {p.id: indicator_codes(p.targets, definition) for p in projects}
    countries = {p.id: {b.country.alpha2 for b in p.beneficiaries} for p in projects}
    found: dict[int, list[Overlap]] = defaultdict(list)
    for index, first in enumerate(projects):
        for second in projects[index + 1 :]:
            if {d.casefold() for d in first.donors} == {d.casefold() for d in second.donors}:
                continue  # one funder's phases or lots, not two funders unaware of each other
            if not _dates_overlap(first, second):
                continue
            shared_codes = tuple(sorted(covered[first.id] & covered[second.id]))
            for country in sorted(countries[first.id] & countries[second.id]):
                if shared_codes:
                    found[first.id].append(Overlap(second, country, shared_codes))
                    found[second.id].append(Overlap(first, country, shared_codes))
    return dict(found)
