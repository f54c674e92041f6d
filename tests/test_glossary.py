"""The glossary's key terms are translated the same way in every message of every catalog."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "translations" / "glossary.csv"
LANGUAGES = ["fr", "pt", "ar"]


def glossary() -> list[dict[str, str]]:
    with GLOSSARY.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def deviations(catalog: Catalog, language: str, terms: list[dict[str, str]]) -> list[str]:
    """Messages that use a glossary term but whose translation does not use the agreed one.

    A capitalised single word ("Framework", "Validated", a stage name) is a label: its own
    message must be translated exactly so. Any other term must appear, in one of its listed
    forms (separated by "|"), in every translation of a message whose source uses it.
    """
    found = []
    for term in terms:
        source, agreed = term["en"], term[language].split("|")
        label = source[:1].isupper() and " " not in source and not source.isupper()
        flags = 0 if source.isupper() else re.IGNORECASE  # "CERT", not "certified"
        uses = re.compile(rf"(?<![\w(]){re.escape(source)}s?(?!\w)", flags)  # not %(pillar)s
        for message in catalog:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            if not message.id or not all(texts):
                continue
            if label:
                wrong = ids[0] == source and texts[0] not in agreed
            else:
                wrong = any(uses.search(i) for i in ids) and not all(
                    any(form.lower() in text.lower() for form in agreed) for text in texts
                )
            if wrong:
                found.append(f"{source!r} in {ids[0][:60]!r}: {texts[0][:80]!r}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_uses_the_glossary_terms(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    assert deviations(catalog, language, glossary()) == []


def test_glossary_names_every_term_in_every_language():
    for term in glossary():
        assert all(term[language].strip() for language in LANGUAGES), term["en"]


def test_a_translation_that_strays_from_the_glossary_is_named():
    catalog = Catalog(locale="fr")
    catalog.add("Framework", "Cadre")
    catalog.add("Framework version: %(version)s.", "Version du cadre : %(version)s.")
    catalog.add("Your answers to “%(pillar)s” are saved.", "Vos réponses sont enregistrées.")
    catalog.add("The country’s validator reviews each indicator.", "Le validateur examine chaque indicateur.")
    found = deviations(catalog, "fr", glossary())
    assert sorted(entry.split(" in ")[0] for entry in found) == ["'Framework'", "'framework version'"]
