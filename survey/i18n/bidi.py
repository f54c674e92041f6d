"""Bidirectional control characters: refused where they could disguise what a reader sees.

An embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) reorders the text that follows
it: "moc.elpmaxe//:sptth" can display as a trusted address, or a name as someone else's. Nobody
needs them in a web address, nor in a name (a name in Arabic script with Latin parts displays
correctly without them). The plain direction marks (U+200E, U+200F, U+061C) reorder nothing
on their own, and Arabic text may carry them, so names keep them; web addresses refuse them too.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MARKS = frozenset("\u200e\u200f\u061c")
NAME_MESSAGE = _l("Remove the invisible text-direction characters (copied with the text, perhaps) and try again.")


def has_direction_controls(text: str, marks_too: bool = False) -> bool:
    """Whether the text holds an embedding, override or isolate (or, with `marks_too`, a direction mark)."""
    refused = EMBEDDINGS | MARKS if marks_too else EMBEDDINGS
    return any(character in refused for character in text)


def link_problem(url: str) -> str | None:
    """Why a web address is refused for its direction characters, or None."""
    if has_direction_controls(url, marks_too=True):
        visible = "".join(c for c in url if c not in EMBEDDINGS | MARKS)
        return _("“%(url)s” holds invisible text-direction characters: type the web address again.", url=visible[:80])
    return None


class NoDirectionControls:
    """WTForms validator: the field holds no embedding, override or isolate."""

    def __call__(self, form: Any, field: Any) -> None:
        """Refuse the value if it holds one."""
        if isinstance(field.data, str) and has_direction_controls(field.data):
            raise ValidationError(NAME_MESSAGE)
