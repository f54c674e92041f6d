"""The pillar page's questions, from text rendered once per framework version, pillar and language.

The straightforward rendering (the loop in templates/assessments/pillar.html) asks the catalog for
every title, question, guidance note and level descriptor, and lets WTForms render every field, on
every request: about 240 translation calls and a thousand template calls for text that changes
only with the language. Here that text and the fields' markup are rendered once into a skeleton per
framework version, pillar, language and site root; a request fills in only what is its own: the
user's values, answer versions, carried-over marks, errors, evidence files, messages and its CSRF
token. Rare parts (errors, conflicts, files, comments) still come from the page's own macros.
On a GET (`StoredPillarForm`: stored answers, nothing typed) an unanswered question without
files, comments or conflict is kept whole, per reader locale, country, threads and editability,
so its WTForms subform is not even built. tests/test_lean_pillar.py checks that both renderings
are the same, byte for byte.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request
from flask_babel import get_locale, get_translations
from markupsafe import Markup, escape
from wtforms import Field
from wtforms.widgets import HiddenInput, Input, TextArea

from survey.assessments.forms import AnswerForm, PillarForm, StoredPillarForm, field_key, make_pillar_form
from survey.frameworks.definition import FrameworkDef, IndicatorDef, PillarDef
from survey.frameworks.labels import stage_name
from survey.i18n.formats import clause_separator
from survey.questions import answer_text

LEVELS = (1, 2, 3, 4, 5)
# Stand-ins rendered into the skeleton where a request's own values go: an assessment id (the largest
# one a URL accepts, so url_for builds it) and a CSRF token. Only the skeleton's markup holds them,
# never a user's text, so replacing them cannot touch what someone typed.
ID_MARK = 2**31 - 1
CSRF_MARK = "\ue000csrf\ue000"
VALUE_MARK = "\ue000value\ue000"
CACHE_SIZE = 64  # skeletons kept (framework versions x pillars x languages); each is some 40 KB
# Widgets whose markup differs only in the escaped value: rendered once around a stand-in value.
VALUE_WIDGETS = (HiddenInput, TextArea, Input)
CHOICE_INPUTS = ("checkbox", "radio")


def _t(string: str, **variables: Any) -> Markup:
    """A translation as the page's `_()` gives it: escaped, then formatted with escaped values."""
    return Markup(escape(get_translations().ugettext(string))) % variables  # noqa: S704 - escaped first


@dataclass(frozen=True)
class Stand:
    """A stand-in assessment for macros whose links name the assessment."""

    id: int = ID_MARK


class Marked:
    """Skeleton markup holding the assessment id mark, split there to join with a request's id."""

    __slots__ = ("parts",)

    def __init__(self, markup: str) -> None:
        """Split the markup at the id mark."""
        self.parts = str(markup).split(str(ID_MARK))

    def fill(self, assessment_id: str) -> str:
        """The markup with the request's assessment id."""
        return assessment_id.join(self.parts)


@dataclass
class FieldSkeleton:
    """How to render one form field: around its value, or from renderings already made for a state."""

    around: tuple[str, str] | None = None  # text before and after the escaped value
    made: dict[tuple, str] = field(default_factory=dict)  # by country and state (data), for choice fields

    def render(self, bound: Field, country: str | None, **kwargs: Any) -> str:
        """The field's markup, as `bound(**kwargs)` would give it."""
        if self.around is not None:
            return f"{self.around[0]}{escape(bound._value())}{self.around[1]}"
        if bound.raw_data:  # typed in a refused save: anything, so not kept
            return str(bound(**kwargs))
        try:
            state = (country, bound.data)
            hash(state)
        except TypeError:
            return str(bound(**kwargs))
        if state not in self.made:
            if len(self.made) > 256:  # a guard: choice fields have few states
                self.made.clear()
            self.made[state] = str(bound(**kwargs))
        return self.made[state]


