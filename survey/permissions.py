"""The rule book: who may do what to which object. Every access decision of the app is taken here.

A role is a name for a set of permissions (`GRANTS`); a role missing from the table holds none, so a
new role is let into nothing until it is given permissions here. Some permissions are narrowed to
an object by a rule in `RULES` (one's own country's assessment, a pillar assigned to one...).

Views name the one permission they need with `requires` (or are `public`); services, the API and the
command line ask `can(user, permission, obj)`; templates ask `can('team.manage')` or
`can('assessment.release', assessment)`, the same function bound to the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from typing import Any

from flask import abort, request
from flask_login import current_user, login_required

from survey.audit.services import record_refusal
from survey.hooks import Hook


class Role(StrEnum):
    """What a user is to the app; `GRANTS` says what each role may do."""

    CONTRIBUTOR = "contributor"
    COORDINATOR = "coordinator"
    VALIDATOR = "validator"
    DONOR = "donor"
    TRANSLATOR = "translator"
    IMPLEMENTER = "implementer"
    ADMIN = "admin"


# Roles that belong to one country's team: their accounts must name that country.
COUNTRY_ROLES = frozenset({Role.CONTRIBUTOR, Role.COORDINATOR, Role.VALIDATOR})


class Permission(StrEnum):
    """Something a user may be allowed to do; the comment says what a rule narrows it to."""

    ASSESSMENT_LIST = "assessment.list"  # open the list of assessments one may read
    ASSESSMENT_VIEW = "assessment.view"  # read one: of one's country, released to one, or any with VIEW_ALL
    ASSESSMENT_VIEW_ALL = "assessment.view_all"  # read every country's assessments, drafts included
    COUNTRY_WORK = "country.work"  # work on one's own country's assessments, whatever their status
    ASSESSMENT_START = "assessment.start"  # start one's country's assessment of the open cycle
    ASSESSMENT_CARRY = "assessment.carry"  # pre-fill one's country's new assessment from last cycle's validated one
    ASSESSMENT_EDIT = "assessment.edit"  # answer questions of one's country's assessment
    PILLAR_EDIT = "pillar.edit"  # answer a pillar of it: one assigned to one, or any with PILLAR_EDIT_ALL
    PILLAR_EDIT_ALL = "pillar.edit_all"  # answer every pillar, assigned or not
    ASSESSMENT_SUBMIT = "assessment.submit"  # submit one's country's assessment
    ASSESSMENT_WORKBOOK = "assessment.workbook"  # download and upload answer workbooks of pillars one may answer
    ASSESSMENT_FOLLOW = "assessment.follow"  # read its validation page and answer histories
    ASSESSMENT_DISCUSS = "assessment.discuss"  # write in its indicator threads
    ASSESSMENT_REVIEW = "assessment.review"  # accept or return its indicators (not one's own submission)
    ASSESSMENT_VALIDATE = "assessment.validate"  # validate it (not one's own submission)
    ASSESSMENT_RELEASE = "assessment.release"  # choose who outside the country reads its results
    ASSESSMENT_AUDIT = "assessment.audit"  # read its audit trail
    RELEASE_READ_DONORS = "release.read_donors"  # read results released to donors and regional bodies
    TEAM_MANAGE = "team.manage"  # assign one's country's pillars to its contributors
    TEAM_ACCOUNT_CREATE = "team.account_create"  # create accounts of one's own country, as contributors only
    ADMINISTER = "administer"  # manage accounts and assessment cycles
    AUDIT_READ = "audit.read"  # read the audit log of every country
    TRANSLATIONS_READ = "translations.read"  # read the completeness of each translation
    EVIDENCE_UPLOAD = "evidence.upload"  # attach files to answers one may edit (a pillar as PILLAR_EDIT), remove them
    EVIDENCE_READ = "evidence.read"  # download a file: of one's country, any with VIEW_ALL, or one shared publicly
    NOTIFICATIONS_READ = "notifications.read"  # read one's own notifications and choose one's e-mails
    TOKENS_MANAGE = "tokens.manage"  # create one's own API tokens and revoke them (ADMINISTER: anyone's)
    PASSWORD_CHANGE = "password.change"  # noqa: S105 - a permission name: change one's own password, knowing the current one
    PLAN_EDIT = "plan.edit"  # add, change and remove actions of one's country's action plan, in any status
    PROJECT_EDIT = "project.edit"  # record capacity-building projects and edit one's own, or any with EDIT_ALL
    PROJECT_EDIT_ALL = "project.edit_all"  # edit every account's projects
    PROJECT_CONFIRM = "project.confirm"  # confirm (or annotate) a project for one's own beneficiary country


P = Permission
GRANTS: dict[str, frozenset[Permission]] = {
    Role.CONTRIBUTOR: frozenset(
        {
            P.ASSESSMENT_LIST,
            P.ASSESSMENT_VIEW,
            P.COUNTRY_WORK,
            P.ASSESSMENT_START,
            P.ASSESSMENT_EDIT,
            P.PILLAR_EDIT,
            P.ASSESSMENT_FOLLOW,
            P.ASSESSMENT_DISCUSS,
            P.EVIDENCE_UPLOAD,
            P.EVIDENCE_READ,
            P.ASSESSMENT_WORKBOOK,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            P.ASSESSMENT_LIST,
            P.ASSESSMENT_VIEW,
            P.COUNTRY_WORK,
            P.ASSESSMENT_START,
            P.ASSESSMENT_CARRY,
            P.ASSESSMENT_EDIT,
            P.PILLAR_EDIT,
            P.PILLAR_EDIT_ALL,
            P.ASSESSMENT_SUBMIT,
            P.ASSESSMENT_FOLLOW,
            P.ASSESSMENT_DISCUSS,
            P.ASSESSMENT_RELEASE,
            P.ASSESSMENT_AUDIT,
            P.TEAM_MANAGE,
            P.TEAM_ACCOUNT_CREATE,
            P.EVIDENCE_UPLOAD,
            P.EVIDENCE_READ,
            P.ASSESSMENT_WORKBOOK,
            P.PLAN_EDIT,
            P.PROJECT_CONFIRM,
        }
    ),
    Role.VALIDATOR: frozenset(
        {
            P.ASSESSMENT_LIST,
            P.ASSESSMENT_VIEW,
            P.COUNTRY_WORK,
            P.ASSESSMENT_FOLLOW,
            P.ASSESSMENT_DISCUSS,
            P.ASSESSMENT_REVIEW,
            P.ASSESSMENT_VALIDATE,
            P.EVIDENCE_READ,
        }
    ),
    Role.DONOR: frozenset(
        {P.ASSESSMENT_LIST, P.ASSESSMENT_VIEW, P.RELEASE_READ_DONORS, P.EVIDENCE_READ, P.PROJECT_EDIT}
    ),
    Role.TRANSLATOR: frozenset({P.ASSESSMENT_LIST, P.ASSESSMENT_VIEW, P.TRANSLATIONS_READ, P.EVIDENCE_READ}),
    # An organisation that carries projects out: it records its own projects and reads public results.
    Role.IMPLEMENTER: frozenset({P.ASSESSMENT_LIST, P.ASSESSMENT_VIEW, P.EVIDENCE_READ, P.PROJECT_EDIT}),
    Role.ADMIN: frozenset(
        {
            P.ASSESSMENT_LIST,
            P.ASSESSMENT_VIEW,
            P.ASSESSMENT_VIEW_ALL,
            P.ASSESSMENT_FOLLOW,
            P.ASSESSMENT_AUDIT,
            P.RELEASE_READ_DONORS,
            P.ADMINISTER,
            P.AUDIT_READ,
            P.TRANSLATIONS_READ,
            P.EVIDENCE_READ,
            P.PROJECT_EDIT,
            P.PROJECT_EDIT_ALL,
        }
    ),
}
# Every role has notifications, API tokens and a password of its own (a role missing from GRANTS still holds nothing).
OWN_ACCOUNT = frozenset({P.NOTIFICATIONS_READ, P.TOKENS_MANAGE, P.PASSWORD_CHANGE})
GRANTS = {role: permissions | OWN_ACCOUNT for role, permissions in GRANTS.items()}
# Roles that read what countries released to donors, across every country (they hold no country).
DONOR_READERS = frozenset(role for role, granted in GRANTS.items() if P.RELEASE_READ_DONORS in granted)

# Facts the rule book needs from features above it; each feature answers when it is imported.
assigned_pillars = Hook("pillar codes assigned to this user in their country", default=lambda user: frozenset())
released_to = Hook(
    "whether this assessment's results are released to this reader", default=lambda user, assessment: False
)
sole_account = Hook(
    "whether this country has a single active account (nobody else could review)", default=lambda country_id: False
)


def granted(roles: Iterable[str]) -> frozenset[Permission]:
    """Everything these roles may do together."""
    return frozenset().union(*(GRANTS.get(role, frozenset()) for role in roles))


def _holds(user: Any, permission: Permission) -> bool:
    """Whether one of the user's roles grants the permission (anonymous readers hold none)."""
    return getattr(user, "is_authenticated", False) and permission in granted(user.roles)


