"""Bad catalogs never break a page; the status names what is missing or faulty; new languages need
no code."""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po, write_po
from flask import Flask

from survey.i18n.catalogs import (
    BARE_PERCENT,
    MARKUP_ADDED,
    PLACEHOLDERS,
    PLURAL_FORMS,
    message_problem,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def translations(tmp_path) -> Path:
    """A copy of the shipped catalogs (sources only) that a test may break."""
    folder = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", folder, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    return folder


def set_translation(folder: Path, language: str, msgid: str, translation: str) -> None:
    """Replace one translation in a copied catalog."""
    path = folder / language / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    assert msgid in catalog, msgid
    catalog[msgid].string = translation
    with open(path, "wb") as handle:
        write_po(handle, catalog)


@pytest.fixture
def warnings_logged() -> Iterator[list[str]]:
    """Warnings the catalog compiler logs."""
    records: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: records.append(record.getMessage())
    logger = logging.getLogger("survey.i18n.catalogs")
    # Alembic's fileConfig() disables existing loggers whenever an earlier test ran migrations.
    was_disabled, logger.disabled = logger.disabled, False
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)
    logger.disabled = was_disabled


def page(app: Flask, path: str) -> tuple[int, str]:
    response = app.test_client().get(path)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("bad", ["Version %(numero)s", "Version {version}", "Version"])
def test_translation_with_wrong_placeholder_shows_english_instead_of_failing(
    translations, make_app, warnings_logged, bad
):
    set_translation(translations, "fr", "Version %(version)s", bad)
    status, html = page(make_app(translations), "/framework?lang=fr")
    assert status == 200
    assert "Version 2026" in html  # the English source, with the number filled in
    assert "Cadre juridique" in html  # the rest of the page stays French
    assert any("Version %(version)s" in w for w in warnings_logged)


def test_translation_with_markup_is_shown_as_text_not_run(translations, make_app):
    set_translation(translations, "fr", "Framework", "<script>alert(1)</script>Cadre")
    status, html = page(make_app(translations), "/framework?lang=fr")
    assert status == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Cadre" in html
    assert "<script>alert(1)" not in html


def test_catalog_with_syntax_error_falls_back_to_english_and_warns(translations, make_app, warnings_logged):
    make_app(translations)  # compiles a good .mo first, as an earlier start would have
    path = translations / "fr" / "LC_MESSAGES" / "messages.po"
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "Broken\nmsgstr oops\n', encoding="utf-8")
    later = path.stat().st_mtime + 2  # newer than the .mo even on coarse file system clocks
    os.utime(path, (later, later))
    app = make_app(translations)
    status, html = page(app, "/framework?lang=fr")
    assert status == 200
    assert "Legal framework" in html and "Cadre juridique" not in html
    assert page(app, "/framework?lang=pt")[1].count("Quadro jurídico")  # other languages unharmed
    assert any("fr" in w and "English" in w for w in warnings_logged)
    status = app.test_cli_runner().invoke(args=["translate", "status"]).output
    assert re.search(r"^fr +0% .*\n +cannot be compiled.*line \d+", status, re.MULTILINE)


def test_catalog_with_invalid_plural_formula_falls_back_to_english(translations, make_app, warnings_logged):
    path = translations / "fr" / "LC_MESSAGES" / "messages.po"
    text = path.read_text(encoding="utf-8").replace("plural=(n > 1);", "plural=(n > 1;")
    path.write_text(text, encoding="utf-8")
    status, html = page(make_app(translations), "/framework?lang=fr")
    assert status == 200 and "Legal framework" in html
    assert any("Plural-Forms" in w for w in warnings_logged)


@pytest.mark.parametrize(
    ("msgid", "translation", "problem"),
    [
        ("%(n)s of %(total)s answered", "%(n)s sur %(totale)s", PLACEHOLDERS),
        ("%(n)s of %(total)s answered", "%(n)s répondus", PLACEHOLDERS),
        ("Error %(code)s", "Erreur {code}", PLACEHOLDERS),
        ("Coverage %(coverage)s.", "Couverture %(coverage)s, 50 % pour A.", BARE_PERCENT),
        ("Framework", "<b>Cadre</b>", MARKUP_ADDED),
        (("%(num)s answer", "%(num)s answers"), ("%(num)s réponse",), PLURAL_FORMS),
        (
            ("%(num)s answer", "%(num)s answers"),
            ("une réponse", "%(nombre)s réponses"),
            PLACEHOLDERS,
        ),
    ],
)
def test_faulty_translations_are_recognised(msgid, translation, problem):
    assert message_problem(Message(msgid, translation), plurals=2) == problem


