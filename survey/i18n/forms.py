"""Forms in the reader's language: WTForms' own messages, and the digits readers of Arabic type.

WTForms' built-in messages ("Not a valid integer value.") are looked up in our own catalog
first, so translators see and fix them with the rest of the interface (and a new language gets
them too), then in the catalogs WTForms ships.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.i18n import translations as wtforms_translations

from survey.i18n.locale import catalog


class CatalogTranslations:
    """The gettext interface WTForms calls for its own messages."""

    def gettext(self, string: str) -> str:
        """Our translation, else WTForms' own, else the English message."""
        translated = catalog().ugettext(string)
        return translated if translated != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Our plural translation, else WTForms' own."""
        translated = catalog().ungettext(singular, plural, n)
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