def field_skeleton(bound: Field, **kwargs: Any) -> FieldSkeleton:
    """Render a field of a scratch form around a stand-in value when its widget allows it."""
    widget = bound.widget
    if isinstance(widget, VALUE_WIDGETS) and getattr(widget, "input_type", None) not in CHOICE_INPUTS:
        bound._value = lambda: VALUE_MARK  # the widget asks the field for its value this way
        try:
            before, _mark, after = str(bound(**kwargs)).partition(VALUE_MARK)
        finally:
            del bound._value
        if _mark:
            return FieldSkeleton(around=(before, after))
    return FieldSkeleton()


@dataclass
class IndicatorSkeleton:
    """One indicator's fixed markup, in the order the page shows it."""

    code: str
    key: str
    number: str
    maturity: bool
    title: str  # after the number: the title and the fact badge
    about: str  # the question, guidance and references
    levels: tuple[str, ...] = ()  # each level's name and descriptor
    other: tuple[str, str] = ("", "")  # "not applicable", "don't know"
    labels: dict[str, str] = field(default_factory=dict)
    fields: dict[str, FieldSkeleton] = field(default_factory=dict)
    files: tuple[Marked, Marked] = (Marked(""), Marked(""))  # no file yet: not editable, editable
    thread: Marked = Marked("")  # no comment yet
    thread_form: Marked = Marked("")
    carried: str = ""
    confirm: str = ""
    # The whole indicator as a GET shows it unanswered, by reader locale, country, threads shown and editable.
    blank: dict[tuple, Marked] = field(default_factory=dict)


@dataclass
class PillarSkeleton:
    """Every indicator of a pillar, with the words the filled parts need."""

    indicators: list[IndicatorSkeleton]
    words: dict[str, str]
    parts: dict[str, Marked] = field(default_factory=dict)  # the page's own: tabs, about, restore


_SKELETONS: OrderedDict[tuple, PillarSkeleton] = OrderedDict()


def skeleton(version: Any, pillar: PillarDef) -> PillarSkeleton:
    """The pillar's skeleton for this framework version, language and site root (made at most once)."""
    key = (version.id, version.checksum, version.loaded_at, pillar.code, str(get_locale()), request.script_root)
    found = _SKELETONS.get(key)
    if found is None:
        found = _SKELETONS[key] = build(version.definition, pillar)
        while len(_SKELETONS) > CACHE_SIZE:
            _SKELETONS.popitem(last=False)
    return found


def _macros(name: str, **variables: Any) -> Any:
    return current_app.jinja_env.get_template(name).make_module(variables)


