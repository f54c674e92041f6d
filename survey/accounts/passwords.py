"""Password rules (OWASP ASVS 2.1): long enough, not common, not the username."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 128
# The most common passwords that pass the length rule; a breached-password service would be
# better, but the app must work offline.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "password1234",
        "password123!",
        "qwertyuiop12",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "iloveyou1234",
        "administrator",
        "welcome12345",
        "letmein12345",
        "changeme1234",
        "passwordpassword",
        "aaaaaaaaaaaa",
        "abcdefghijkl",
        "abc123456789",
        "motdepasse123",
        "senha1234567",
        "cyberready123",
        "cyberready2026",
    }
)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return str(_l("This password is too common or too simple; choose another."))
    if username and username.lower() in lowered:
        return str(_l("The password must not contain the username."))
    return None


class StrongPassword:
    """WTForms validator applying `password_problem`; the form may have a `username` field."""

    def __call__(self, form: Form, field: Field) -> None:
        """Raise the reason the password is refused, if any."""
        username_field = getattr(form, "username", None)
        username = username_field.data if username_field is not None else getattr(form, "known_username", "")
        problem = password_problem(field.data or "", username or "")
        if problem:
            raise ValidationError(problem)
