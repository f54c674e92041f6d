"""Compiling .po catalogs to the .mo files gettext reads, leaving out translations that would break.

A translator's slip must not break a page: a translation whose placeholders differ from the
source's would raise KeyError (or print the wrong number) when formatted, so it is left out of
the .mo and gettext shows the English source instead. A catalog that cannot be read at all, or
whose plural formula is invalid, is not compiled (an older .mo is removed): the language falls
back to English and a warning is logged. `flask translate status` and the status page list both.
"""

from __future__ import annotations

import gettext
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, PoFileParser, unescape

log = logging.getLogger(__name__)

# A printf conversion as Python's % operator reads it (flags, width, precision, length, type).
CONVERSION = re.compile(
    r"%(?:\((?P<name>\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa%])"
)
BRACE_FIELD = re.compile(r"\{(\w*)\}")
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!]")
# Babel's reader guesses its way past broken lines (an unclosed quote loses a letter), so each
# line is first checked against the PO grammar: a comment, a keyword and a string, or a string.
PO_LINE = re.compile(
    r'^\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(?:[^"\\]|\\.)*"'
    r'|"(?:[^"\\]|\\.)*")?\s*$'
)

# Problems that make a translation unusable: it is left out, so readers see the English source.
PLACEHOLDERS = "placeholders"
BARE_PERCENT = "bare_percent"
PLURAL_FORMS = "plural_forms"
# A problem worth fixing that cannot hurt a reader: the translation is kept (and escaped).
MARKUP_ADDED = "markup"
DROPPED = frozenset({PLACEHOLDERS, BARE_PERCENT, PLURAL_FORMS})


class CatalogError(Exception):
    """A catalog that cannot be compiled (syntax error, invalid plural formula), with where."""

    def __init__(self, name: str, reason: str, line: int | None = None):
        """Name the file (e.g. fr/LC_MESSAGES/messages.po), what is wrong and on which line."""
        self.name, self.reason, self.line = name, reason, line
        super().__init__(f"{name}, line {line}: {reason}" if line else f"{name}: {reason}")


@dataclass(frozen=True)
class Fault:
    """A translation with a problem, and whether readers see the English source instead."""

    msgid: str
    translation: str
    problem: str
    line: int | None = None  # of the entry's msgid in the .po file

    @property
    def dropped(self) -> bool:
        """Whether the translation is left out of the compiled catalog."""
        return self.problem in DROPPED


def _conversions(text: str) -> list[tuple[str, str]]:
    return sorted((m["name"] or "", m["type"]) for m in CONVERSION.finditer(text) if m["type"] != "%")


def _has_bare_percent(text: str) -> bool:
    return "%" in CONVERSION.sub("", text)


def _form_problem(sources: tuple[str, ...], translation: str, plural: bool) -> str | None:
    """What is wrong with one translated form, given the source text(s) it translates."""
    wanted = {c for source in sources for c in _conversions(source)}
    found = _conversions(translation)
    braces = {f for source in sources for f in BRACE_FIELD.findall(source)}
    if plural:  # a plural form may leave out the count ("one answer"), never add a name
        if not set(found) <= wanted or not set(BRACE_FIELD.findall(translation)) <= braces:
            return PLACEHOLDERS
    elif found != _conversions(sources[0]) or set(BRACE_FIELD.findall(translation)) != braces:
        return PLACEHOLDERS
    # Templates always %-format, so a lone % (French "50 % des") would raise or misprint there.
    if _has_bare_percent(translation) and (wanted or "%%" in "".join(sources)):
        return BARE_PERCENT
    if MARKUP.search(translation) and not any(MARKUP.search(s) for s in sources):
        return MARKUP_ADDED
    return None


def message_problem(message: Message, plurals: int) -> str | None:
    """The first problem of a translated message, or None when it is fine (or untranslated)."""
    if not message.id or not message.string:
        return None
    if isinstance(message.id, (list, tuple)):
        forms = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if len(forms) != plurals and any(forms):
            return PLURAL_FORMS
        problems = [_form_problem(tuple(message.id), form, True) for form in forms if form]
    else:
        if isinstance(message.string, (list, tuple)):
            return PLURAL_FORMS
        problems = [_form_problem((message.id,), message.string, False)]
    return next((p for p in problems if p), None)


def _text(value: str | tuple | list | None) -> str:
    return " / ".join(value) if isinstance(value, (list, tuple)) else value or ""


def previous_msgids(text: str) -> dict[str, str]:
    """The old English source of each entry (`#| msgid`), which Babel's reader drops."""
    found: dict[str, str] = {}
    previous: list[str] = []
    current: list[str] | None = None
    for line in [*text.splitlines(), ""]:
        if line.startswith("#| msgid "):
            previous, current = [unescape(line[9:].strip())], None
        elif line.startswith('#| "') and previous and current is None:
            previous.append(unescape(line[3:].strip()))
        elif line.startswith("msgid ") and previous:
            current = [unescape(line[6:].strip())]
        elif line.startswith('"') and current is not None:
            current.append(unescape(line.strip()))
        elif current is not None:
            found["".join(current)] = "".join(previous)
            previous, current = [], None
    return found


