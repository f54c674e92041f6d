"""The request class: form bodies and query strings decoded in bounded time, whatever a client sends.

Werkzeug decodes `%XX` escapes with `urllib.parse`, one Python step per escape: a 2 MB body of
escaped Arabic or emoji took seconds of CPU before any check could refuse it. The same result
comes from the C codecs here, and a body with more fields than any form has is refused (413)
before it is decoded.
"""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING

import flask
import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" error handler used below
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.utils import cached_property

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage

# A "%" not followed by two hex digits stays as it is (as in urllib), so it is escaped itself first.
_LONE_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def unquote(text: str) -> str:
    """`urllib.parse.unquote(text, errors="werkzeug.url_quote")`: UTF-8, invalid bytes kept percent-encoded."""
    if "%" not in text:
        return text
    # Backslashes and lone "%" become escapes, then every "%XX" a "\xXX" that the C codec decodes;
    # characters beyond ASCII pass through as their UTF-8 bytes (latin-1 there and back).
    data = _LONE_PERCENT.sub(b"%25", text.encode().replace(b"\\", b"%5C"))
    raw = data.replace(b"%", b"\\x").decode("unicode_escape").encode("latin-1")
    return raw.decode("utf-8", "werkzeug.url_quote")


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """`urllib.parse.parse_qsl(text, keep_blank_values=True)` as Werkzeug calls it, with the fast `unquote`."""
    pairs = []
    for item in text.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name.replace("+", " ")), unquote(value.replace("+", " "))))
    return pairs


class FormParser(FormDataParser):
    """Werkzeug's form parser, with URL-encoded bodies bounded in fields as multipart ones are in parts."""

    def _parse_urlencoded(
        self, stream: IO[bytes], mimetype: str, content_length: int | None, options: dict[str, str]
    ) -> tuple[IO[bytes], MultiDict[str, str], MultiDict[str, FileStorage]]:
        if self.max_form_memory_size is not None and (content_length or 0) > self.max_form_memory_size:
            raise RequestEntityTooLarge()
        body = stream.read()
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        return stream, self.cls(parse_pairs(body.decode())), self.cls()


class Request(flask.Request):
    """Flask's request, decoding forms and query strings with `parse_pairs`."""

    form_data_parser_class = FormParser

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string's parameters (as Werkzeug gives them)."""
        return self.parameter_storage_class(parse_pairs(self.query_string.decode()))
