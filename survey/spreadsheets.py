"""What an uploaded Excel workbook must be before openpyxl may read it: bounded, macro-free, really .xlsx.

A workbook is a zip archive: its declared sizes can lie (a zip bomb), so every part is unpacked
and counted before any parsing. `REFUSED` words the refusals every upload shares; each caller adds
what it says of too many parts and of a file that is no workbook (the project import also takes CSV).
"""

from __future__ import annotations

import io
import zipfile
from enum import Enum

from flask_babel import lazy_gettext as _l

ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 64 * 1024


class Refusal(Enum):
    """Why a workbook is refused."""

    TOO_MANY_PARTS = "too-many-parts"
    MACROS = "macros"
    NOT_XLSX = "not-xlsx"
    TOO_LARGE_UNPACKED = "too-large-unpacked"
    DAMAGED = "damaged"


REFUSED = {
    Refusal.MACROS: _l("Workbooks with macros are refused: save it as an Excel workbook (.xlsx)."),
    Refusal.TOO_LARGE_UNPACKED: _l("The workbook is too large once unpacked."),
    Refusal.DAMAGED: _l("The file is damaged: it cannot be opened as an Excel workbook."),
}


class UnsafeWorkbook(Exception):
    """A workbook that must not be parsed; `reason` says why."""

    def __init__(self, reason: Refusal) -> None:
        """Refuse the workbook for this reason."""
        super().__init__(reason.value)
        self.reason = reason


def check_xlsx(data: bytes, max_parts: int, max_unpacked: int) -> None:
    """Refuse too many parts, macros, anything but an Excel workbook, and too many bytes once unpacked."""
    if not data.startswith(ZIP_MAGIC):
        raise UnsafeWorkbook(Refusal.NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > max_parts:
                raise UnsafeWorkbook(Refusal.TOO_MANY_PARTS)
            names = {entry.filename.lower() for entry in entries}
            if any(name.endswith("vbaproject.bin") for name in names):
                raise UnsafeWorkbook(Refusal.MACROS)
            if "xl/workbook.xml" not in names or "[content_types].xml" not in names:
                raise UnsafeWorkbook(Refusal.NOT_XLSX)
            _count_unpacked(archive, entries, max_unpacked)
            types = next(entry for entry in entries if entry.filename.lower() == "[content_types].xml")
            if b"macroEnabled" in archive.read(types):
                raise UnsafeWorkbook(Refusal.MACROS)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as error:
        raise UnsafeWorkbook(Refusal.DAMAGED) from error


def _count_unpacked(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limit: int) -> None:
    total = 0
    for entry in entries:
        with archive.open(entry) as part:
            while chunk := part.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise UnsafeWorkbook(Refusal.TOO_LARGE_UNPACKED)
