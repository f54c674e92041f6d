"""Property-based: 1,000 generated bodies per form never cause a 5xx or an unescaped echo.

Bodies mix the form's own field names with unknown ones, leave fields out or repeat them, and
fill them with Unicode, control characters, oversized text and HTML/script payloads.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey.accounts.models import User
from survey.assessments import services
from survey.assessments.forms import make_pillar_form
from survey.extensions import db
from tests.conftest import Auth

EXAMPLES = 1000
PAYLOADS = ('<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "<b onmouseover=x>bold</b>",
            "javascript:alert(1)//<svg/onload=alert(1)>")
RAW_MARKERS = ("<script>alert", "<img src=x", "<b onmouseover", "<svg/onload")
text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),  # any Unicode incl. control chars
    st.sampled_from(PAYLOADS),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "م", "\x00", "😀"]), st.integers(2000, 12000)),
    st.sampled_from(["", "3", "na", "dont_know", "-1", "99999999999999999999", "1e309", "NaN", "yes",
                     "accepted", "returned", "donors", "public", "GH", "admin", "legal", "2026-02-30"]),
)


def bodies(fields: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Lists of (name, value) pairs: known names (possibly repeated or missing) and unknown ones."""
    names = st.one_of(st.sampled_from(fields), st.text(max_size=20)) if fields else st.text(max_size=20)
    return st.lists(st.tuples(names, text), max_size=12)


def pillar_fields(pillar_code: str) -> list[str]:
    """Every input name of a pillar's form."""
    from survey.frameworks.services import ensure_default_framework

    pillar = ensure_default_framework().definition.pillar(pillar_code)
    form = make_pillar_form(pillar)
    return [sub.name for field in form if hasattr(field, "form") for sub in field.form] + ["save", "save_next"]


@pytest.fixture
def setting(app, demo) -> dict:
    coordinator = db.session.scalar(sa.select(User).where(User.username == "gh-coordinator"))
    draft = services.start_assessment(coordinator, services.current_cycle())
    db.session.commit()
    contributor = db.session.scalar(sa.select(User).where(User.username == "gh-contributor"))
    return {"draft": draft.id, "contributor": contributor.id}


def forms(setting: dict) -> list[tuple[str, str, list[str]]]:
    """(user, url, field names) of every form, posted by someone allowed to use it."""
    draft, user_id = setting["draft"], setting["contributor"]
    account = ["username", "full_name", "roles", "country", "active", "password", "confirm"]
    return [
        ("anonymous", "/login", ["username", "password", "remember"]),
        ("gh-coordinator", "/language", ["lang", "next"]),
        ("gh-coordinator", f"/assessments/{draft}/pillars/legal", pillar_fields("legal")),
        ("gh-coordinator", f"/assessments/{draft}/pillars/resources", pillar_fields("resources")),
        ("gh-coordinator", f"/assessments/{draft}/submit", []),
        ("gh-coordinator", f"/assessments/{draft}/release", ["visibility"]),
        ("gh-coordinator", f"/assessments/{draft}/indicators/legal.substantive_offences/comments", ["body", "back"]),
        ("gh-validator", f"/assessments/{draft}/validation/legal.substantive_offences", ["decision", "comment"]),
        ("gh-coordinator", "/team/", [f"user_{user_id}"]),
        ("admin", "/admin/users/new", account),
        ("admin", f"/admin/users/{user_id}", account),
        ("admin", f"/admin/users/{user_id}/password", ["password", "confirm"]),
        ("admin", "/admin/audit", ["action", "outcome", "username", "country", "since", "until", "before"]),
    ]


def assert_safe(response, body: list[tuple[str, str]]) -> None:
    assert response.status_code < 500, (response.status_code, body)
    page = response.get_data(as_text=True)
    for marker in RAW_MARKERS:
        assert marker not in page, (marker, body)


@pytest.mark.parametrize("index", range(13))
def test_generated_bodies_never_break_a_form(app, setting, index):
    with app.test_request_context():
        user, url, fields = forms(setting)[index]
    client = app.test_client()
    if user != "anonymous":
        assert Auth(client).login(user).status_code == 302
    method = "GET" if url.startswith("/admin/audit") else "POST"

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(body=bodies(fields))
    def post(body):
        if method == "GET":
            response = client.get(url, query_string=MultiDict(body))
        else:
            response = client.post(url, data=MultiDict(body))
        assert_safe(response, body)
        if url == "/login" and response.status_code == 302:  # a generated body cannot sign in
            raise AssertionError(body)

    post()
