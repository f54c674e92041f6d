"""Evidence files: documents attached to an answer, checked, scanned, stored by content hash."""
