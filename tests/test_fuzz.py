"""Property-based: 1,000 generated bodies per form never cause a 5xx or an unescaped echo.

The forms are found on the app's pages, opened by several users, so a new form is fuzzed too.
Bodies mix the form's own field names with unknown ones, leave fields out or repeat them, and
fill them with Unicode, control characters, oversized text and HTML/script payloads.
"""

from __future__ import annotations

import inspect
import io
import itertools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

from survey.accounts.tokens import ApiToken, create_token
from survey.assessments.models import Assessment, Status
from survey.audit.services import COMMAND_LINE
from survey.evidence.services import attach
from survey.extensions import db
from survey.frameworks.models import Indicator
from survey.plans.models import Action
from survey.projects.models import Project
from survey.recovery.links import link_token
from tests import factories
from tests.conftest import PG_URL, Auth, reset_rate_limits, rolled_back

pytestmark = pytest.mark.fuzz
# 1,000 different bodies per form in every run. When the suite runs on both databases, each backend
# posts its own half (a seed of its own): PostgreSQL, what production runs, is the stricter store
# (NUL characters, column lengths, integer ranges), and input must be bounded before either sees it.
BODIES_PER_FORM = 1000
# Each Hypothesis example posts a batch of independently drawn bodies: the engine's own work per
# example (seeding, bookkeeping) costs about as much as a cheap request, so batches halve it.
BODIES_PER_EXAMPLE = 5
EXAMPLES = BODIES_PER_FORM // (2 if PG_URL else 1) // BODIES_PER_EXAMPLE
SEEDS = {"sqlite": 1, "postgresql": 2}
PAYLOADS = (
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "<b onmouseover=x>bold</b>",
    "javascript:alert(1)//<svg/onload=alert(1)>",
)
RAW_MARKERS = ("<script>alert", "<img src=x", "<b onmouseover", "<svg/onload")
text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),  # any Unicode incl. control chars
    st.sampled_from(PAYLOADS),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "م", "\x00", "😀"]), st.integers(2000, 12000)),
    st.sampled_from(
        [
            "",
            "3",
            "na",
            "dont_know",
            "-1",
            "99999999999999999999",
            "1e309",
            "NaN",
            "yes",
            "accepted",
            "returned",
            "donors",
            "public",
            "GH",
            "admin",
            "legal",
            "2026-02-30",
        ]
    ),
)


