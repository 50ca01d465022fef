"""Input rules, one place for each: the GraphQL resolvers and the command stage both call these.

Every validator takes the raw value and returns it normalised (trimmed, canonical) or raises a
VALIDATION DomainError naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from domain.errors import invalid

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 1000
USER_ID_MAX = 128
PAGE_MAX = 100
# Bounds on references, so that every command's one transaction (its event, claims, the
# reference counts it moves, its group-tree guard) stays within DynamoDB's 100 items even when
# an update replaces every reference at once (2 x 40 + a few). The query cost limit counts on
# them too (schema/cost.py).
ROLE_AUTHORIZATIONS_MAX = 40
USER_ROLES_MAX = 20
USER_GROUPS_MAX = 20  # with USER_ROLES_MAX: at most 40 roles and groups together per user
GROUP_ROLES_MAX = 40

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_WHITESPACE = re.compile(r"\s")


def text(value: str, field: str, limit: int = SHORT_TEXT_MAX) -> str:
    """A required string: trimmed, not empty, at most `limit` characters."""
    trimmed = value.strip()
    if not trimmed:
        raise invalid(field, f"{field} must not be empty")
    if len(trimmed) > limit:
        raise invalid(field, f"{field} must be at most {limit} characters")
    return trimmed


def long_text(value: str, field: str) -> str:
    return text(value, field, LONG_TEXT_MAX)


def email(value: str, field: str = "email") -> str:
    trimmed = text(value, field)
    if not _EMAIL.match(trimmed):
        raise invalid(field, f"{field} is not a valid email address")
    return trimmed


def uuid_id(value: str, field: str) -> str:
    trimmed = value.strip()
    if not _UUID.match(trimmed):
        raise invalid(field, f"{field} must be a UUID")
    return trimmed.lower()


def uuid_ids(values: Iterable[str], field: str) -> tuple[str, ...]:
    """A list of UUIDs, normalised, duplicates dropped, first occurrence's order kept."""
    return tuple(dict.fromkeys(uuid_id(v, field) for v in values))


def bounded_ids(values: Iterable[str], field: str, limit: int) -> tuple[str, ...]:
    """At most `limit` distinct UUIDs (after dropping duplicates)."""
    ids = uuid_ids(values, field)
    if len(ids) > limit:
        raise invalid(field, f"{field} must hold at most {limit} ids")
    return ids


def authorization_ids(values: Iterable[str], field: str = "authorization_ids") -> tuple[str, ...]:
    """A role's authorizations: at most ROLE_AUTHORIZATIONS_MAX distinct UUIDs."""
    return bounded_ids(values, field, ROLE_AUTHORIZATIONS_MAX)


def user_id(value: str, field: str = "id") -> str:
    """A user id is the Auth0 subject verbatim (`auth0|…`, `google-oauth2|…`)."""
    if not value:
        raise invalid(field, f"{field} must not be empty")
    if len(value) > USER_ID_MAX:
        raise invalid(field, f"{field} must be at most {USER_ID_MAX} characters")
    if _WHITESPACE.search(value):
        raise invalid(field, f"{field} must not contain whitespace")
    return value


def birth_date(value: date, today: date, field: str = "birth_date") -> date:
    if value > today:
        raise invalid(field, f"{field} must not be in the future")
    return value


def page_size(value: int, field: str = "first") -> int:
    if value < 0:
        raise invalid(field, f"{field} must not be negative")
    if value > PAGE_MAX:
        raise invalid(field, f"{field} must be at most {PAGE_MAX}")
    return value


def expected_version(value: int, field: str = "expected_version") -> int:
    if value < 0:
        raise invalid(field, f"{field} must not be negative")
    return value


def unique_key(value: str) -> str:
    """How emails and names compare for uniqueness: trimmed, case-folded."""
    return value.strip().casefold()
