"""Input rules, one place for each: the GraphQL resolvers and the command stage both call these.

Every validator takes the raw value and returns it normalised (trimmed, canonical) or raises a
VALIDATION DomainError naming the field.
"""

from __future__ import annotations

import re
import unicodedata
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
# What a key may weigh in UTF-8 once normalised: DynamoDB refuses a key over 2,048 bytes (the
# guard's and the email index's keys add a short prefix to it).
KEY_BYTES_MAX = 1024
# Characters a description may hold that are control characters.
_DESCRIPTION_CONTROLS = frozenset("\n\t")


def unicode_text(value: str, field: str) -> str:
    """`value` if it is valid Unicode text: a lone surrogate (which a JSON `\\ud800` escape
    makes) cannot be stored, sent or logged, so it is refused here, before anything tries."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(field, f"{field} is not valid Unicode text") from None
    return value


def _refuse(value: str, field: str, categories: frozenset[str], allowed: frozenset[str]) -> None:
    if value.isprintable():  # no character of category C (Cc, Cf among them): most text
        return
    for char in value:
        if char not in allowed and unicodedata.category(char) in categories:
            what = "control" if unicodedata.category(char) == "Cc" else "invisible format"
            raise invalid(field, f"{field} must not contain {what} characters (U+{ord(char):04X})")


_NO_CONTROLS = frozenset({"Cc"})
_VISIBLE = frozenset({"Cc", "Cf"})  # Cf: zero-width space, joiners, bidi controls, BOM, ...
_NOTHING = frozenset[str]()


def text(value: str, field: str, limit: int = SHORT_TEXT_MAX) -> str:
    """A required string (a name): valid Unicode, trimmed, not empty, at most `limit`
    characters, no control characters. Format characters stay: the zero-width joiners some
    scripts' names need are of them."""
    trimmed = _trimmed(value, field, limit)
    _refuse(trimmed, field, _NO_CONTROLS, _NOTHING)
    return trimmed


def long_text(value: str, field: str) -> str:
    """A description: as a name, longer, and newlines and tabs allowed."""
    trimmed = _trimmed(value, field, LONG_TEXT_MAX)
    _refuse(trimmed, field, _NO_CONTROLS, _DESCRIPTION_CONTROLS)
    return trimmed


def _trimmed(value: str, field: str, limit: int) -> str:
    trimmed = unicode_text(value, field).strip()
    if not trimmed:
        raise invalid(field, f"{field} must not be empty")
    if len(trimmed) > limit:
        raise invalid(field, f"{field} must be at most {limit} characters")
    return trimmed


def email(value: str, field: str = "email") -> str:
    """An email as stored: trimmed, in NFKC (a full-width or other compatibility form of a
    letter becomes the letter), its case kept; no control or invisible format characters."""
    trimmed = unicode_text(value, field).strip()
    _refuse(trimmed, field, _VISIBLE, _NOTHING)
    normal = text(unicodedata.normalize("NFKC", trimmed), field)
    if not _EMAIL.match(normal):
        raise invalid(field, f"{field} is not a valid email address")
    if len(email_key(normal).encode()) > KEY_BYTES_MAX:
        raise invalid(field, f"{field} is too long")
    return normal


def uuid_id(value: str, field: str) -> str:
    trimmed = unicode_text(value, field).strip()
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
    unicode_text(value, field)
    if _WHITESPACE.search(value):
        raise invalid(field, f"{field} must not contain whitespace")
    _refuse(value, field, _VISIBLE, _NOTHING)
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
    """How names compare for uniqueness: trimmed, case-folded."""
    return value.strip().casefold()


def email_key(value: str) -> str:
    """How emails compare for uniqueness (and the email filter): trimmed, without invisible
    format characters (refused as input, but older records may hold them), case-folded and in
    NFKC, so that a full-width letter or a ligature is the letter(s) it stands for. NFKC on both
    sides of the case fold: each can undo the other's normal form."""
    if value.isascii():  # no format characters, and NFKC leaves ASCII as it is
        return value.strip().casefold()
    visible = "".join(c for c in value.strip() if unicodedata.category(c) != "Cf")
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    return folded


def email_filter(value: str, field: str = "email") -> str:
    """The key an email filter looks up: any string an email could be, as `email_key` reads
    it; one longer than an email may be is refused (it could only match nothing, and the key
    would be too long for DynamoDB's index)."""
    trimmed = unicode_text(value, field).strip()
    if len(trimmed) > SHORT_TEXT_MAX:
        raise invalid(field, f"{field} must be at most {SHORT_TEXT_MAX} characters")
    key = email_key(trimmed)
    if len(key.encode()) > KEY_BYTES_MAX:
        raise invalid(field, f"{field} is too long")
    return key


def legacy_email_key(value: str) -> str:
    """The email key before NFKC (until 2026-12): trimmed and case-folded. Claims stored under
    it still hold, so a user's claims include it when it differs from `email_key`."""
    return value.strip().casefold()
