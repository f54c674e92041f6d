"""Numbers as people type them, read in their locale, bounded before any conversion.

"1 500 000,75" in French, "1,500,000.75" in English and "1.500.000,75" in Portuguese are the
same amount. The text is checked for length, characters and number of digits before Babel or
`Decimal` see it, so a body such as `1e1000000` or a 309-digit value costs microseconds and
gets a validation error, never a huge conversion or a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from survey.i18n.forms import NATIVE_DIGITS
from survey.questions.base import InvalidAnswer

MAX_CHARS = 40
# Spaces people put between groups of digits (plain, no-break, narrow no-break, thin) and the
# apostrophe some write for thousands.
GROUP_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
# Directional marks that Arabic text and copied numbers carry.
MARKS = re.compile(r"[\u200e\u200f\u061c]")
SHAPE = re.compile(r"[+-]?[0-9.,]*[0-9][0-9.,]*")
PLAIN = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
EXAMPLE = Decimal("1234567.89")
# Where the decimal symbol is a comma but CLDR groups with spaces (pt_PT, fr), people still write
# thousands with dots ("1.500.000,75"): that shape has only one reading.
DOT_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")


@dataclass(frozen=True)
class NumberRule:
    """What a number field accepts: a range and at most `places` decimals."""

    minimum: Decimal
    maximum: Decimal
    places: int
    range_message: Any  # a lazy translated text with %(min)s and %(max)s

    @property
    def max_digits(self) -> int:
        """Significant digits a number in range can have."""
        return len(str(int(self.maximum))) + self.places


def locale_symbols(locale: Locale) -> tuple[str, str]:
    """The locale's decimal and group symbols, with space-like groups written as a space."""
    group = get_group_symbol(locale)
    return get_decimal_symbol(locale), " " if GROUP_SPACES.fullmatch(group) else group


def plain_text(number: Decimal, locale: Locale) -> str:
    """A number for an input field: the locale's decimal symbol, no grouping ('1234,5' in French)."""
    return format_decimal(number, format="0.##########", locale=locale)


def _ambiguous(text: str, decimal: str, group: str) -> str | None:
    """The symbol of '1.500' in French: thousands written the English way, or a plain decimal."""
    for symbol in ".,":
        grouped = rf"[+-]?[0-9]{{1,3}}(?:{re.escape(symbol)}[0-9]{{3}})"
        if symbol not in (decimal, group) and re.fullmatch(grouped, text):
            return symbol
    return None


def _format_error(text: str, locale: Locale, rule: NumberRule) -> InvalidAnswer:
    example = EXAMPLE if rule.places else EXAMPLE.to_integral_value(ROUND_DOWN)
    # The typed text stays in the field next to the message, so the message does not repeat it.
    return InvalidAnswer(
        _(
            "This is not a number we can read. Write it like this: %(example)s.",
            example=format_decimal(example, locale=locale),
        )
    )


def _convert(text: str, locale: Locale, rule: NumberRule) -> Decimal:
    """Babel's strict reading in the locale, else the plain form ('1234.5') that every locale accepts."""
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation, ValueError):
        pass
    if PLAIN.fullmatch(text):
        return Decimal(text)
    raise _format_error(text, locale, rule)


def parse_number(text: str, locale: Locale, rule: NumberRule) -> Decimal:
    """Read typed text as a number of this rule, or raise InvalidAnswer with a translated message."""
    typed = text.strip()
    if len(typed) > MAX_CHARS:
        raise InvalidAnswer(_("This is too long for a number: use at most %(max)s characters.", max=MAX_CHARS))
    decimal, group = locale_symbols(locale)
    compact = GROUP_SPACES.sub("", MARKS.sub("", typed.translate(NATIVE_DIGITS)))
    if not SHAPE.fullmatch(compact):  # letters, exponents, "NaN", "Infinity", two signs...
        raise _format_error(typed, locale, rule)
    if symbol := _ambiguous(compact, decimal, group):
        raise InvalidAnswer(
            _(
                "This number could be read two ways: write %(whole)s or %(fraction)s.",
                whole=format_decimal(Decimal(compact.replace(symbol, "")), locale=locale),
                fraction=format_decimal(Decimal(compact.replace(symbol, ".", 1)), locale=locale),
            )
        )
    if decimal == "," and DOT_GROUPED.fullmatch(compact):
        compact = compact.replace(".", "")  # "1.500.000,75": dots can only group thousands here
    digits = compact.lstrip("+-").replace(".", "").replace(",", "").lstrip("0")
    if len(digits) > rule.max_digits:  # far out of range: refuse before converting
        raise _range_error(rule, locale)
    return check_number(_convert(compact, locale, rule), locale, rule)


def check_number(number: Decimal, locale: Locale, rule: NumberRule) -> Decimal:
    """A number within the rule's range and decimals (as given by a spreadsheet cell), or InvalidAnswer."""
    if not number.is_finite() or not rule.minimum <= number <= rule.maximum:
        raise _range_error(rule, locale)
    if -min(int(number.normalize().as_tuple().exponent), 0) > rule.places:
        if rule.places == 0:
            raise InvalidAnswer(_("Enter a whole number, without decimals."))
        raise InvalidAnswer(ngettext("Use at most %(num)d decimal.", "Use at most %(num)d decimals.", rule.places))
    return number.quantize(Decimal(1).scaleb(-rule.places))


def _range_error(rule: NumberRule, locale: Locale) -> InvalidAnswer:
    return InvalidAnswer(
        str(rule.range_message)
        % {"min": format_decimal(rule.minimum, locale=locale), "max": format_decimal(rule.maximum, locale=locale)}
    )