def _own_country(user: Any, assessment: Any) -> bool:
    country = getattr(user, "country_id", None)
    return country is not None and country == assessment.country_id


def _team_member(user: Any, assessment: Any) -> bool:
    """On the team of the assessment's country."""
    return _holds(user, P.COUNTRY_WORK) and _own_country(user, assessment)


def _may_view(user: Any, assessment: Any) -> bool:
    return _holds(user, P.ASSESSMENT_VIEW_ALL) or _team_member(user, assessment) or released_to(user, assessment)


def _may_edit_pillar(user: Any, assessment: Any, pillar: str | None = None) -> bool:
    if not can(user, P.ASSESSMENT_EDIT, assessment):
        return False
    return _holds(user, P.PILLAR_EDIT_ALL) or pillar in assigned_pillars(user)


def _may_use_workbook(user: Any, assessment: Any, pillar: str | None = None) -> bool:
    """A workbook of a pillar one may answer; without a pillar, of one's own country's assessment."""
    if pillar is None:
        return _own_country(user, assessment)
    return _may_edit_pillar(user, assessment, pillar)


def _may_review(user: Any, assessment: Any) -> bool:
    """A second pair of eyes: the submitter reviews their own submission only when nobody else could."""
    if not _own_country(user, assessment):
        return False
    return assessment.submitted_by_id != user.id or sole_account(assessment.country_id)