def build(definition: FrameworkDef, pillar: PillarDef) -> PillarSkeleton:
    """Render the fixed parts of a pillar's questions in the current language."""
    scratch = make_pillar_form(pillar)
    review = _macros("review/_macros.html", csrf_token=lambda: CSRF_MARK)
    evidence = _macros("evidence/_macros.html")
    pillar_number = definition.pillars.index(pillar) + 1
    words = {
        "carried": _t("Carried over: confirm or change"),
        "confirm": _t("Confirm"),
    }
    built = []
    for number, indicator in enumerate(pillar.indicators, start=1):
        sub = scratch.subform(indicator.code).form
        key = field_key(indicator.code)
        badge = "" if indicator.is_maturity else f'<span class="badge">{_t("Fact, not scored")}</span>'
        skel = IndicatorSkeleton(
            code=indicator.code,
            key=key,
            number=f"{pillar_number}.{number}",
            maturity=indicator.is_maturity,
            title=f"{_t(indicator.title)}\n        {badge}\n        ",
            about=_about(definition, indicator),
        )
        skel.fields["version"] = field_skeleton(sub.version)
        skel.fields["shown"] = field_skeleton(sub.shown)
        if indicator.is_maturity:
            skel.levels = tuple(
                f'<span class="level-name">{level}. {escape(stage_name(level))}</span>\n'
                f'              <span class="level-text">{_t(indicator.levels[level])}</span>'
                for level in LEVELS
            )
            skel.other = (str(_t("Not applicable")), str(_t("Don't know")))
            skel.labels["evidence"] = str(_t("Evidence and comment"))
            for name, kwargs in _maturity_fields().items():
                skel.labels[name] = str(sub[name].label())
                skel.fields[name] = field_skeleton(sub[name], **kwargs)
        else:
            for name in sub.question_fields:
                skel.fields[name] = field_skeleton(sub[name])
                skel.labels[name] = str(escape(sub[name].label.text))
            skel.fields["dont_know"] = field_skeleton(sub.dont_know)
            skel.labels["dont_know"] = str(escape(sub.dont_know.label.text))
            skel.fields["comment"] = field_skeleton(sub.comment, rows=1)
            skel.labels["comment"] = str(sub.comment.label())
            if indicator.unit:
                skel.labels["unit"] = f" ({_t(indicator.unit)})"
        skel.files = (
            Marked(evidence.files_link(Stand(), indicator, [], False)),
            Marked(evidence.files_link(Stand(), indicator, [], True)),
        )
        skel.thread = Marked(review.thread(Stand(), indicator, [], key))
        skel.thread_form = Marked(review.thread_form(Stand(), indicator, key))
        skel.carried = f'<span class="badge warning">{words["carried"]}</span>\n          '
        skel.confirm = (
            f'<button type="submit" form="confirm-carried" name="code" value="{escape(indicator.code)}" '
            f'class="small">{words["confirm"]}</button>'
        )
        built.append(skel)
    parts = _macros("assessments/_pillar_parts.html")
    return PillarSkeleton(
        built,
        {k: str(v) for k, v in words.items()},
        {
            "tabs": Marked(parts.tabs(definition, pillar, Stand())),
            "about": Marked(parts.about(pillar)),
            "restore": Marked(parts.restore()),
            "thread_forms": Marked("".join(s.thread_form.fill(str(ID_MARK)) for s in built)),  # after the questions
        },
    )


def _maturity_fields() -> dict[str, dict[str, Any]]:
    return {
        "evidence_urls": {"rows": 2, "dir": "ltr", "inputmode": "url"},
        "evidence_description": {"rows": 2},
        "comment": {"rows": 2},
    }


def _about(definition: FrameworkDef, indicator: IndicatorDef) -> str:
    """The question, the guidance and the instruments it reflects."""
    refs = ""
    if indicator.references:
        cited = clause_separator().join(
            f"{_t(definition.instruments[ref.instrument])}" + (f" ({_t(ref.provision)})" if ref.provision else "")
            for ref in indicator.references
        )
        refs = f'\n        <p class="refs">{_t("Reflects:")}\n          {cited}</p>\n        '
    return (
        f'<p class="question">{_t(indicator.question)}</p>\n'
        f'      <details class="guidance"><summary>{_t("Guidance")}</summary>\n'
        f"        <p>{_t(indicator.guidance)}</p>\n"
        f"        {refs}\n"
        f"      </details>\n      "
    )


@dataclass
class Request:
    """What one request fills into the skeleton."""

    form: PillarForm | StoredPillarForm
    answers: dict
    editable: frozenset[str]
    conflicts: dict
    attached: dict
    comments: dict
    show_threads: bool
    assessment: Any
    country: str | None
    macros: Callable[[str], Any]


