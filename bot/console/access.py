"""Who may reach a route: every handler says so, and a handler that does not is refused.

    @requires(STAFF)      # signed in, with this role or a higher one (staff ⊆ editor ⊆ admin)
    @public               # anyone: the sign-in page, /health, the style sheet

The console's request middleware (bot/console/app.py) reads the mark before the handler runs:
anonymous → the sign-in page, too low a role → 403, a POST without this session's CSRF token → 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

PUBLIC = "public"
ATTRIBUTE = "console_access"
Handler = TypeVar("Handler", bound=Callable)


def requires(role: str) -> Callable[[Handler], Handler]:
    def mark(handler: Handler) -> Handler:
        setattr(handler, ATTRIBUTE, role)
        return handler

    return mark


def public(handler: Handler) -> Handler:
    setattr(handler, ATTRIBUTE, PUBLIC)
    return handler


def needed_role(handler: Callable | None) -> str | None:
    """The handler's mark; None (refused) when it has none."""
    return getattr(handler, ATTRIBUTE, None)
