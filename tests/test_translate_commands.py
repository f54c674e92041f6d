"""`flask translate compile` and `status` survive every fault TRANSLATING.md warns about, name it by
file and line, compile the other languages, and fail only when asked to (`--strict`)."""

from __future__ import annotations

import gettext
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import escape

from survey import create_app
from survey.config import TestConfig

ROOT = Path(__file__).resolve().parent.parent
PLURAL = "Field cannot be longer than %(max)d character."

# One French entry per kind of mistake TRANSLATING.md names ("Rules that keep pages working").
FAULTY_FRENCH = {
    "Results: %(country)s, %(year)s": "Résultats : %(pays)s, %(year)s",  # placeholder translated
    "Enter a year between %(min)s and %(max)s.": "Saisissez une année.",  # placeholders removed
    "Methodology": "Méthodologie %(version)s",  # placeholder added
    "Version %(version)s": "Version {version}",  # another placeholder syntax
    "Use at least %(n)d characters.": "Au moins %(n)d caractères (100 % nécessaire).",  # single %
    "Framework": "<b>Cadre</b>",  # HTML
}


def po_file(folder: Path, language: str) -> Path:
    return folder / language / "LC_MESSAGES" / "messages.po"


def break_translation(path: Path, msgid: str, translation: str) -> int:
    """Replace one entry's translation in place; return the line of its msgid."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\nmsgid {escape(msgid)}\nmsgstr ") + 1
    msgstr = text.index("msgstr ", start)
    end = text.index("\n", msgstr)
    path.write_text(text[:msgstr] + f"msgstr {escape(translation)}" + text[end:], encoding="utf-8")
    return text[:start].count("\n") + 1


def add_plural_form(path: Path) -> int:
    """Give a French plural entry a third form (French has two); return the line of its msgid."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\nmsgid {escape(PLURAL)}\n") + 1
    end = text.index("\n\n", start)
    path.write_text(text[:end] + '\nmsgstr[2] "Le champ est trop long."' + text[end:], encoding="utf-8")
    return text[:start].count("\n") + 1


def unclosed_quote(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '\nmsgid "Broken\nmsgstr "Partido"\n', encoding="utf-8")
    return text.count("\n") + 2


def invalid_plural_formula(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("plural=(n != 1);", "plural=(n != 1;"), encoding="utf-8")
    return text[: text.index("Plural-Forms:")].count("\n") + 1


def not_utf8(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1", errors="replace"))  # as an old editor would save it
    return next(n for n, line in enumerate(text.splitlines(), 1) if not line.isascii())


@pytest.fixture
def translations(tmp_path) -> Path:
    """A copy of the shipped catalogs with every kind of faulty entry in French."""
    folder = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", folder, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    return folder


def run(folder: Path, *args: str):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", TRANSLATIONS_DIR=str(folder))
    result = app.test_cli_runner().invoke(args=["translate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.mark.parametrize("break_portuguese", [unclosed_quote, invalid_plural_formula, not_utf8])
def test_faulty_catalogs_are_reported_by_line_and_the_others_compiled(
    translations, break_portuguese: Callable[[Path], int]
):
    french = po_file(translations, "fr")
    lines = {PLURAL: add_plural_form(french)}  # first: it adds a line
    lines |= {msgid: break_translation(french, msgid, bad) for msgid, bad in FAULTY_FRENCH.items()}
    portuguese_line = break_portuguese(po_file(translations, "pt"))

    for command in (["compile"], ["status"]):
        result = run(translations, *command)
        assert result.exit_code == 0, result.output
        for msgid, line in lines.items():
            assert f"fr/LC_MESSAGES/messages.po:{line}: {msgid!r}"[:-1] in result.output, (command, msgid)
        assert (
            f"pt/LC_MESSAGES/messages.po:{portuguese_line}:" in result.output
            or f"pt/LC_MESSAGES/messages.po, line {portuguese_line}:" in result.output
        )
        for problem in ("placeholders differ", "percent sign", "plural forms", "HTML markup"):
            assert problem in result.output, (command, problem)
        assert run(translations, *command, "--strict").exit_code == 1

    compiled = {p.parent.parent.name for p in translations.glob("*/LC_MESSAGES/messages.mo")}
    assert compiled == {"ar", "fr"}  # Portuguese readers see English until the file is fixed
    with open(french.with_suffix(".mo"), "rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    assert catalog.gettext("Legal framework") == "Cadre juridique"
    assert catalog.gettext("Version %(version)s") == "Version %(version)s"  # left out: English
    assert catalog.gettext("Framework") == "<b>Cadre</b>"  # kept, and escaped when shown


def test_sound_catalogs_pass_strict(translations):
    assert run(translations, "compile", "--strict").exit_code == 0
    assert {p.parent.parent.name for p in translations.glob("*/LC_MESSAGES/messages.mo")} >= {"ar", "fr", "pt"}
