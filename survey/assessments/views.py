"""The official's journey: list, start, fill pillar by pillar, review, submit, results."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.assessments import carry, fragments, services, signals
from survey.assessments.forms import ConfirmForm, StoredPillarForm, field_key, make_pillar_form
from survey.assessments.models import Answer, Assessment, Status
from survey.assessments.results import build_results
from survey.audit.services import record_refusal
from survey.extensions import db
from survey.frameworks.models import Indicator
from survey.i18n.locale import sorted_countries
from survey.methodology.scoring import AssessmentResult
from survey.permissions import Permission, assigned_pillars, can, requires

blueprint = Blueprint("assessments", __name__, url_prefix="/assessments")


def answered_counts(assessment_ids: list[int]) -> dict[int, int]:
    """Answered maturity indicators per assessment, in one query."""
    if not assessment_ids:
        return {}
    rows = db.session.execute(
        sa.select(Answer.assessment_id, sa.func.count(Answer.id))
        .join(Indicator, Answer.indicator_id == Indicator.id)
        .where(
            Answer.assessment_id.in_(assessment_ids),
            Indicator.kind == "maturity",
            Answer.state.is_not(None),
            Answer.to_confirm.is_(False),  # carried from last cycle and not confirmed yet: not answered
        )
        .group_by(Answer.assessment_id)
    ).all()
    return dict(rows)


@blueprint.route("/")
@requires(Permission.ASSESSMENT_LIST)
def index() -> str:
    """The user's country's assessments, everything for admins, or what was released to the reader."""
    own_country = can(current_user, Permission.COUNTRY_WORK)
    if own_country:
        assessments = services.country_assessments(current_user.country_id)
    elif can(current_user, Permission.ASSESSMENT_VIEW_ALL):
        assessments = services.submitted_assessments()
    else:
        assessments = [a for a in services.validated_assessments() if can(current_user, Permission.ASSESSMENT_VIEW, a)]
    if not own_country:  # many countries: newest cycle, then by name
        order = {code: n for n, (code, _name) in enumerate(sorted_countries({a.country.alpha2 for a in assessments}))}
        assessments.sort(key=lambda a: (-a.cycle.year, order[a.country.alpha2]))
    cycle = services.current_cycle()
    started = any(a.cycle_id == (cycle.id if cycle else None) for a in assessments)
    can_start = bool(cycle and can(current_user, Permission.ASSESSMENT_START) and not started)
    return render_template(
        "assessments/index.html",
        assessments=assessments,
        cycle=cycle,
        own_country=own_country,
        can_start=can_start,
        carry_from=_carry_offer(cycle) if can_start else None,
        answered=answered_counts([a.id for a in assessments]),
    )


def _carry_offer(cycle) -> Assessment | None:
    """The validated assessment a coordinator may pre-fill the open cycle's assessment from, if any."""
    if cycle is None or not can(current_user, Permission.ASSESSMENT_CARRY):
        return None
    return carry.latest_validated(current_user.country_id, cycle.year, cycle.framework_version.framework_id)


@blueprint.route("/start", methods=["POST"])
@requires(Permission.ASSESSMENT_START)
def start() -> Response:
    """Start (or resume) the country's assessment of the open cycle; a coordinator may pre-fill it from last cycle."""
    cycle = services.current_cycle()
    if cycle is None:
        flash(_("No assessment cycle is open at the moment."), "error")
        return redirect(url_for(".index"))
    wants_carry = request.form.get("carry") == "1"
    if wants_carry and not can(current_user, Permission.ASSESSMENT_CARRY):
        record_refusal("assessment.carry", "not the coordinator", country_id=current_user.country_id)
        abort(403)
    assessment = services.start_assessment(current_user, cycle)
    if wants_carry:
        _carry(assessment)
    db.session.commit()
    return redirect(url_for(".overview", assessment_id=assessment.id))


def _carry(assessment: Assessment) -> None:
    """Pre-fill the draft from last cycle, telling the user how many answers now wait for confirmation."""
    source = carry.carry_source(assessment)
    if source is None:
        flash(_("There is no validated assessment of an earlier cycle to start from."), "error")
        return
    try:
        count = carry.carry_forward(assessment, current_user)
    except services.WorkflowError:
        flash(_("Only a draft can be pre-filled from last cycle."), "error")
        return
    flash(
        ngettext(
            "%(num)d answer was carried over from %(year)s: confirm or change each one.",
            "%(num)d answers were carried over from %(year)s: confirm or change each one.",
            count,
            year=source.cycle.year,
        ),
        "success",
    )


