"""How complete each language is: UI and questionnaire strings, fuzzy, untranslated, faulty.

The source is what the code and the framework contain now (extracted like `translate update`
does), not what the .po files remember: a string whose English text changed counts as
untranslated until `flask translate update` marks its old translation fuzzy.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from flask_babel import lazy_gettext as _l

from survey.i18n.catalogs import (
    BARE_PERCENT,
    MARKUP_ADDED,
    PLACEHOLDERS,
    PLURAL_FORMS,
    CatalogError,
    Fault,
    faults,
    read_catalog,
)

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
QUESTIONNAIRE = "survey/frameworks/data/*.yaml"
PROBLEMS = {
    PLACEHOLDERS: _l("Its placeholders differ from the English source; readers see the English text."),
    BARE_PERCENT: _l("A percent sign must be written twice (%%) in this text; readers see the English text."),
    PLURAL_FORMS: _l(
        "Its number of plural forms does not match the catalog's Plural-Forms header; readers see the English text."
    ),
    MARKUP_ADDED: _l("It contains HTML markup that the English source does not have; it is shown as plain text."),
}
SKIPPED_DIRS = {".venv", ".git", "node_modules", "__pycache__", "instance", "translations"}


@dataclass(frozen=True)
class SourceMessage:
    """A string of the code or framework, keyed like a catalog message."""

    key: str
    questionnaire: bool


@dataclass(frozen=True)
class Completeness:
    """Translated strings out of all the strings of one kind."""

    translated: int
    total: int

    @property
    def share(self) -> float:
        """Translated share between 0 and 1 (1 when there is nothing to translate)."""
        return self.translated / self.total if self.total else 1.0

    @property
    def shown_share(self) -> float:
        """The share rounded down to a whole per cent, so that 100% is shown only when complete."""
        return math.floor(self.share * 100) / 100


def problem_label(problem: str) -> str:
    """What is wrong with a faulty translation, in the reader's language."""
    return str(PROBLEMS[problem])


@dataclass(frozen=True)
class FuzzyEntry:
    """A translation waiting for review, usually because its English source changed."""

    msgid: str
    translation: str
    previous_msgid: str | None


@dataclass
class LanguageStatus:
    """The state of one language's catalog."""

    code: str
    ui: Completeness = Completeness(0, 0)
    questionnaire: Completeness = Completeness(0, 0)
    untranslated: int = 0
    fuzzy: list[FuzzyEntry] = field(default_factory=list)
    faulty: list[Fault] = field(default_factory=list)
    error: str | None = None


def _key(message_id: str | tuple | list) -> str:
    return message_id[0] if isinstance(message_id, (list, tuple)) else message_id


def _fingerprint(root: Path) -> tuple:
    """Changes whenever a file that may hold strings changes, so extraction reruns only then."""
    stamps = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        stamps += [
            (f"{folder}/{name}", os.stat(f"{folder}/{name}").st_mtime_ns)
            for name in files
            if name.endswith((".py", ".html", ".yaml", ".cfg"))
        ]
    return tuple(sorted(stamps))


def source_messages(root: Path) -> list[SourceMessage]:
    """Every translatable string of the code, templates and framework, as babel.cfg says."""
    return list(_extract(root, _fingerprint(root)))


@lru_cache(maxsize=2)
def _extract(root: Path, fingerprint: tuple) -> tuple[SourceMessage, ...]:
    with open(root / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    locations: dict[str, list[str]] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("i18n:",),
        directory_filter=lambda path: Path(path).name not in SKIPPED_DIRS,
    ):
        locations.setdefault(_key(message), []).append(filename)
    return tuple(
        SourceMessage(key, any(PurePosixPath(f).match(QUESTIONNAIRE) for f in files))
        for key, files in locations.items()
    )


def _is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return all(strings) and not message.fuzzy


def language_status(code: str, catalog: Catalog, sources: list[SourceMessage]) -> LanguageStatus:
    """Completeness of one catalog against the current source strings."""
    found = faults(catalog)
    broken = {f.msgid.split(" / ")[0] for f in found if f.dropped}
    done = {_key(m.id) for m in list(catalog)[1:] if _is_translated(m)} - broken
    fuzzy = [
        FuzzyEntry(
            _key(m.id),
            _key(m.string) if m.string else "",
            _key(m.previous_id) if m.previous_id else None,
        )
        for m in list(catalog)[1:]
        if m.fuzzy and m.id
    ]
    ui = [s for s in sources if not s.questionnaire]
    questionnaire = [s for s in sources if s.questionnaire]
    fuzzy_keys = {f.msgid for f in fuzzy}
    return LanguageStatus(
        code=code,
        ui=Completeness(sum(s.key in done for s in ui), len(ui)),
        questionnaire=Completeness(sum(s.key in done for s in questionnaire), len(questionnaire)),
        untranslated=sum(s.key not in done and s.key not in fuzzy_keys and s.key not in broken for s in sources),
        fuzzy=fuzzy,
        faulty=found,
    )


def sources_from_catalogs(translations_dir: Path) -> list[SourceMessage]:
    """The strings the catalogs know, when the source tree (babel.cfg) is not installed."""
    found: dict[str, bool] = {}
    for po_path in translations_dir.glob("*/LC_MESSAGES/messages.po"):
        try:
            catalog = read_catalog(po_path)
        except CatalogError:
            continue
        for message in list(catalog)[1:]:
            found[_key(message.id)] = any(
                PurePosixPath(location).match(QUESTIONNAIRE) for location, _line in message.locations
            )
    return [SourceMessage(key, questionnaire) for key, questionnaire in found.items()]


def translation_status(translations_dir: Path, root: Path) -> list[LanguageStatus]:
    """The status of every language with a catalog, English (the source) excepted."""
    if (root / "babel.cfg").exists():
        sources = source_messages(root)
    else:
        sources = sources_from_catalogs(translations_dir)
    statuses = []
    for po_path in sorted(translations_dir.glob("*/LC_MESSAGES/messages.po")):
        code = po_path.parent.parent.name
        if code == "en":
            continue
        try:
            statuses.append(_catalog_status(code, po_path, _digest(po_path), tuple(sources)))
        except CatalogError as error:  # readers see English: nothing counts as translated
            questionnaire = sum(s.questionnaire for s in sources)
            statuses.append(
                LanguageStatus(
                    code,
                    ui=Completeness(0, len(sources) - questionnaire),
                    questionnaire=Completeness(0, questionnaire),
                    untranslated=len(sources),
                    error=str(error),
                )
            )
    return statuses


def _digest(po_path: Path) -> str | None:
    try:
        return hashlib.sha256(po_path.read_bytes()).hexdigest()
    except OSError:
        return None  # read_catalog says why


@lru_cache(maxsize=16)
def _catalog_status(code: str, po_path: Path, digest: str | None, sources: tuple[SourceMessage, ...]) -> LanguageStatus:
    """One catalog's status, parsed again only when its content or the source strings change."""
    return language_status(code, read_catalog(po_path), list(sources))
