"""Compiling .po catalogs to the .mo files gettext reads, when they are missing or stale."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_stale_catalogs(folder: Path) -> list[str]:
    """Compile every .po newer than its .mo; return the languages compiled."""
    compiled = []
    for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as handle:
            catalog = read_po(handle)
        try:
            with open(mo_path, "wb") as handle:
                write_mo(handle, catalog)
        except OSError:  # read-only install: the packaged .mo files are used as they are
            continue
        compiled.append(po_path.parent.parent.name)
    return compiled
