"""Numbers: a count, a percentage and an amount of money with its currency."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any, ClassVar

from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import Form, SelectChoice, SelectField, ValidationError
from wtforms.fields.core import UnboundField

from survey.frameworks.definition import IndicatorDef
from survey.frameworks.extract import count_with_unit
from survey.i18n.formats import format_money
from survey.questions.base import (
    VALUE,
    Columns,
    DemoContext,
    InvalidAnswer,
    SingleColumnType,
    StoredAnswer,
    WorkbookCell,
    WorkbookInput,
)
from survey.questions.currencies import country_currencies, country_currency, currency_choices, current_currencies
from survey.questions.fields import NumberField
from survey.questions.numbers import NumberRule, check_number, parse_number


class NumberType(SingleColumnType):
    """A number typed as text in the reader's locale, bounded by `rule`."""

    columns: ClassVar[tuple[str, ...]] = ("number_value",)
    rule: ClassVar[NumberRule]
    label: ClassVar[Any] = _l("Number")
    inputmode: ClassVar[str] = "decimal"
    echoes = True

    def form_fields(self, indicator: IndicatorDef) -> dict[str, UnboundField]:
        """One text input, `value`."""
        return {"value": NumberField(self.label, rule=self.rule, inputmode=self.inputmode)}

    def export_value(self, indicator: IndicatorDef, columns: Columns) -> dict[str, Any]:
        """The number as a JSON number."""
        return {"value": json_number(columns.get("number_value"))}

    def workbook_input(self, indicator: IndicatorDef, country: str | None = None) -> WorkbookInput:
        """A number within the rule's range (whole when the rule has no decimals)."""
        return WorkbookInput(
            "decimal" if self.rule.places else "whole",
            minimum=json_number(self.rule.minimum),
            maximum=json_number(self.rule.maximum),
        )

    def workbook_read(self, indicator: IndicatorDef, value: Any, extra: Any, locale: Locale) -> dict[str, Any]:
        """A number cell as it is, or text read in the workbook's language ('1 500,5' in French)."""
        return {"number_value": self.workbook_number(value, locale)}

    def workbook_number(self, value: Any, locale: Locale) -> Decimal:
        """The number of a cell within the rule (a spreadsheet number, or text)."""
        if isinstance(value, bool):
            raise InvalidAnswer(_("This is not a number we can read."))
        if isinstance(value, int | float | Decimal):
            # str() of a float is its shortest form: 0.1 stays 0.1, not 0.1000000000000000055...
            return check_number(Decimal(str(value)), locale, self.rule)
        return parse_number(str(value), locale, self.rule)


