"""Bodies compressed once (brotli and gzip) and served as they are, without compressing them again.

Flask-Compress compresses every response on the way out; a cached page, a chart image or a
static file whose compressed forms are kept needs none of that work: `send` picks the form the
client accepts and marks it, and Flask-Compress leaves a response with a Content-Encoding alone.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import brotli
from flask import Response, request

ENCODINGS = ("br", "gzip")  # in order of preference when the client accepts both
PAGE_BROTLI_QUALITY = 5  # compressed once per cached page: most of quality 11's gain at 1/10 of the time
FILE_BROTLI_QUALITY = 11  # compressed once per file (build time, chart images): the smallest


@dataclass(frozen=True)
class Encoded:
    """One body in every form a client may accept (the plain one may be left out to save memory)."""

    br: bytes
    gzip: bytes
    identity: bytes | None = None

    def form(self, encoding: str | None) -> bytes:
        """The body in this encoding (None: uncompressed; rare, so unpacked again if not kept)."""
        if encoding:
            return getattr(self, encoding)
        return self.identity if self.identity is not None else gzip.decompress(self.gzip)


def encode(body: bytes, brotli_quality: int = PAGE_BROTLI_QUALITY, keep_plain: bool = False) -> Encoded:
    """Compress a body once into every encoding."""
    return Encoded(
        brotli.compress(body, quality=brotli_quality), gzip.compress(body, 6, mtime=0), body if keep_plain else None
    )


def accepted_encoding(accept_encoding: str) -> str | None:
    """The preferred encoding among brotli and gzip that the Accept-Encoding header allows, or None."""
    quality: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _sep, params = part.strip().partition(";")
        value = 1.0
        if params.strip().startswith("q="):
            try:
                value = float(params.strip()[2:])
            except ValueError:
                value = 0.0
        quality[name.strip()] = value
    wildcard = quality.get("*", 0.0)
    best = max(ENCODINGS, key=lambda e: (quality.get(e, wildcard), -ENCODINGS.index(e)))
    return best if quality.get(best, wildcard) > 0 else None


def send(encoded: Encoded, mimetype: str, status: int = 200) -> Response:
    """A response with the form of the body the request accepts, compressed beforehand."""
    encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""))
    response = Response(encoded.form(encoding), status=status, mimetype=mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    return response


SHARED = "cyberready.shared_response"  # a request environ key: `g` outlives a request in tests


def mark_shared() -> None:
    """Say that this request's response is the same for every reader (no session cookie, no Vary: Cookie)."""
    request.environ[SHARED] = True


def is_shared() -> bool:
    """Whether a view marked this request's response as the same for every reader."""
    return bool(request.environ.get(SHARED))
