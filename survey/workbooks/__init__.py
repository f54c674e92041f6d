"""Answer workbooks: the questionnaire as a spreadsheet that goes out and comes back with a diff preview."""
