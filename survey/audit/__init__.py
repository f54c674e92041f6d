"""Audit trail: who changed what, when, from which value to which, and refused attempts."""
