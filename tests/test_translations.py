"""The catalogs: complete, well-formed, and faithful to the source's placeholders."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["fr", "pt", "ar"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(language: str):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_code_and_framework_is_translated(language, source_ids):
    translated = {m.id for m in catalog(language) if m.id and m.string and not m.fuzzy}
    assert sorted(source_ids - translated) == []


def forms(text: str | tuple) -> tuple[str, ...]:
    return text if isinstance(text, (list, tuple)) else (text,)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_source(language):
    for message in catalog(language):
        if message.id and message.string:
            wanted = {name for text in forms(message.id) for name in PLACEHOLDER.findall(text)}
            for text in forms(message.string):
                assert set(PLACEHOLDER.findall(text)) == wanted, message.id
                assert "<" not in text or "<" in message.id, message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_left_out_when_compiled(language):
    from survey.i18n.catalogs import faults, read_catalog

    assert faults(read_catalog(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po")) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_passes_msgfmt_check(language):
    if not shutil.which("msgfmt"):
        pytest.skip("GNU gettext's msgfmt is not installed (CI installs it)")
    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Cadre juridique"), ("pt", "Quadro jurídico"), ("ar", "الإطار القانوني")]
)
def test_questionnaire_is_shown_in_the_reader_language(client, language, expected):
    page = client.get(f"/framework?lang={language}").get_data(as_text=True)
    assert expected in page
    assert "Substantive cybercrime offences" not in page
