"""Who may use a view: every view declares its roles with `roles_required`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, request
from flask_login import current_user, login_required

from survey.accounts.models import Role
from survey.audit.services import record_refusal

ANYONE = "anyone"


def roles_required(*roles: Role) -> Callable:
    """Require a signed-in user holding one of these roles (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                record_refusal("access.denied", f"{request.method} {request.path}",
                               country_id=current_user.country_id)
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view open to everyone, signed in or not."""
    view.allowed_roles = ANYONE
    return view


ALL_ROLES = tuple(Role)