def _assessment(assessment_id: int) -> Assessment:
    return services.get_visible_assessment(current_user, assessment_id)


@blueprint.route("/<int:assessment_id>")
@requires(Permission.ASSESSMENT_VIEW)
def overview(assessment_id: int) -> str:
    """Progress per pillar, with links to fill, review, submit and see results."""
    assessment = _assessment(assessment_id)
    result = services.score(assessment)
    return render_template(
        "assessments/overview.html",
        assessment=assessment,
        result=result,
        definition=assessment.framework_version.definition,
        assigned=_assigned_codes(assessment),
        to_confirm=len(services.unconfirmed_codes(assessment)),
        carry_from=_late_carry_offer(assessment),
    )


def _late_carry_offer(assessment: Assessment) -> Assessment | None:
    """For a draft of the open cycle started without last cycle's answers: what the coordinator may still carry."""
    if (
        assessment.status != Status.DRAFT
        or not assessment.cycle.is_open
        or not can(current_user, Permission.ASSESSMENT_CARRY, assessment)
        or carry.has_carried(assessment)
    ):
        return None
    return carry.carry_source(assessment)


def _assigned_codes(assessment: Assessment) -> list[str]:
    """The pillars assigned to a contributor who answers only those, in questionnaire order (else empty)."""
    if can(current_user, Permission.PILLAR_EDIT_ALL) or not can(current_user, Permission.ASSESSMENT_EDIT, assessment):
        return []
    assigned = assigned_pillars(current_user)
    return [p.code for p in assessment.framework_version.definition.pillars if p.code in assigned]


@blueprint.route("/<int:assessment_id>/pillars/<pillar_code>", methods=["GET", "POST"])
@requires(Permission.ASSESSMENT_VIEW)
def pillar(assessment_id: int, pillar_code: str) -> str | Response | tuple[str, int]:
    """Answer one pillar; saving works without JavaScript and never overwrites a colleague's save."""
    assessment = _assessment(assessment_id)
    pillar_def = assessment.framework_version.definition.pillar(pillar_code) or abort(404)
    if request.method == "GET" and _lean():  # read-only rows and the progress, in one query
        shown, progress = services.shown_answers(assessment, pillar_def.code)
        editable = services.editable_codes(current_user, assessment, pillar_def, shown)
        stored = StoredPillarForm(pillar_def, assessment.country.alpha2, shown)
        return _render_pillar(assessment, pillar_def, stored, editable, shown, progress=progress)
    answers = services.answers_by_code(assessment, pillar_def.code)
    editable = services.editable_codes(current_user, assessment, pillar_def, answers)
    form = make_pillar_form(pillar_def, assessment.country.alpha2)
    if request.method == "GET":
        form.fill(answers)
        return _render_pillar(assessment, pillar_def, form, editable, answers)
    if not can(current_user, Permission.ASSESSMENT_EDIT, assessment):
        record_refusal(
            "answer.update",
            "not an answering role of this country",
            country_id=assessment.country_id,
            assessment_id=assessment.id,
        )
        abort(403)
    if not editable:
        return _refuse_locked_save(assessment, pillar_def, form, answers)
    if not form.validate():
        flash(_("Nothing was saved: please correct the answers marked below."), "error")
        return _render_pillar(assessment, pillar_def, form, editable, answers), 422
    values = {code: value for code, value in form.values().items() if code in editable}
    try:
        services.save_answers(assessment, values, current_user, form.versions(), shown=form.shown())
    except services.EditConflict as conflict:
        db.session.rollback()
        return _render_conflict(assessment, pillar_def, form, editable, answers, conflict)
    except services.WorkflowError:  # submitted while this save waited: refused as above, on the fresh status
        db.session.rollback()
        return _refuse_locked_save(assessment, pillar_def, form, answers)
    db.session.commit()
    flash(_("Your answers to “%(pillar)s” are saved.", pillar=_(pillar_def.title)), "success")
    following = assessment.framework_version.definition.next_pillar(pillar_def.code)
    # `saved` names the pillar the server now holds, so the page's script drops that pillar's local
    # draft only (never the next pillar's, which may hold answers typed and not saved yet).
    if "save_next" in request.form and following:
        return redirect(
            url_for(".pillar", assessment_id=assessment.id, pillar_code=following.code, saved=pillar_def.code)
        )
    return redirect(url_for(".pillar", assessment_id=assessment.id, pillar_code=pillar_def.code, saved=pillar_def.code))