def bodies(fields: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Lists of (name, value) pairs: known names (possibly repeated or missing) and unknown ones."""
    names = st.one_of(st.sampled_from(fields), st.text(max_size=20)) if fields else st.text(max_size=20)
    return st.lists(st.tuples(names, text), max_size=12)


# Who opens the pages, in this order: each form is posted by the first of them who is shown it
# with the most fields.
PERSONAS = ("sn-coordinator", "gh-validator", "gh-coordinator", "ml-coordinator", "admin", "donor", "anonymous")
# The forms are spread over a few tests, so that parallel workers share them.
SHARDS = 6
# Names a view reads from the request itself, beside its form's fields.
READ_DIRECTLY = re.compile(r"request\.(?:form|args|values)\.get(?:list)?\(\s*[\"'](\w+)[\"']")


@dataclass(frozen=True)
class Form:
    """A form as a page shows it, and the user who was shown it.

    URL variables that name an object of the setting are kept as (name, position) in the setting:
    each test makes the setting afresh, and PostgreSQL gives new objects new ids.
    """

    user: str
    method: str
    endpoint: str
    arguments: tuple[tuple[str, object], ...]
    query: str
    fields: tuple[str, ...]

    def url(self, app, setting: dict) -> str:
        """Where to send the form's bodies, for this test's setting."""
        values = {
            name: setting[value[0]][value[1]] if isinstance(value, tuple) else value for name, value in self.arguments
        }
        path = app.url_map.bind("localhost").build(self.endpoint, values, method=self.method)
        return f"{path}?{self.query}" if self.query else path


class FormParser(HTMLParser):
    """The forms of a page: method, action and the names of their fields (`form=` attributes too)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.elsewhere: list[tuple[str, str]] = []  # (form id, field name) of fields outside their form
        self.current: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.current = {"method": (a.get("method") or "get").upper(), "action": a.get("action", ""), "fields": []}
            self.forms.append(self.current)
            self.by_id[a.get("id", "")] = self.current
        elif tag in ("input", "select", "textarea", "button") and a.get("name"):
            if a.get("form"):
                self.elsewhere.append((a["form"], a["name"]))
            elif self.current is not None:
                self.current["fields"].append(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None

    def close(self) -> None:
        """Finish the page and give the fields outside their form to it."""
        super().close()
        for form_id, name in self.elsewhere:
            if form_id in self.by_id:
                self.by_id[form_id]["fields"].append(name)
        for form in self.forms:
            form["fields"] = list(dict.fromkeys(form["fields"]))


def make_setting() -> dict:
    """Values for the URLs of every page: a draft (Senegal's), a submitted assessment (Ghana's), a
    validated one, and a coordinator who may start one (Mali's)."""
    factories.make_user("ml-coordinator", ["coordinator"], country="ML")
    submitted = factories.submitted_assessment("gh-coordinator")
    draft = factories.start_assessment("sn-coordinator")
    validated = db.session.scalar(
        sa.select(Assessment.id).where(
            Assessment.country_id == submitted.country_id, Assessment.status == Status.VALIDATED
        )
    )
    # A file attached to the draft, so the pages that list, share and delete files show their forms.
    indicator = db.session.scalar(
        sa.select(Indicator).where(
            Indicator.framework_version_id == draft.framework_version_id, Indicator.code == "legal.substantive_offences"
        )
    )
    coordinator = factories.user("sn-coordinator")
    evidence = attach(draft, indicator, "decree.pdf", io.BytesIO(b"%PDF-1.4\n%fuzz\n"), coordinator)
    # A donor's API token, so the account page and the administrators' page show their revoke forms.
    create_token(factories.user("donor"), COMMAND_LINE, "fuzz")
    db.session.commit()
    token_id = db.session.scalar(sa.select(sa.func.max(ApiToken.id)))
    # The pillar with levels and every fact type; pillar forms are all made by the same code.
    return {
        "assessment_id": (draft.id, submitted.id, validated),
        "pillar_code": ("resources",),
        "file_id": (evidence.id,),
        "token_id": (token_id,),
        "token": (link_token(factories.user("gh-contributor")),),  # a password recovery link
        "code": ("legal.substantive_offences",),
        "user_id": (factories.user("gh-contributor").id,),
        "version_id": (draft.framework_version_id,),
        "region_code": ("ecowas",),
        "year": (2026,),
        "alpha2": ("GH",),
        "action_id": (db.session.scalar(sa.select(Action.id).order_by(Action.id)),),  # of Ghana's demo plan
        # The donor's public demo project for Ghana: the donor edits it, Ghana's coordinator confirms it.
        "project_id": (
            db.session.scalar(sa.select(Project.id).where(Project.title == "Demo: Cybercrime legislation review")),
        ),
    }


@pytest.fixture
def setting(app, demo) -> dict:
    return make_setting()


@pytest.fixture(scope="session")
def crawled_forms(databases) -> list[Form]:
    """The forms of every page, found once per backend in a setting that is rolled back."""
    app = databases.app("demo")
    with app.app_context(), rolled_back():
        return discover_forms(app, make_setting())


def page_urls(app, values: dict) -> list[str]:
    """Every page the app serves, with each value of its URL's variables (not files, not the API)."""
    adapter = app.url_map.bind("localhost")
    urls = set()
    for rule in app.url_map.iter_rules():
        if (
            "GET" not in rule.methods
            or rule.endpoint == "static"
            or rule.rule.startswith("/api/")
            or re.search(r"\.[^/]*$", rule.rule)
        ):
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"give the fuzz setting a value for {missing} (URL {rule.rule})"
        names = sorted(rule.arguments)
        for combination in itertools.product(*(values[name] for name in names)):
            urls.add(adapter.build(rule.endpoint, dict(zip(names, combination, strict=True))))
    return sorted(urls)


def signed_in(app, user: str):
    """A client signed in as this user (or not at all)."""
    client = app.test_client()
    if user != "anonymous":
        assert Auth(client).login(user).status_code == 302, user
    return client


def fields_read_by(app, endpoint: str) -> list[str]:
    """The request values a view reads itself (e.g. where to go back to)."""
    return READ_DIRECTLY.findall(inspect.getsource(inspect.unwrap(app.view_functions[endpoint])))


def in_setting(name: str, value: object, setting: dict) -> object:
    """A URL value as (name, position) in the setting when it is one of the setting's."""
    candidates = setting.get(name, ())
    return (name, candidates.index(value)) if value in candidates else value


# Forms no GET page shows, named here so they are fuzzed too: a workbook's preview follows its upload;
# the single-decision review steps of the one-form review page remain for clients that post them;
# a file's sharing and removal forms sit on its indicator's files page; carried answers' confirmation;
# a project import's preview follows its upload.
SUBMITTED, DRAFT = ("assessment_id", ("assessment_id", 1)), ("assessment_id", ("assessment_id", 0))
FILE = ("file_id", ("file_id", 0))
SHOWN_AFTER_A_POST = (
    Form("sn-coordinator", "POST", "workbooks.apply", (DRAFT,), "", ("token", "filename", "keep", "cancel")),
    Form("gh-validator", "POST", "review.accept_unflagged", (SUBMITTED,), "", ()),
    Form("gh-validator", "POST", "review.send_back", (SUBMITTED,), "", ()),
    Form("gh-validator", "POST", "review.validate", (SUBMITTED,), "", ()),
    Form(
        "gh-validator",
        "POST",
        "review.decide",
        (SUBMITTED, ("code", "legal.substantive_offences")),
        "",
        ("decision", "comment"),
    ),
    Form("sn-coordinator", "POST", "evidence.share", (FILE,), "", ("public",)),
    Form("sn-coordinator", "POST", "evidence.delete", (FILE,), "", ()),
    # Shown on a pillar page only while answers carried from last cycle wait for confirmation.
    Form("sn-coordinator", "POST", "assessments.confirm", (DRAFT, ("pillar_code", "legal")), "", ("code", "all")),
    Form("donor", "POST", "projects.apply_import", (), "", ("token", "filename", "apply", "cancel")),
)


def discover_forms(app, setting: dict) -> list[Form]:
    """Every form of every page, one per endpoint and method, and those shown after a POST."""
    adapter = app.url_map.bind("localhost")
    found: dict[tuple[str, str], Form] = {}
    for user in PERSONAS:
        client = signed_in(app, user)
        for page in page_urls(app, setting):
            response = client.get(page)
            if response.status_code != 200 or response.mimetype != "text/html":
                response.close()  # a download (an evidence file) holds its file open until closed
                continue
            parser = FormParser()
            parser.feed(response.get_data(as_text=True))
            parser.close()
            for form in parser.forms:
                method, target = form["method"], urlsplit(urljoin(page, form["action"]))
                endpoint, arguments = adapter.match(target.path, method=method)
                fields = [name for name in form["fields"] if name != "csrf_token"]
                fields += [name for name in fields_read_by(app, endpoint) if name not in fields]
                if (endpoint, method) in found and len(found[endpoint, method].fields) >= len(fields):
                    continue  # seen already, with as many fields (the needs view shows more rates to donors)
                found[endpoint, method] = Form(
                    user,
                    method,
                    endpoint,
                    tuple((name, in_setting(name, value, setting)) for name, value in arguments.items()),
                    target.query if method == "POST" else "",
                    tuple(fields),
                )
    for form in SHOWN_AFTER_A_POST:
        found.setdefault((form.endpoint, form.method), form)
    return list(found.values())


# What a browser escapes in a form body: all but what urllib's quote_plus keeps as it is.
UNSAFE = re.compile(rb"[^A-Za-z0-9_.~ -]+")


def urlencode(pairs: list[tuple[str, str]]) -> str:
    """The pairs as a browser encodes a form, one escape step per run of bytes rather than per byte."""

    def quote(text: str) -> str:
        escaped = UNSAFE.sub(lambda run: b"%" + run.group().hex("%").encode(), text.encode())
        return escaped.decode().replace(" ", "+")

    return "&".join(f"{quote(name)}={quote(value)}" for name, value in pairs)


def assert_safe(response, body: list[tuple[str, str]]) -> None:
    assert response.status_code < 500, (response.status_code, body)
    page = response.get_data(as_text=True)
    for marker in RAW_MARKERS:
        assert marker not in page, (marker, body)


def test_every_post_route_has_a_form_that_is_fuzzed(app, crawled_forms):
    shown = {(form.endpoint, form.method) for form in crawled_forms}
    hidden = sorted(
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and (rule.endpoint, "POST") not in shown
    )
    assert hidden == [], "no page shows a form for these POST routes; extend the setting:\n" + "\n".join(hidden)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_generated_bodies_never_break_a_form(app, setting, crawled_forms, shard):
    failures = []
    for form in crawled_forms[shard::SHARDS]:
        with rolled_back():  # each form starts from the setting, whatever the one before changed
            try:
                fuzz(app, form, form.url(app, setting))
            except AssertionError as error:
                failures.append(f"{form.method} {form.endpoint} as {form.user}: {error}")
    assert failures == [], "\n".join(failures)


def fuzz(app, form: Form, url: str) -> None:
    """Send generated bodies to one form as the user who was shown it, each from the same signed-in browser.

    The bodies go straight to the WSGI app: the test client would also turn every URL back into
    an IRI for its cookie jar, which costs as much as the request itself for the long query strings.
    """
    reset_rate_limits()  # the sign-in form's bodies count as failed sign-ins from this address
    session = signed_in(app, form.user).get_cookie(app.config["SESSION_COOKIE_NAME"])
    headers = {"Cookie": f"{session.key}={session.value}"} if session else {}

    @seed(SEEDS[db.engine.dialect.name])
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(batch=st.lists(bodies(list(form.fields)), min_size=BODIES_PER_EXAMPLE, max_size=BODIES_PER_EXAMPLE))
    def post_batch(batch):
        for body in batch:
            post(body)
        posted.append(len(batch))

    def post(body):
        sent = urlencode(body)
        request = EnvironBuilder(
            url,
            method=form.method,
            headers=headers,
            data=None if form.method == "GET" else sent,
            content_type=None if form.method == "GET" else "application/x-www-form-urlencoded",
            query_string=sent if form.method == "GET" else None,
        )
        try:
            app_iter, status, response_headers = run_wsgi_app(app, request.get_environ(), buffered=True)
        finally:
            request.close()
        response = app.response_class(b"".join(app_iter), status=status, headers=response_headers)
        assert_safe(response, body)
        if form.endpoint == "accounts.login" and response.status_code == 302:  # a generated body cannot sign in
            raise AssertionError(body)

    posted: list[int] = []
    post_batch()
    assert sum(posted) == EXAMPLES * BODIES_PER_EXAMPLE, f"{sum(posted)} bodies posted"
