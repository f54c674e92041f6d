"""Parts of the page shell (header, navigation, footer) rendered once per language and kept.

Most of base.html is text that changes only with the language and with what the reader's roles
let them see: a dozen translation and URL-building calls on every request for the same markup.
`{% call once('name', key...) %}...{% endcall %}` renders its body the first time and then
returns the kept markup. The body must depend on nothing but the language, the site root, the
application's configuration and the key given: what differs per request or per user (CSRF
token, path, user name, counts) stays outside the call, or goes into the key. Numbers and country
names are written in the reader's formatting locale, which also follows the reader's country:
a part that writes them has `html_lang` and the reader's country in its key.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

from survey.caching import kept

CACHE_SIZE = 512  # parts x languages x keys (role sets); each a few hundred bytes


def once(name: str, *key: Hashable, caller: Callable[[], str]) -> Markup:
    """The call block's markup, rendered once per name, language, site root and key."""
    if not has_request_context():  # a page rendered by a command or a background job: rare, rendered afresh
        return Markup(caller())  # noqa: S704 - the template's own autoescaped markup
    # Kept per application: tests build apps with other catalogs and settings in one process.
    parts = kept("shell", CACHE_SIZE)
    full = (name, str(get_locale()), request.script_root, *key)
    found = parts.get(full)
    if found is None:
        found = Markup(caller())  # noqa: S704 - the template's own autoescaped markup
        parts.put(full, found)
    return found
