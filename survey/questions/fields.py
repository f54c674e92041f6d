"""WTForms fields that read answers the way the reader types them and keep the typed text."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from babel import Locale
from babel.dates import format_date, parse_date
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import Form, RadioField, StringField
from wtforms.widgets import DateInput, TextInput

from survey.i18n.formats import formatting_locale
from survey.i18n.forms import NATIVE_DIGITS
from survey.questions.base import InvalidAnswer
from survey.questions.numbers import MAX_CHARS, NumberRule, parse_number, plain_text

EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
DATE_SHAPE = re.compile(r"[0-9]{1,4}([-./ ][0-9]{1,4}){2}")
DATE_MARKS = re.compile(r"[\u200e\u200f\u061c\s]+")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def reader_locale() -> Locale:
    """The reader's formatting locale (pt_PT for Portuguese; English outside a request)."""
    return formatting_locale() if get_locale() else Locale.parse("en")


class OptionalRadioField(RadioField):
    """A radio group that may be left empty (an unanswered question is not an error)."""

    data: Any

    def pre_validate(self, form: Form) -> None:
        """Accept no choice; otherwise the choice must be one offered."""
        if self.data in (None, ""):
            self.data = None
            return
        super().pre_validate(form)


class TypedTextField(StringField):
    """A text input whose text is parsed; a failed parse keeps the typed text for correction."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse the typed text; empty text is no answer."""
        text = valuelist[0] if valuelist else ""
        self.data = None
        if text.strip():
            try:
                self.data = self.parse(text)
            except InvalidAnswer as error:
                raise ValueError(str(error)) from error

    def parse(self, text: str) -> Any:
        """The value of non-empty typed text, or InvalidAnswer."""
        raise NotImplementedError

    def show(self, value: Any) -> str:
        """A stored value as text the parser reads back."""
        return str(value)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.show(self.data)


class NumberField(TypedTextField):
    """A number typed the reader's way ('1 500 000,75' in French), within a range."""

    def __init__(
        self, label: Any = None, validators: Any = None, *, rule: NumberRule, inputmode: str = "decimal", **kwargs: Any
    ):
        """A text input with the keyboard for numbers and the length bound of the parser."""
        render_kw = {
            "inputmode": inputmode,
            "maxlength": MAX_CHARS,
            "autocomplete": "off",
            "size": 16,
            **kwargs.pop("render_kw", {}),
        }
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.rule = rule

    def parse(self, text: str) -> Any:
        """The number, in range, read in the reader's locale."""
        return parse_number(text, reader_locale(), self.rule)

    def show(self, value: Any) -> str:
        """Without grouping, with the locale's decimal symbol, so it reads back unchanged."""
        return plain_text(value, reader_locale())


def parse_day(text: str, locale: Locale) -> date:
    """A date as ISO (what date pickers send) or as the reader writes it short ('03/05/2021' in French)."""
    typed = DATE_MARKS.sub("", text.translate(NATIVE_DIGITS)) if len(text) <= MAX_CHARS else ""
    try:
        if ISO_DATE.fullmatch(typed):
            day = date.fromisoformat(typed)
        elif DATE_SHAPE.fullmatch(typed):
            day = parse_date(typed, locale=locale, format="short")
        else:
            raise ValueError(typed)
    except (ValueError, IndexError) as error:  # Babel raises IndexError on some shapes
        example = date(2021, 5, 31)
        raise InvalidAnswer(
            _(
                "This is not a date we can read. Write it like this: %(example)s.",
                example=format_date(example, "short", locale=locale),
            )
        ) from error
    if not EARLIEST <= day <= LATEST:
        raise InvalidAnswer(_("Enter a date between %(first)s and %(last)s.", first=EARLIEST.year, last=LATEST.year))
    return day


class DayField(TypedTextField):
    """A calendar date: the browser's date picker, or text typed the reader's way."""

    widget = DateInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any):
        """A date input bounded like the parser."""
        render_kw = {"min": EARLIEST.isoformat(), "max": LATEST.isoformat(), **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def parse(self, text: str) -> date:
        """The date, within the accepted years."""
        return parse_day(text, reader_locale())

    def show(self, value: date) -> str:
        """ISO, the only form a date input shows."""
        return value.isoformat()