def questions(
    form: PillarForm | StoredPillarForm,
    pillar: PillarDef,
    answers: dict,
    editable: frozenset[str],
    conflicts: dict,
    attached: dict,
    comments: dict,
    show_threads: bool,
    assessment: Any,
) -> Markup:
    """The questions of the pillar page (the loop of pillar.html), filled for this request."""
    skel = skeleton(assessment.framework_version, pillar)
    env = current_app.jinja_env
    fill = Request(
        form, answers, editable, conflicts, attached, comments, show_threads, assessment,
        assessment.country.alpha2, lambda name: env.get_template(name).module,
    )  # fmt: skip
    aid = str(assessment.id)
    # Stored answers only (a GET: nothing typed, no errors): an unanswered indicator without files,
    # comments or conflict looks the same for every assessment of the country, but for the id.
    stored = (str(form.locale), fill.country, show_threads) if getattr(form, "stored", False) else None
    out: list[str] = []
    for indicator, skel_i in zip(pillar.indicators, skel.indicators, strict=True):
        code = skel_i.code
        if stored is None or code in answers or code in conflicts or attached.get(code) or comments.get(code):
            _indicator(out, fill, skel, skel_i, indicator, aid)
            continue
        key = (*stored, code in editable)
        found = skel_i.blank.get(key)
        if found is None:
            if len(skel_i.blank) > 256:  # a guard: few languages, countries and states
                skel_i.blank.clear()
            made: list[str] = []
            _indicator(made, fill, skel, skel_i, indicator, str(ID_MARK))
            found = skel_i.blank[key] = Marked("".join(made))
        out.append(found.fill(aid))
    return Markup("".join(out))  # noqa: S704 - escaped markup and values, as in the template


def part(name: str, pillar: PillarDef, assessment: Any) -> Markup:
    """One of the page's parts of templates/assessments/_pillar_parts.html, for this assessment."""
    found = skeleton(assessment.framework_version, pillar).parts[name]
    return Markup(found.fill(str(assessment.id)))  # noqa: S704 - rendered by the macro, with autoescape


def thread_forms(pillar: PillarDef, assessment: Any, csrf: str) -> Markup:
    """The comment forms after the questionnaire, one per indicator."""
    skel = skeleton(assessment.framework_version, pillar)
    forms = skel.parts["thread_forms"].fill(str(assessment.id))
    return Markup(forms.replace(CSRF_MARK, str(escape(csrf))))  # noqa: S704 - the macro's markup


def _errors(fill: Request, bound: Field) -> str:
    if not bound.errors:
        return ""
    return str(fill.macros("_macros.html").field_errors(bound))


def _indicator(out: list[str], fill: Request, skel: PillarSkeleton, s: IndicatorSkeleton, indicator, aid: str) -> None:
    sub: AnswerForm = fill.form.subform(s.code).form
    answer = fill.answers.get(s.code)
    errors = sub.errors
    editable = s.code in fill.editable
    out.append('\n    \n    \n    \n    <fieldset class="indicator')
    if errors:
        out.append(" has-errors")
    if s.code in fill.conflicts:
        out.append(" has-conflict")
    out.append(f'" id="q-{s.key}"')
    if not editable:
        out.append(" disabled")
    out.append(f'>\n      <legend><span class="num">{s.number}</span> {s.title}')
    if answer is not None and answer.review:
        out.append(str(fill.macros("review/_macros.html").review_badge(answer)))
    out.append("\n        ")
    if answer is not None and answer.to_confirm:
        out.append(s.carried)
        if editable:
            out.append(s.confirm)
    out.append("</legend>\n      ")
    out.append(s.fields["version"].render(sub.version, fill.country))
    out.append(s.fields["shown"].render(sub.shown, fill.country))
    out.append("\n      ")
    if s.code in fill.conflicts:
        out.append(str(fill.macros("review/_macros.html").conflict_note(fill.conflicts[s.code], indicator)))
    out.append("\n      ")
    out.append(s.about)
    if s.maturity:
        _maturity(out, fill, s, sub, errors)
    else:
        _fact(out, fill, s, sub, answer, indicator)
    out.append("\n    </fieldset>\n    ")
    files = fill.attached.get(s.code, [])
    if files:
        out.append(str(fill.macros("evidence/_macros.html").files_link(fill.assessment, indicator, files, editable)))
    else:
        out.append(s.files[editable].fill(aid))
    out.append("\n    ")
    if fill.show_threads:
        comments = fill.comments.get(s.code, [])
        if comments:
            thread = fill.macros("review/_macros.html").thread
            out.append(str(thread(fill.assessment, indicator, comments, s.key)))
        else:
            out.append(s.thread.fill(aid))
    out.append("\n  ")


