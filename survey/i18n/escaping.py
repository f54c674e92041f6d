"""Lazy translations are text, so templates must escape them like any other text.

Flask-Babel's LazyString declares `__html__` returning the raw string, which makes Jinja and
MarkupSafe treat every lazy translation as trusted HTML: a form error that quotes user input
("“<script>…” is not a valid web address") or a faulty catalog entry would reach the page
unescaped. Patching `__html__` once at start-up makes lazy strings escaped like plain ones.
"""

from __future__ import annotations

from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


def _escaped_html(self: LazyString) -> Markup:
    return escape(str(self))


def escape_lazy_strings() -> None:
    """Make every lazy translation escaped when rendered."""
    LazyString.__html__ = _escaped_html