class _Parser(PoFileParser):
    """Babel's strict reader, except that an entry with too many plural forms is one faulty entry.

    Babel would reject the whole file; TRANSLATING.md promises only that entry is left out.
    """

    def __init__(self, catalog: Catalog):
        super().__init__(catalog, abort_invalid=True)
        self.extra_forms: set[int] = set()

    def _invalid_pofile(self, line: str, lineno: int, msg: str) -> None:
        if msg.startswith("msg has more translations than num_plurals"):
            self.extra_forms.add(lineno + 1)  # the extra forms are dropped; the entry is flagged
            return
        super()._invalid_pofile(line, lineno, msg)


class ReadCatalog(Catalog):
    """A catalog as read from a .po file, with the entries that had too many plural forms."""

    extra_forms: frozenset[int] = frozenset()


def read_catalog(po_path: Path) -> ReadCatalog:
    """Read a .po file strictly; raise CatalogError (with the line) when it is malformed."""
    name = "/".join(po_path.parts[-3:])  # e.g. fr/LC_MESSAGES/messages.po
    try:
        text = po_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line = po_path.read_bytes()[: error.start].count(b"\n") + 1
        raise CatalogError(name, "not saved as UTF-8", line) from error
    except OSError as error:
        raise CatalogError(name, error.strerror or str(error)) from error
    bad = next((n for n, line in enumerate(text.splitlines(), 1) if not PO_LINE.match(line)), None)
    if bad:
        raise CatalogError(name, "syntax error", bad)
    catalog = ReadCatalog()
    parser = _Parser(catalog)
    try:
        parser.parse(text.splitlines())
    except PoFileError as error:
        raise CatalogError(name, str(error).rsplit(" on ", 1)[0], error.lineno + 1) from error
    except ValueError as error:  # e.g. a Plural-Forms header Babel cannot read
        raise CatalogError(name, str(error), _header_line(text)) from error
    catalog.extra_forms = frozenset(parser.extra_forms)
    for msgid, previous in previous_msgids(text).items():
        if msgid in catalog:
            catalog[msgid].previous_id = [previous]
    try:
        gettext.c2py(catalog.plural_expr)
    except (ValueError, RecursionError) as error:
        raise CatalogError(name, f"invalid Plural-Forms formula {catalog.plural_expr!r}", _header_line(text)) from error
    return catalog


def _header_line(text: str) -> int | None:
    """The line of the Plural-Forms header, where its mistakes are."""
    return next((n for n, line in enumerate(text.splitlines(), 1) if "Plural-Forms:" in line), None)


def faults(catalog: Catalog) -> list[Fault]:
    """Every translated, non-fuzzy message with a problem."""
    extra_forms = catalog.extra_forms if isinstance(catalog, ReadCatalog) else frozenset()
    found = []
    for message in list(catalog)[1:]:
        if message.fuzzy:
            continue
        problem: str | None
        if message.lineno in extra_forms:
            problem = PLURAL_FORMS
        else:
            problem = message_problem(message, catalog.num_plurals)
        if problem:
            found.append(Fault(_text(message.id), _text(message.string), problem, message.lineno))
    return found


def compile_catalog(po_path: Path) -> list[Fault]:
    """Write the .mo next to the .po without the unusable translations; return the faults."""
    catalog = read_catalog(po_path)
    found = faults(catalog)
    dropped = {f.msgid for f in found if f.dropped}
    for message in list(catalog)[1:]:
        if _text(message.id) in dropped:
            catalog.delete(message.id, message.context)
    # Written aside then renamed: workers starting together never read a half-written .mo.
    folder = po_path.parent
    with tempfile.NamedTemporaryFile("wb", dir=folder, suffix=".tmp", delete=False) as handle:
        write_mo(handle, catalog)
    os.replace(handle.name, po_path.with_suffix(".mo"))
    return found


def compile_stale_catalogs(folder: Path) -> list[str]:
    """Compile every .po newer than its .mo; return the languages compiled."""
    compiled = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        language = po_path.parent.parent.name
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            found = compile_catalog(po_path)
        except CatalogError as error:
            # An older .mo would no longer match the .po the status page reports on: English
            # it is, until the catalog is fixed.
            mo_path.unlink(missing_ok=True)
            log.warning("Translations for %s not compiled, English is used instead: %s", language, error)
            continue
        except OSError:  # read-only install: the packaged .mo files are used as they are
            continue
        for fault in found:
            log.warning(
                "Translation for %s of %r %s: %s",
                language,
                fault.msgid,
                "left out" if fault.dropped else "kept",
                fault.problem,
            )
        compiled.append(language)
    return compiled
