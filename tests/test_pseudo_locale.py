"""Every page, for every kind of user, in a pseudo-language: no English text may leak through.

The pseudo-locale en_XA turns each catalog string into accented, lengthened text ("Save" ->
"[Šåṽé ~~]"), keeping placeholders and markup. A word of plain ASCII letters left on a page is
then either user data (country names, usernames, demo answers) or a string that did not go
through gettext. New pages are covered automatically: the test walks `app.url_map`.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale, localedata
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from babel.numbers import list_currencies
from flask import Flask

from survey import create_app
from survey.config import TestConfig
from survey.extensions import db
from survey.i18n.catalogs import compile_catalog
from survey.i18n.cli import extract_command
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PSEUDO = "en_XA"
ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# Kept as they are: printf and format placeholders, markup and entities.
PROTECTED = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]"
    r"|\{\w*\}|<[^>]*>|&\w+;"
)
ROLES = {
    "anonymous": None,
    "contributor": "sn-contributor",
    "coordinator": "sn-coordinator",
    "validator": "gh-validator",
    "donor": "donor",
    "admin": "admin",
    "translator": "translator",
}
# Text that is not the interface's to translate. Keep this list short and explain each entry.
ALLOWED = (
    "CyberReady",  # the product's name
    "AM",
    "PM",  # times formatted by Babel with the pseudo-locale's (English) CLDR data
    "UTC",
    "GMT",  # time-zone names from CLDR, written after every time
)
# Error pages a reader can meet by GET: not found, and a form's address opened directly.
ERROR_PAGES = ("/no-such-page", "/logout")
VISIBLE_ATTRIBUTES = (
    "title",
    "aria-label",
    "placeholder",
    "alt",
    "data-message",
    "data-restore",
    "data-discard",
)


def pseudo(text: str) -> str:
    """Accent and lengthen a message, leaving placeholders and markup intact."""
    if not text:
        return text
    parts, last = [], 0
    for match in PROTECTED.finditer(text):
        parts += [text[last : match.start()].translate(ACCENTED), match.group()]
        last = match.end()
    parts.append(text[last:].translate(ACCENTED))
    return "[" + "".join(parts) + " " + "~" * max(2, len(text) // 3) + "]"


def build_pseudo_catalog(folder: Path) -> None:
    """Extract the current source strings and write them, pseudo-translated, as en_XA."""
    pot = folder / "messages.pot"
    subprocess.run(extract_command(pot), cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="en", domain="messages")
    for message in list(template)[1:]:
        string = tuple(pseudo(s) for s in message.id) if isinstance(message.id, tuple) else pseudo(message.id)
        catalog.add(message.id, string, locations=message.locations, flags=message.flags)
    target = folder / PSEUDO / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True)
    with open(target, "wb") as handle:
        write_po(handle, catalog)
    assert compile_catalog(target) == []  # placeholders survived the pseudo-translation


@pytest.fixture(scope="module")
def pseudo_app(tmp_path_factory, sqlite_files) -> Iterator[Flask]:
    """An app on SQLite with demo data whose only extra language is the pseudo-locale."""
    folder = tmp_path_factory.mktemp("pseudo")
    build_pseudo_catalog(folder)
    # CLDR has no data for the pseudo-locale: it borrows English's dates and numbers.
    localedata._cache[PSEUDO] = localedata.load("en")
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=sqlite_files.copy("demo", folder / "db.sqlite"),
        TRANSLATIONS_DIR=str(folder),
    )
    yield app
    with app.app_context():
        db.engine.dispose()
    localedata._cache.pop(PSEUDO, None)


class VisibleText(HTMLParser):
    """The text a reader sees (and hears: labels, titles), without scripts, styles and code."""

    SKIPPED = {"script", "style", "code", "pre", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.figures: list[dict] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.SKIPPED:
            self.skipping.append(tag)
        self.texts += [attributes[a] for a in VISIBLE_ATTRIBUTES if attributes.get(a)]
        if attributes.get("data-figure"):
            self.figures.append(json.loads(attributes["data-figure"]))
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def figure_texts(figure: dict) -> list[str]:
    """Titles, axis labels, legend names and hover templates of a Plotly figure."""
    layout = figure.get("layout", {})
    texts = [layout.get("title", {}).get("text", "")]
    polar = layout.get("polar", {})
    texts += [str(t) for t in polar.get("radialaxis", {}).get("ticktext", [])]
    for trace in figure.get("data", []):
        texts += [
            trace.get("name", ""),
            re.sub(r"%\{[^}]*\}|</?extra>|<br>", " ", trace.get("hovertemplate", "")),  # markup, not words
        ]
        texts += [str(t) for t in trace.get("theta", [])]
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def user_data(pseudo_app) -> re.Pattern:
    """Strings that come from data, not from the interface, as one whole-word pattern."""
    from survey.accounts.models import User
    from survey.countries.models import Country
    from survey.demo import DEMO_NOTE, DEMO_PLAN
    from survey.i18n.locale import OWN_SHORT_NAMES, language_name
    from survey.projects.imports import COLUMNS as PROJECT_COLUMNS
    from survey.projects.models import Project

    with pseudo_app.app_context():
        users = db.session.scalars(db.select(User)).all()
        data = [u.username for u in users] + [u.full_name for u in users]
        data += db.session.scalars(db.select(Country.alpha3)).all()  # ISO codes in the map's table
        for project in db.session.scalars(db.select(Project)):  # projects are data their owners typed
            data += [project.title, project.implementer, project.contact, *project.donors, *project.targets]
    data += list(PROJECT_COLUMNS)  # the column names of an import file, the same in every language
    english = Locale("en")
    data += [name for code, name in english.territories.items() if len(code) == 2 and code.isalpha()]
    data += [names["en"] for names in OWN_SHORT_NAMES.values()]  # "Cabo Verde", as the country asks
    data += [DEMO_NOTE, *ALLOWED]
    data += [text for agency, what, *_rest in DEMO_PLAN for text in (agency, what)]  # Ghana's demo plan
    data += [name for code in list_currencies() if (name := english.currencies.get(code))]
    data += list(list_currencies()) + list(english.currency_symbols.values())
    data += list(english.months["format"]["wide"].values())  # dates written with English CLDR data
    data += [language_name(code) for code in ("en", "fr", "pt", "ar", PSEUDO)]
    alternatives = "|".join(re.escape(item) for item in sorted(set(data), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")


ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}(?:[ '’-][A-Za-z]+)*")


def leaks(texts: list[str], data: re.Pattern) -> list[str]:
    """English words left in the texts once user data is removed."""
    found = []
    # Only a text with a run of plain letters can leak: the data pattern (hundreds of names) is
    # tried on those alone. Removing data only blanks letters out, so it cannot make a new run.
    for text in filter(ENGLISH_WORDS.search, texts):
        found += ENGLISH_WORDS.findall(data.sub(" ", text))
    return found


def url_values(client, version_id: int) -> dict[str, object]:
    """Values for URL parameters, taken from what this user can open (a draft if any)."""
    listing = client.get(f"/assessments/?lang={PSEUDO}").get_data(as_text=True)
    ids = re.findall(r'href="/assessments/(\d+)"', listing) or re.findall(r'href="/assessments/(\d+)', listing)
    with client.application.app_context():
        token = factories.recovery_token("gh-contributor")  # a working link: its page shows the form
    return {
        "assessment_id": int(ids[0]) if ids else 1,
        "pillar_code": "legal",
        "code": "legal.substantive_offences",
        "user_id": 1,
        "version_id": version_id,
        "region_code": "ecowas",
        "year": 2026,
        "panel": "ranking",
        "file_id": 1,
        "action_id": 1,  # the first action of Ghana's demo plan
        "fmt": "csv",
        "alpha2": "NG",
        "key": "0" * 32,  # a chart image (an SVG, no text of the page)
        "_rest": "no-such-thing",
        "project_id": 1,  # the first demo project, public
        "token": token,
    }


@pytest.fixture(scope="module")
def version_id(pseudo_app) -> int:
    """The shipped framework version."""
    from survey.frameworks.models import FrameworkVersion

    with pseudo_app.app_context():
        return db.session.scalar(db.select(FrameworkVersion.id))


def get_pages(app: Flask) -> list:
    """Every rule reachable by GET, except static files."""
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]


@pytest.mark.parametrize("role", list(ROLES))
def test_no_english_leaks_on_any_page(pseudo_app, user_data, version_id, role):
    client = pseudo_app.test_client()
    problems: dict[str, list[str]] = {}
    if ROLES[role]:
        response = client.post(f"/login?lang={PSEUDO}", data={"username": ROLES[role], "password": "demo"})
        assert response.status_code == 302
    values = url_values(client, version_id)
    paths = list(ERROR_PAGES)
    for rule in get_pages(pseudo_app):
        missing = set(rule.arguments) - set(values)
        assert not missing, f"add a demo value for {missing} (URL {rule.rule}) to url_values()"
        paths.append(
            pseudo_app.url_map.bind("localhost").build(rule.endpoint, {name: values[name] for name in rule.arguments})
        )
    for path in paths:
        response = client.get(f"{path}?lang={PSEUDO}")
        if response.status_code in (301, 302, 303) or response.mimetype != "text/html":
            continue
        page = VisibleText()
        page.feed(response.get_data(as_text=True))
        texts = page.texts + [t for figure in page.figures for t in figure_texts(figure)]
        if found := leaks(texts, user_data):
            problems[f"{path} ({response.status_code})"] = sorted(set(found))
    assert not problems, "English text on pages:\n" + "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_form_errors_are_translated_too(pseudo_app, user_data, version_id):
    client = pseudo_app.test_client()
    client.post(f"/login?lang={PSEUDO}", data={"username": "sn-coordinator", "password": "demo"})
    assessment_id = url_values(client, version_id)["assessment_id"]
    response = client.post(
        f"/assessments/{assessment_id}/pillars/justice?lang={PSEUDO}",
        data={
            "justice__trained_prosecutors-value": "many",
            "justice__cybercrime_unit-state": "9",
        },
    )
    login = pseudo_app.test_client().post(f"/login?lang={PSEUDO}", data={"username": "x" * 80})
    assert response.status_code == 422
    page, sign_in = VisibleText(), VisibleText()
    page.feed(response.get_data(as_text=True))
    sign_in.feed(login.get_data(as_text=True))
    errors = [t for t in page.texts + sign_in.texts if t.strip().startswith("[")]
    assert errors  # the messages are there, pseudo-translated...
    assert leaks(page.texts + sign_in.texts, user_data) == []  # ...and none is English


def test_pseudo_translation_keeps_placeholders_and_markup():
    assert pseudo("Save") == "[Šåṽé ~~]"
    assert pseudo("%(n)s of %(total)s answered").startswith("[%(n)s öƒ %(total)s")
    assert "<strong>" in pseudo("<strong>Note</strong> {name}") and "{name}" in pseudo("{name}")