def json_number(value: Decimal | None) -> int | float | None:
    """A whole number as an integer, anything else as a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class Count(NumberType):
    """A whole number of things (cases, staff, requests), written with the indicator's unit."""

    name = "count"
    is_quantity = True
    inputmode = "numeric"
    rule = NumberRule(Decimal(0), Decimal(10**9), 0, _l("Enter a whole number between %(min)s and %(max)s."))

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> str:
        """'1 234 cases' in French."""
        number = columns["number_value"]
        text = format_decimal(number, format="#,##0", locale=locale)
        if indicator.unit and indicator.unit_one:  # each language's plural forms ("11 حادثة")
            one, other = count_with_unit(indicator.unit_one, indicator.unit)
            return ngettext(one, other, int(number), number=text)
        # i18n: a count and its unit, e.g. "12 cases"
        return _("%(number)s %(unit)s", number=text, unit=_(indicator.unit)) if indicator.unit else text

    def export_value(self, indicator: IndicatorDef, columns: Columns) -> dict[str, Any]:
        """The number and what it counts (the framework's unit, untranslated: a stable key)."""
        return {**super().export_value(indicator, columns), "unit": indicator.unit}

    def table_headers(self, heading: str) -> list[str]:
        """The number, then its unit."""
        return [heading, _("%(column)s: unit", column=heading)]

    def table_cells(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> list[Any]:
        """The number, and its unit in the reader's language."""
        return [columns.get("number_value"), _(indicator.unit) if indicator.unit else None]

    def workbook_cell(self, indicator: IndicatorDef, columns: Columns) -> WorkbookCell:
        """A whole number with grouping."""
        return WorkbookCell(json_number(columns.get("number_value")), "#,##0")

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """A few to a few hundred."""
        return StoredAnswer(VALUE, {"number_value": Decimal(rng.randrange(5, 400))})


class Percentage(NumberType):
    """A share from 0 to 100, written with the locale's per cent sign and spacing."""

    name = "percent"
    label = _l("Per cent")
    rule = NumberRule(Decimal(0), Decimal(100), 2, _l("Enter a percentage between %(min)s and %(max)s."))

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> str:
        """'24 %' in French, '24%' in English, keeping up to two decimals."""
        share = (columns["number_value"] / 100).normalize()
        return format_percent(share, locale=locale, decimal_quantization=False)

    def workbook_cell(self, indicator: IndicatorDef, columns: Columns) -> WorkbookCell:
        """A share the spreadsheet shows as a percentage."""
        value = columns.get("number_value")
        return WorkbookCell(None if value is None else float(value / 100), "0.##%")

    def workbook_input(self, indicator: IndicatorDef, country: str | None = None) -> WorkbookInput:
        """A share from 0 to 1, shown as 0 % to 100 %."""
        return WorkbookInput("decimal", minimum=0, maximum=1)

    def workbook_read(self, indicator: IndicatorDef, value: Any, extra: Any, locale: Locale) -> dict[str, Any]:
        """A percentage cell holds a share (0.24); typed text is the number of per cent ('24 %')."""
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return {"number_value": self.workbook_number(Decimal(str(value)) * 100, locale)}
        return {"number_value": self.workbook_number(str(value).replace("%", "").replace("\u066a", ""), locale)}

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """A share between 5 and 70 per cent."""
        return StoredAnswer(VALUE, {"number_value": Decimal(rng.randrange(5, 70))})


def _currency_needed(form: Form, field: SelectField) -> None:
    if form.value.data is not None and not field.data:
        raise ValidationError(_l("Choose the currency of the amount."))


class Money(NumberType):
    """An amount and its currency: the country's own currency comes first and preselected."""

    name = "money"
    columns = ("number_value", "currency")
    is_quantity = True
    label = _l("Amount")
    workbook_extra = True  # the currency, next to the amount
    rule = NumberRule(Decimal(0), Decimal(10**15), 2, _l("Enter an amount between %(min)s and %(max)s."))

    def form_fields(self, indicator: IndicatorDef) -> dict[str, UnboundField]:
        """The amount, `value`, and its currency, `currency`."""
        return {
            **super().form_fields(indicator),
            "currency": SelectField(_l("Currency"), choices=[], validate_choice=True, validators=[_currency_needed]),
        }

    def prepare(self, form: Form, locale: Locale, country: str | None) -> None:
        """Current currencies in the reader's language; the country's preselected on a new answer."""
        form.currency.choices = list(currency_choices(str(locale), country))
        if form.currency.raw_data is None and not form.currency.data:
            form.currency.data = country_currency(country) or ""

    def read(self, form: Form) -> dict[str, Any]:
        """The amount, and its currency when there is an amount."""
        amount = form.value.data
        return {"number_value": amount, "currency": (form.currency.data or None) if amount is not None else None}

    def fill(self, form: Form, stored: StoredAnswer) -> None:
        """Show the amount and its currency (even one no longer in use)."""
        super().fill(form, stored)
        currency = stored.columns.get("currency")
        if currency:
            if currency not in {choice.value for choice in form.currency.choices}:
                form.currency.choices = [*form.currency.choices, SelectChoice(currency, currency)]
            form.currency.data = currency

    def display(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> str:
        """'XOF 82,000,000' in English, '1 500 000,75 XOF' in French: the ISO code, no empty cents."""
        amount, currency = columns["number_value"], columns.get("currency")
        if not currency:
            return format_decimal(amount, locale=locale)
        return format_money(amount, currency, locale)

    def export_value(self, indicator: IndicatorDef, columns: Columns) -> dict[str, Any]:
        """The amount and the ISO code of its currency."""
        return {**super().export_value(indicator, columns), "currency": columns.get("currency")}

    def table_headers(self, heading: str) -> list[str]:
        """The amount, then its currency."""
        return [heading, _("%(column)s: currency", column=heading)]

    def table_cells(self, indicator: IndicatorDef, columns: Columns, locale: Locale) -> list[Any]:
        """The amount as a number and the currency code."""
        return [columns.get("number_value"), columns.get("currency")]

    def workbook_cell(self, indicator: IndicatorDef, columns: Columns) -> WorkbookCell:
        """The amount, formatted with its currency code."""
        currency = columns.get("currency") or ""
        return WorkbookCell(json_number(columns.get("number_value")), f'#,##0.00 "{currency}"')

    def workbook_extra_cell(self, indicator: IndicatorDef, columns: Columns) -> Any:
        """The currency's ISO code."""
        return columns.get("currency")

    def workbook_extra_input(self, country: str | None) -> WorkbookInput:
        """A drop-down of current currency codes, the country's first."""
        own = country_currencies(country)
        return WorkbookInput("list", tuple(own + [code for code in current_currencies() if code not in own]))

    def workbook_read(self, indicator: IndicatorDef, value: Any, extra: Any, locale: Locale) -> dict[str, Any]:
        """The amount and its currency code, which must be given and be current."""
        amount = self.workbook_number(value, locale)
        currency = str(extra or "").strip().upper()
        if not currency:
            raise InvalidAnswer(_("Choose the currency of the amount."))
        if currency not in current_currencies():
            raise InvalidAnswer(_("“%(code)s” is not a currency code in use.", code=currency[:10]))
        return {"number_value": amount, "currency": currency}

    def demo_value(self, indicator: IndicatorDef, rng: random.Random, context: DemoContext) -> StoredAnswer:
        """Millions in the country's currency."""
        return StoredAnswer(
            VALUE,
            {
                "number_value": Decimal(rng.randrange(2, 90) * 1_000_000),
                "currency": country_currency(context.country) or "USD",
            },
        )
