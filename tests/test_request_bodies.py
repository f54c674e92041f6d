"""Form bodies and query strings: decoded as Werkzeug would, in bounded time, and refused when abnormal."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.pages.request import parse_pairs

# Escapes whole and broken, separators, backslashes (the decoder's own escape character) and non-ASCII text.
PIECES = st.sampled_from(
    ["%", "%4", "%41", "%e9", "%C3%A9", "%F0%9F", "%zz", "+", "&", "=", "\\", "\\x41", "a", "é", "😀"]
)
RAW = st.lists(st.one_of(PIECES, st.text(st.characters(exclude_categories=("Cs",)), max_size=5)), max_size=30).map(
    "".join
)


@settings(max_examples=500, deadline=None, database=None, derandomize=True)
@given(text=st.one_of(RAW, st.text(st.characters(exclude_categories=("Cs",))).map(quote_plus)))
def test_bodies_decode_as_werkzeug_decodes_them(text):
    assert parse_pairs(text) == parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")


def test_a_long_escaped_answer_arrives_whole(client, auth, demo):
    comment = "مرسوم " * 50_000  # 600 KB once escaped
    response = client.post("/login?lang=ar", data={"username": comment, "password": "x"})
    assert response.status_code == 422 and "مرسوم مرسوم" in response.get_data(as_text=True)


def test_a_body_with_more_fields_than_any_form_is_refused(app, client):
    body = "&".join(f"f{n}=x" for n in range(app.config["MAX_FORM_PARTS"] + 1))
    response = client.post("/login?lang=fr", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "volumineuses" in response.get_data(as_text=True)
