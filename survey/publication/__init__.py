"""Publication: who outside a country may read its validated results."""

from survey.publication import labels  # noqa: F401 - names release levels in the audit trail
