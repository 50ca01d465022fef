"""Every string a request carries must be valid Unicode text, checked once for all arguments.

A JSON body may hold a `\\ud800` escape, which decodes to a Python str with a lone surrogate:
such a string cannot be encoded as UTF-8, so it cannot be stored, put in a key, logged or even
sent back in an error message. GraphQL's lexer already refuses one in the document itself, so
only variables can bring one in; `invalid_text` finds it in them before they are coerced, so
graphql-core never echoes it back, and the request is refused with BAD_USER_INPUT naming
where it was. The WebSocket paths call the same function on a subscription's variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schema.errors import BadUserInput


def invalid_text(variables: Mapping[str, Any] | None) -> BadUserInput | None:
    """The refusal of the first string (or object key) in `variables` that is not valid
    Unicode text, naming its path (`input.email`); None when every string is valid."""
    if not variables:
        return None
    path = _first_invalid(variables, [])
    if path is None:
        return None
    where = ".".join(path)
    field = path[-1] if path else "variables"
    return BadUserInput(f"{where} is not valid Unicode text", field=field)


def printable(name: str | None) -> str | None:
    """An operation name as valid text: one with a lone surrogate names no operation of any
    document (the lexer refuses one), and the refusal that says so must be encodable."""
    if name is None or _valid(name):
        return name
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _first_invalid(value: Any, path: list[str]) -> list[str] | None:
    if isinstance(value, str):
        return None if _valid(value) else path
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not _valid(key):
                return [*path, "?"]
            found = _first_invalid(item, [*path, key])
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_invalid(item, [*path, str(index)])
            if found is not None:
                return found
    return None


def _valid(text: Any) -> bool:
    if not isinstance(text, str):
        return True
    if text.isascii():  # nearly every string, at C speed
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
