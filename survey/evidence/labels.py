"""Names of evidence refusals, scan results and audit actions in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.audit.labels import ACTION_LABELS

REFUSALS = {
    "no_file": _l("Choose a file to upload."),
    "bad_name": _l(
        "The file name must not contain a folder path or control characters; rename the file and try again."
    ),
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than %(limit)s MB, the largest accepted."),
    "bad_type": _l(
        "This kind of file is not accepted: upload a PDF, Word (DOCX), Excel (XLSX), "
        "OpenDocument text (ODT), PNG or JPEG file."
    ),
    "infected": _l("The virus scanner found a threat in this file: it was not stored."),
    "scanner_down": _l("The virus scanner is not answering, so the file was not stored. Try again later."),
}
SCAN_LABELS = {
    "clean": _l("Scanned, no threat found"),
    "not_scanned": _l("Not scanned"),
}
ACTION_LABELS.update(
    {
        "evidence.upload": _l("Evidence file uploaded"),
        "evidence.download": _l("Evidence file downloaded"),
        "evidence.delete": _l("Evidence file deleted"),
        "evidence.share": _l("Evidence file sharing changed"),
    }
)
