from __future__ import annotations

from dataclasses import dataclass


class AuthError(Exception):
    """A token that proves nothing: missing, malformed, expired, or not ours. The message says
    why, for logs; clients only learn that they are unauthenticated."""


@dataclass(frozen=True)
class Identity:
    """Who a verified token speaks for."""

    sub: str
    admin: bool
    expires_at: float  # unix time; a cached verification is good until then
    email: str | None = None
    check: bool = False  # carries the check right (counts for service callers only)


def bearer_token(value: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` value (a header, or a WebSocket's
    connection_init payload); AuthError otherwise. The one place a bearer value is parsed."""
    if not value:
        raise AuthError("no bearer token")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header is not a bearer token")
    return token.strip()
