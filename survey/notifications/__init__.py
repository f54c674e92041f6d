"""Notifications: in-app and by e-mail, in the recipient's language, for the workflow's events."""
