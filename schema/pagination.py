"""Relay connections with opaque cursors. A cursor wraps the key the page continues after."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from schema.errors import BadUserInput

T = TypeVar("T")
R = TypeVar("R")

_PREFIX = "c1:"
# The longest cursor this API hands out wraps a 128-character user id of 4-byte characters.
CURSOR_MAX = 1024


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode((_PREFIX + key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, key: Callable[[str], object] | None = None) -> str | None:
    """The key inside `cursor`; BAD_USER_INPUT for anything this API did not hand out: too
    long, not base64 of UTF-8, or (checked with `key`, which raises) not a key of this list."""
    if cursor is None:
        return None
    if len(cursor) > CURSOR_MAX:
        raise BadUserInput("after is not a cursor from this API", field="after")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.startswith(_PREFIX):
        raise BadUserInput("after is not a cursor from this API", field="after")
    found = raw[len(_PREFIX) :]
    if key is not None:
        try:
            key(found)
        except Exception:
            raise BadUserInput("after is not a cursor from this API", field="after") from None
    return found


def page(
    rows: Sequence[R], first: int, node: Callable[[R], T], key: Callable[[R], str]
) -> Connection[T]:
    """The connection of the first `first` rows; `rows` holds one more when a next page exists."""
    shown = rows[:first]
    edges = [Edge(node=node(r), cursor=encode_cursor(key(r))) for r in shown]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