@pytest.mark.parametrize(
    ("msgid", "translation"),
    [
        ("%(n)s of %(total)s answered", "%(total)s : %(n)s répondus"),  # reordering is fine
        ("Coverage %(coverage)s.", "Couverture : %(coverage)s, soit 50 %% des poids."),
        (("%(num)s answer", "%(num)s answers"), ("une réponse", "%(num)s réponses")),
    ],
)
def test_sound_translations_are_accepted(msgid, translation):
    assert message_problem(Message(msgid, translation), plurals=2) is None


@pytest.fixture
def translator_client(make_app, translations):
    """A factory: the app on these catalogs with demo accounts, and a client signed in."""

    def sign_in(username: str = "translator"):
        client = make_app(translations, data="demo").test_client()
        client.post("/login", data={"username": username, "password": "demo"})
        return client

    return sign_in


def test_status_page_names_faulty_untranslated_and_fuzzy_strings(translations, translator_client):
    set_translation(translations, "pt", "Version %(version)s", "Versão %(versao)s")
    set_translation(translations, "ar", "Methodology", "")
    path = translations / "fr" / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    catalog["Framework"].flags.add("fuzzy")
    catalog["Framework"].previous_id = ["The framework"]
    with open(path, "wb") as handle:
        write_po(handle, catalog, include_previous=True)

    html = translator_client().get("/translations").get_data(as_text=True)
    portuguese = html.split('id="lang-pt"')[1]
    assert "Version %(version)s" in portuguese and "Versão %(versao)s" in portuguese
    assert "Its placeholders differ from the English source" in portuguese
    french = html.split('id="lang-fr"')[1].split('id="lang-pt"')[0]
    assert "Fuzzy strings to review (1)" in french and "The framework" in french
    arabic = html.split('id="lang-ar"')[1].split('id="lang-fr"')[0]
    translated, total = map(int, re.search(r"Interface: (\d+) of (\d+)", arabic).groups())
    assert translated == total - 1 and "Faulty strings (0)" in arabic
    summary_row = html.split('href="#lang-ar"')[1].split("</tr>")[0]
    assert "100%" not in summary_row.split("<td>")[1]  # the interface share of Arabic


@pytest.mark.parametrize("username", ["donor", "gh-coordinator", "gh-contributor"])
def test_status_page_is_for_translators_and_administrators_only(translator_client, username):
    client = translator_client(username)
    assert client.get("/translations").status_code == 403
    assert "/translations" not in client.get("/framework").get_data(as_text=True)


def test_administrator_sees_the_status_page_in_the_menu(translator_client):
    client = translator_client("admin")
    assert 'href="/translations"' in client.get("/framework").get_data(as_text=True)
    assert client.get("/translations").status_code == 200


def test_status_command_reports_completeness_per_kind(translations, make_app):
    set_translation(translations, "fr", "Legal framework", "")  # a questionnaire string
    result = make_app(translations).test_cli_runner().invoke(args=["translate", "status", "--check"])
    counts = {
        line.split()[0]: re.findall(r"\((\d+)/(\d+)\)", line)
        for line in result.output.splitlines()
        if re.match(r"(fr|pt) ", line)
    }
    (fr_ui, fr_questionnaire), (pt_ui, pt_questionnaire) = counts["fr"], counts["pt"]
    assert fr_ui == pt_ui  # the interface is as complete as before...
    assert int(fr_questionnaire[0]) == int(pt_questionnaire[0]) - 1  # ...the questionnaire is not
    assert fr_questionnaire[1] == pt_questionnaire[1]
    assert result.exit_code != 0 and "fr" in result.output.splitlines()[-1]


def test_new_language_appears_in_the_switcher_without_code_or_restart(translations, make_app):
    app = make_app(translations)
    assert "Kiswahili" not in page(app, "/")[1]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["translate", "init", "sw"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["translate", "compile"]).exit_code == 0
    assert (translations / "sw" / "LC_MESSAGES" / "messages.mo").exists()
    status, html = page(app, "/?lang=sw")
    assert status == 200
    assert 'value="sw"' in html and "Kiswahili" in html
    assert '<html lang="sw" dir="ltr">' in html
    assert not (ROOT / "translations" / "sw").exists()


def test_starting_an_existing_language_again_keeps_its_translations(translations, make_app):
    path = translations / "fr" / "LC_MESSAGES" / "messages.po"
    before = path.read_text(encoding="utf-8")
    result = make_app(translations).test_cli_runner().invoke(args=["translate", "init", "fr"])
    assert result.exit_code != 0 and "update" in result.output
    assert path.read_text(encoding="utf-8") == before


def test_status_without_the_source_tree_compares_the_catalogs(translations, tmp_path):
    from survey.i18n.status import translation_status

    set_translation(translations, "pt", "Legal framework", "")
    statuses = {s.code: s for s in translation_status(translations, tmp_path)}  # no babel.cfg
    assert statuses["fr"].questionnaire.share == 1 and statuses["fr"].ui.share == 1
    assert statuses["pt"].questionnaire.translated == statuses["pt"].questionnaire.total - 1