@blueprint.route("/<int:assessment_id>/pillars/<pillar_code>/confirm", methods=["POST"])
@requires(Permission.ASSESSMENT_EDIT)
def confirm(assessment_id: int, pillar_code: str) -> Response | tuple[str, int]:
    """Confirm answers carried from last cycle as they stand: one (`code`) or all of the pillar (`all`)."""
    assessment = _assessment(assessment_id)
    pillar_def = assessment.framework_version.definition.pillar(pillar_code) or abort(404)
    if not can(current_user, Permission.ASSESSMENT_EDIT, assessment):
        record_refusal(
            "answer.confirm",
            "not an answering role of this country",
            country_id=assessment.country_id,
            assessment_id=assessment.id,
        )
        abort(403)
    answers = services.answers_by_code(assessment, pillar_def.code)
    editable = services.editable_codes(current_user, assessment, pillar_def, answers)
    form = ConfirmForm()
    shown = make_pillar_form(pillar_def, assessment.country.alpha2)
    shown.fill(answers)
    if not editable:
        return _refuse_locked_save(assessment, pillar_def, shown, answers)
    if not form.validate_on_submit():
        abort(400)
    pending = {code for code, answer in answers.items() if answer.to_confirm} & editable
    wanted = pending if request.form.get("all") == "1" else pending & {request.form.get("code", "")}
    try:
        done = carry.confirm(assessment, current_user, wanted)
    except services.WorkflowError:  # submitted meanwhile
        db.session.rollback()
        return _refuse_locked_save(assessment, pillar_def, shown, answers)
    db.session.commit()
    flash(
        ngettext("%(num)d carried answer confirmed.", "%(num)d carried answers confirmed.", len(done)),
        "success",
    )
    anchor = f"q-{field_key(done[0])}" if len(done) == 1 else None
    return redirect(url_for(".pillar", assessment_id=assessment.id, pillar_code=pillar_def.code, _anchor=anchor))


def _refuse_locked_save(assessment: Assessment, pillar_def, form, answers) -> tuple[str, int]:
    """A save the user may not make now: explain why, keep what they typed, audit the attempt."""
    if not assessment.is_editable:
        message = _("This assessment was submitted and can no longer be changed. Your entries below were not saved.")
        detail, status = f"assessment is {assessment.status}", 409
    elif assessment.status == Status.RETURNED:
        message = _("Only the indicators the validator returned can be changed now. Your entries below were not saved.")
        detail, status = "pillar has no returned indicator", 409
    else:
        message = _("This pillar is not assigned to you: ask your coordinator. Your entries below were not saved.")
        detail, status = "pillar not assigned", 403
    record_refusal(
        "answer.update",
        detail,
        country_id=assessment.country_id,
        assessment_id=assessment.id,
        indicator_code=pillar_def.code,
    )
    flash(message, "error")
    return _render_pillar(assessment, pillar_def, form, frozenset(), answers), status


def _render_conflict(
    assessment: Assessment, pillar_def, form, editable, answers, conflict: services.EditConflict
) -> tuple[str, int]:
    """Show the colleague's saved values next to the user's, who keeps theirs by saving again."""
    for code, answer in conflict.moved.items():  # what a colleague saved where the user changed nothing
        form.subform(code).form.show_stored(answer)
    for code, answer in conflict.answers.items():
        sub = form.subform(code).form
        sub.version.data, sub.version.raw_data = answer.version, [str(answer.version)]
        digest = services.answer_digest(answer)
        sub.shown.data, sub.shown.raw_data = digest, [digest]
    flash(
        _(
            "Someone saved some of these answers while you were editing them, so nothing was saved. "
            "Their values are shown next to yours: save again to keep yours, or change them first."
        ),
        "error",
    )
    return _render_pillar(assessment, pillar_def, form, editable, answers, conflict.answers), 409


