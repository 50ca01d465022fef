"""Input checks with the domain's own rules: a DomainError becomes BAD_USER_INPUT at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from domain import rules
from domain.errors import DomainError
from domain.patch import UNSET as DOMAIN_UNSET
from schema.errors import BadUserInput

T = TypeVar("T")

COMMAND_ID_MAX = 128


def checked(rule: Callable[..., T], value: Any, *args: Any) -> T:
    """`rule(value, *args)`, with its VALIDATION error turned into BAD_USER_INPUT."""
    try:
        return rule(value, *args)
    except DomainError as error:
        raise BadUserInput.of(error) from None


def command_id(value: str | None) -> str | None:
    """A client's own command id: like a user id, non-empty, short, no whitespace."""
    if value is None:
        return None
    return checked(rules.user_id, value, "command_id")


def patch(value: Any) -> Any:
    """Strawberry's "not sent" as the domain's: an update leaves unsent fields alone."""
    from strawberry import UNSET

    return DOMAIN_UNSET if value is UNSET else value


DEFAULT_PAGE = 20


def page_size(first: int | None, default: int = DEFAULT_PAGE) -> int:
    """`first` as asked (null: the default), at most 100."""
    return checked(rules.page_size, default if first is None else first)
