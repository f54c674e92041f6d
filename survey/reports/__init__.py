"""The country report: an assessment's results as a PDF in the reader's language, and printable views."""