def _render_pillar(
    assessment: Assessment,
    pillar_def,
    form,
    editable: frozenset[str],
    answers: dict,
    conflicts: dict | None = None,
    progress: AssessmentResult | None = None,
) -> str:
    definition = assessment.framework_version.definition
    completion = progress or services.score(assessment)  # progress: this pillar and overall
    return render_template(
        "assessments/pillar.html",
        assessment=assessment,
        pillar=pillar_def,
        definition=definition,
        form=form,
        field_key=field_key,
        editable=editable,
        answers=answers,
        conflicts=conflicts or {},
        pending=[i.code for i in pillar_def.indicators if (a := answers.get(i.code)) is not None and a.to_confirm],
        completion=completion,
        done=next(p for p in completion.pillars if p.code == pillar_def.code),
        next_pillar=definition.next_pillar(pillar_def.code),
        lean=fragments if _lean() else None,
    )


def _lean() -> bool:
    """Whether pillar pages are filled from fragments (survey/assessments/fragments.py)."""
    # Off only to compare with the straightforward rendering (tests/test_lean_pillar.py).
    return current_app.config.get("LEAN_PILLAR_PAGES", True)


@blueprint.route("/<int:assessment_id>/review")
@requires(Permission.ASSESSMENT_VIEW)
def review(assessment_id: int) -> str:
    """Unanswered items and answers that lack evidence, before submission."""
    assessment = _assessment(assessment_id)
    return _render_review(assessment)


def _render_review(assessment: Assessment) -> str:
    definition = assessment.framework_version.definition
    answers = services.answers_by_code(assessment)
    missing = services.unanswered(assessment)
    filed = signals.filed_evidence(assessment.id)  # an attached file counts as evidence
    unsupported = [
        i
        for i in definition.all_indicators()
        if i.is_maturity
        and (a := answers.get(i.code))
        and a.level
        and a.level >= 3
        and not a.evidence_urls
        and not a.evidence_description
        and a.indicator_id not in filed
    ]
    open_facts = [i for i, a in services.facts(definition, answers) if a is None or a.state is None or a.to_confirm]
    return render_template(
        "assessments/review.html",
        assessment=assessment,
        definition=definition,
        carried=[i for i in definition.all_indicators() if (a := answers.get(i.code)) is not None and a.to_confirm],
        missing=missing,
        unsupported=unsupported,
        open_facts=open_facts,
    )


@blueprint.route("/<int:assessment_id>/submit", methods=["POST"])
@requires(Permission.ASSESSMENT_SUBMIT)
def submit(assessment_id: int) -> Response | tuple[str, int]:
    """The coordinator submits a complete draft, which locks it."""
    assessment = _assessment(assessment_id)
    if not can(current_user, Permission.ASSESSMENT_SUBMIT, assessment):
        record_refusal(
            "assessment.status",
            "not the coordinator of this country",
            country_id=assessment.country_id,
            assessment_id=assessment.id,
        )
        abort(403)
    try:
        services.submit(assessment, current_user)
    except services.WorkflowError as error:
        db.session.rollback()
        if str(error) == "incomplete":
            flash(
                _(
                    "The assessment cannot be submitted yet: every indicator needs an answer "
                    "(a level, “Not applicable” or “Don't know”)."
                ),
                "error",
            )
        elif str(error) == "unconfirmed":
            flash(
                _(
                    "The assessment cannot be submitted yet: confirm or change every answer "
                    "carried over from last cycle."
                ),
                "error",
            )
        else:
            flash(_("This assessment has already been submitted."), "error")
        return _render_review(assessment), 409
    db.session.commit()
    flash(_("The assessment is submitted. Answers are now locked."), "success")
    return redirect(url_for(".results", assessment_id=assessment.id))


@blueprint.route("/<int:assessment_id>/results")
@requires(Permission.ASSESSMENT_VIEW)
def results(assessment_id: int) -> str:
    """Overall score and stage, pillar scores, radar, priorities, facts, change since last cycle."""
    assessment = _assessment(assessment_id)
    return render_template("assessments/results.html", assessment=assessment, **build_results(assessment))
