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
