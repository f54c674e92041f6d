"""Forms in the reader's language: WTForms' own messages, and numbers typed the reader's way.

WTForms' built-in messages ("Not a valid integer value.") are looked up in our own catalog
first, so translators see and fix them with the rest of the interface (and a new language gets
them too), then in the catalogs WTForms ships.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal
from flask_babel import get_locale, get_translations, ngettext
from flask_babel import gettext as _
from flask_wtf.i18n import translations as wtforms_translations


class CatalogTranslations:
    """The gettext interface WTForms calls for its own messages."""

    def gettext(self, string: str) -> str:
        """Our translation, else WTForms' own, else the English message."""
        translated = get_translations().ugettext(string)
        return translated if translated != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Our plural translation, else WTForms' own."""
        translated = get_translations().ungettext(singular, plural, n)
        if translated not in (singular, plural):
            return translated
        return wtforms_translations.ngettext(singular, plural, n)


CATALOG_TRANSLATIONS = CatalogTranslations()


class CatalogMeta:
    """Form Meta for every form and subform (WTForms' plain subforms otherwise stay English)."""

    def get_translations(self, form: object) -> CatalogTranslations:
        """The translations WTForms uses for its built-in messages."""
        return CATALOG_TRANSLATIONS


def _mark_for_extraction() -> None:  # pragma: no cover - never called
    """Put the WTForms messages our forms can show into the catalog (`flask translate update`)."""
    _("Not a valid integer value.")
    _("Not a valid decimal value.")
    _("Not a valid choice.")
    _("Invalid Choice: could not coerce.")
    _("This field is required.")
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    )


# Digits and separators readers of Arabic may type: Arabic-Indic and Persian digits, Arabic
# decimal and thousands separators.
NATIVE_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def parse_number(text: str, locale: Locale | str | None = None) -> Decimal:
    """A number typed the reader's way ('1 234,5' in French) or the plain way ('1234.5').

    Raises ValueError when it is neither.
    """
    locale = Locale.parse(str(locale or get_locale() or "en"))
    text = text.strip().translate(NATIVE_DIGITS)
    if SPACES.sub("", get_group_symbol(locale)) == "":  # groups written with spaces
        text = SPACES.sub("", text)
    try:
        number = parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise ValueError(text) from error
    if not number.is_finite():  # "NaN" or "Infinity" would break every comparison after
        raise ValueError(text)
    return number
