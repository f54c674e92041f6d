"""What a file is, told from its content (never its name): the kinds of evidence accepted.

Office documents are ZIP archives: their structure is checked without unpacking them, with bounds
on the number of entries and the declared unpacked size, so a "zip bomb" is refused unread.
"""

from __future__ import annotations

import zipfile
from typing import IO

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))
ZIP_MAGIC = b"PK\x03\x04"
MAX_ENTRIES = 2000
MAX_UNPACKED = 200 * 1024 * 1024  # declared unpacked size of all entries together
MAX_RATIO = 200  # unpacked / packed size of any entry: text compresses well, bombs far better
ODT_MIMETYPE = MEDIA_TYPES["odt"].encode()


def kind_of(stream: IO[bytes]) -> str | None:
    """The evidence kind of this file (a key of MEDIA_TYPES), or None when it is not one we accept."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(ZIP_MAGIC):
        return _office_kind(stream)
    return None


def _office_kind(stream: IO[bytes]) -> str | None:
    """DOCX, XLSX or ODT when the archive has their structure and stays within the bounds."""
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES or not _within_bounds(entries):
                return None
            names = {entry.filename for entry in entries}
            if entries[0].filename == "mimetype" and entries[0].file_size == len(ODT_MIMETYPE):
                return "odt" if archive.read(entries[0]) == ODT_MIMETYPE else None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError):
        return None
    finally:
        stream.seek(0)
    return None


def _within_bounds(entries: list[zipfile.ZipInfo]) -> bool:
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        return False
    return all(entry.file_size <= MAX_RATIO * max(entry.compress_size, 1) for entry in entries)
