"""Static files compressed once, at build time (`flask assets compress`), and served as they are.

The Plotly bundle is 1.5 MB: compressing it on every download costs tens of milliseconds of CPU,
and brotli's best quality, too slow for a request, saves another 100 KB over a 3G link. The
command writes `name.br` and `name.gz` beside each text file (as nginx's gzip_static expects);
the app sends them when the client accepts the encoding and they are newer than the file.
Without them, Flask-Compress compresses on the fly as before.
"""

from __future__ import annotations

import gzip
import mimetypes
from pathlib import Path

import brotli
import click
from flask import Response, current_app, request, send_file
from flask.cli import AppGroup
from werkzeug.security import safe_join

from survey.compression import FILE_BROTLI_QUALITY, accepted_encoding

SUFFIXES = {"br": ".br", "gzip": ".gz"}
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".html", ".txt", ".map"}
MIN_SIZE = 1024  # smaller files gain too little to be worth a second request's worth of bookkeeping

assets = AppGroup("assets", help="Static files.")


def compressible_files(folder: Path) -> list[Path]:
    """Text files of the static folder worth compressing."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in COMPRESSIBLE and path.stat().st_size >= MIN_SIZE
    )


def _fresh(variant: Path, source: Path) -> bool:
    try:
        return variant.stat().st_mtime >= source.stat().st_mtime
    except FileNotFoundError:
        return False


def compress_folder(folder: Path) -> list[Path]:
    """Write the brotli and gzip forms of every compressible file that lacks fresh ones; the files written."""
    written = []
    for source in compressible_files(folder):
        data = None
        for encoding, suffix in SUFFIXES.items():
            variant = source.with_name(source.name + suffix)
            if _fresh(variant, source):
                continue
            data = data if data is not None else source.read_bytes()
            packed = (
                brotli.compress(data, quality=FILE_BROTLI_QUALITY)
                if encoding == "br"
                else gzip.compress(data, 9, mtime=0)
            )
            variant.write_bytes(packed)
            written.append(variant)
    return written


@assets.command("compress")
def compress_command() -> None:
    """Write brotli and gzip forms of the static text files (run at build or deploy time)."""
    assert current_app.static_folder is not None  # the factory always names one
    written = compress_folder(Path(current_app.static_folder))
    click.echo(f"{len(written)} compressed files written")


def send_precompressed_static() -> Response | None:
    """For a static file with a fresh compressed form the client accepts: that form, as it is."""
    if request.endpoint != "static" or request.method not in ("GET", "HEAD"):
        return None
    encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""))
    filename = (request.view_args or {}).get("filename", "")
    folder = current_app.static_folder
    joined = safe_join(folder, filename) if encoding and folder else None
    if joined is None or encoding is None:
        return None
    source = Path(joined)
    variant = source.with_name(source.name + SUFFIXES[encoding])
    if not source.is_file() or not _fresh(variant, source):
        return None
    response = send_file(
        variant,
        mimetype=mimetypes.guess_type(source.name)[0] or "application/octet-stream",
        conditional=True,
        max_age=current_app.get_send_file_max_age(filename),
    )
    response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    return response