def _maturity(out: list[str], fill: Request, s: IndicatorSkeleton, sub: AnswerForm, errors: dict) -> None:
    state = sub.state
    name = escape(state.name)
    chosen = state.data
    out.append('\n        <div class="levels">\n          ')
    for level, text in zip(LEVELS, s.levels, strict=True):
        checked = " checked" if chosen == str(level) else ""
        out.append(
            f'\n            <label class="level">\n              <input type="radio" name="{name}" value="{level}"'
            f"{checked}>"
            f"\n              {text}\n            </label>\n          "
        )
    na = " checked" if chosen == "na" else ""
    dont_know = " checked" if chosen == "dont_know" else ""
    out.append(
        f'\n          <div class="other-answers">\n'
        f'            <label><input type="radio" name="{name}" value="na"{na}> {s.other[0]}</label>\n'
        f'            <label><input type="radio" name="{name}" value="dont_know"{dont_know}> {s.other[1]}</label>\n'
        f"          </div>\n        </div>\n        "
    )
    out.append(_errors(fill, state))
    opened = sub.evidence_urls.data or sub.evidence_description.data or sub.comment.data or errors
    out.append(
        f'\n        <details class="evidence"{" open" if opened else ""}>\n'
        f"          <summary>{s.labels['evidence']}</summary>"
    )
    for name_, kwargs in _maturity_fields().items():
        bound = sub[name_]
        out.append(f"\n          <p>{s.labels[name_]}<br>")
        out.append(s.fields[name_].render(bound, fill.country, **kwargs))
        out.append(_errors(fill, bound))
        out.append("</p>")
    out.append("\n        </details>\n      ")


def _fact(out: list[str], fill: Request, s: IndicatorSkeleton, sub: AnswerForm, answer, indicator) -> None:
    out.append('\n        <div class="fact">\n          ')
    for n, name in enumerate(sub.question_fields):
        bound = sub[name]
        out.append("\n            ")
        if bound.type == "OptionalRadioField":
            out.append("\n              ")
            out.append(_options(s, bound, fill))
        else:
            unit = s.labels.get("unit", "") if n == 0 else ""
            out.append(f"\n              <label>{s.labels[name]}{unit} ")
            out.append(s.fields[name].render(bound, fill.country))
            out.append("</label>")
        out.append("\n            \n          ")
    out.append("\n          <label>")
    out.append(s.fields["dont_know"].render(sub.dont_know, fill.country))
    out.append(f" {s.labels['dont_know']}</label>\n          ")
    for name in sub.question_fields:
        out.append(_errors(fill, sub[name]))
    out.append(_errors(fill, sub.dont_know))
    out.append("\n          ")
    if sub.question.echoes:
        out.append("\n            ")
        understood = sub.understood()
        if understood:
            out.append(f'<p class="understood">{_t("Read as: %(value)s", value=understood)}</p>')
        elif answer is not None and answer.state == "value":
            text = answer_text(indicator, answer)
            out.append(f'<p class="understood">{_t("Saved as: %(value)s", value=text)}</p>')
        out.append("\n          ")
    out.append(f"\n          <p>{s.labels['comment']}<br>")
    out.append(s.fields["comment"].render(sub.comment, fill.country, rows=1))
    out.append(_errors(fill, sub.comment))
    out.append("</p>\n        </div>\n      ")


def _options(s: IndicatorSkeleton, bound: Field, fill: Request) -> str:
    """A radio group's options, each in its label (kept per state like any choice field)."""
    made = s.fields.setdefault("options:" + bound.short_name, FieldSkeleton()).made
    if bound.raw_data:
        return _render_options(bound)
    state = (fill.country, bound.data)
    if state not in made:
        if len(made) > 256:
            made.clear()
        made[state] = _render_options(bound)
    return made[state]


def _render_options(bound: Field) -> str:
    return "".join(f"<label>{option()} {escape(option.label.text)}</label>" for option in bound)
