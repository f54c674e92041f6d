"""Where things are in an answer workbook, and the signed manifest that says what the file was based on."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

FORMAT = 1
MANIFEST_SHEET = "_cyberready"
# What the manifest sheet of a blank questionnaire holds instead of a signed manifest: it is for preparation.
BLANK = "blank questionnaire"
LISTS_SHEET = "_lists"
HEADER_ROWS = 2  # the pillar's title, then the column headings
# Columns of a pillar sheet (1 = A).
CODE, TITLE, QUESTION, GUIDANCE = 1, 2, 3, 4
LEVEL_COLUMNS = (5, 6, 7, 8, 9)
VALUE, EXTRA, DONT_KNOW, URLS, DESCRIPTION, COMMENT = 10, 11, 12, 13, 14, 15
ANSWER_COLUMNS = (VALUE, EXTRA, DONT_KNOW, URLS, DESCRIPTION, COMMENT)
# Read by people only: whether the answer was carried from last cycle and waits for confirmation.
CARRIED = 16


@dataclass(frozen=True)
class Manifest:
    """What a workbook was made from: assessment, framework version, language, rows and answer versions."""

    assessment: int | None
    framework_version: int
    country: str | None
    locale: str
    sheets: dict[str, str]  # pillar code -> sheet title
    rows: dict[str, int]  # indicator code -> row in its pillar's sheet
    versions: dict[str, int]  # indicator code -> answer version at download (0: none)
    digests: dict[str, str]  # indicator code -> digest of the answer at download

    def payload(self) -> str:
        """The manifest as canonical JSON (what the signature covers)."""
        return json.dumps(
            {"format": FORMAT, **self.__dict__}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )

    @classmethod
    def from_payload(cls, text: str) -> Manifest:
        """The manifest of signed JSON; ValueError when it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise ValueError("unknown workbook format")
        return cls(**data)


def signature(payload: str, secret: str) -> str:
    """The HMAC-SHA256 of a manifest with the app's secret key."""
    key = hashlib.sha256(b"cyberready-workbook:" + secret.encode()).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def signature_valid(payload: str, signed: str, secret: str) -> bool:
    """Whether the signature is the manifest's (constant-time comparison)."""
    return hmac.compare_digest(signature(payload, secret), signed)
