"""Choosing a new password by e-mail, for someone who forgot theirs: a link that works once, for an hour."""