def _view_all_or_own_country(user: Any, assessment: Any) -> bool:
    return _holds(user, P.ASSESSMENT_VIEW_ALL) or _own_country(user, assessment)


def _may_read_file(user: Any, file: Any) -> bool:
    """An evidence file stays with the country's team (and admins) unless it is shared publicly."""
    return _holds(user, P.ASSESSMENT_VIEW_ALL) or _team_member(user, file.assessment) or file.is_shared


def _shared_file(user: Any, file: Any) -> bool:
    """Marked public by its country, in results released publicly (`EvidenceFile.is_shared`)."""
    return file.is_shared


def _own_token(user: Any, token: Any) -> bool:
    """One's own token; administrators may revoke anyone's."""
    return token.user_id == user.id or _holds(user, P.ADMINISTER)


def _own_project(user: Any, project: Any) -> bool:
    """A project one recorded, or any with PROJECT_EDIT_ALL."""
    return _holds(user, P.PROJECT_EDIT_ALL) or (project.owner_id is not None and project.owner_id == user.id)


def _beneficiary(user: Any, project: Any) -> bool:
    """A project that names one's own country among its beneficiaries."""
    country = getattr(user, "country_id", None)
    return country is not None and country in project.country_ids


def _may_create_account(user: Any, country: Any, roles: Iterable[str] = ()) -> bool:
    """A coordinator's new account: of their own country, holding the contributor role and nothing more."""
    own = getattr(user, "country_id", None)
    return own is not None and own == getattr(country, "id", None) and set(roles) == {Role.CONTRIBUTOR}


# How a permission is narrowed when asked about an object; one absent here needs no object.
RULES: dict[Permission, Callable[..., bool]] = {
    P.ASSESSMENT_VIEW: _may_view,
    P.ASSESSMENT_CARRY: _own_country,
    P.ASSESSMENT_EDIT: _own_country,
    P.PILLAR_EDIT: _may_edit_pillar,
    P.ASSESSMENT_SUBMIT: _own_country,
    P.ASSESSMENT_WORKBOOK: _may_use_workbook,
    P.ASSESSMENT_FOLLOW: _view_all_or_own_country,
    P.ASSESSMENT_DISCUSS: _team_member,
    P.ASSESSMENT_REVIEW: _may_review,
    P.ASSESSMENT_VALIDATE: _may_review,
    P.ASSESSMENT_RELEASE: _own_country,
    P.ASSESSMENT_AUDIT: _view_all_or_own_country,
    P.EVIDENCE_UPLOAD: _may_edit_pillar,
    P.EVIDENCE_READ: _may_read_file,
    P.TOKENS_MANAGE: _own_token,
    P.PLAN_EDIT: _own_country,
    P.PROJECT_EDIT: _own_project,
    P.PROJECT_CONFIRM: _beneficiary,
    P.TEAM_ACCOUNT_CREATE: _may_create_account,
}
# What a reader holding none of these permissions (signed out, say) may still do to one object.
OPEN_RULES: dict[Permission, Callable[..., bool]] = {
    P.EVIDENCE_READ: _shared_file,
}


def can(user: Any, permission: Permission | str, obj: Any = None, **detail: Any) -> bool:
    """Whether the user may do this; to this object when one is given (e.g. `pillar=` for PILLAR_EDIT).

    Without an object the answer is whether the user may do it at all (what a menu link needs).
    """
    permission = Permission(permission)
    if not _holds(user, permission):
        open_rule = OPEN_RULES.get(permission)
        return obj is not None and open_rule is not None and open_rule(user, obj)
    rule = RULES.get(permission)
    return obj is None or rule is None or rule(user, obj, **detail)


def current_user_can(permission: Permission | str, obj: Any = None, **detail: Any) -> bool:
    """`can` for the signed-in user (templates call it as `can(...)`)."""
    # The user itself, not the proxy: a rule reads several of its attributes, each through the proxy otherwise.
    return can(current_user._get_current_object(), permission, obj, **detail)


PUBLIC = "public"


def requires(permission: Permission) -> Callable:
    """Let a view run only for a signed-in user who holds this permission (403 and an audit entry otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not can(current_user, permission):
                record_refusal("access.denied", f"{request.method} {request.path}", country_id=current_user.country_id)
                abort(403)
            return view(*args, **kwargs)

        # Views carry their permission as a function attribute, which Callable's type cannot declare.
        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view open to everyone, signed in or not."""
    view.permission = PUBLIC  # type: ignore[attr-defined]  # see requires()
    return view
