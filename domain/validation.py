"""Apply the input rules to a whole command: every field is checked by the rule named for it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from domain import rules
from domain.codec import field_names
from domain.commands import Command
from domain.errors import invalid
from domain.patch import UNSET

C = TypeVar("C", bound=Command)

# Fields an update may set to null (to clear them); every other field must have a value.
NULLABLE = frozenset({"birth_date", "parent_id", "expected_version", "until"})


def validate(command: C, today: date) -> C:
    """The command with every field normalised, or a VALIDATION DomainError."""
    changes: dict[str, Any] = {}
    for name in field_names(type(command)):
        value = getattr(command, name)
        if value is UNSET:
            continue
        if value is None:
            if name not in NULLABLE:
                raise invalid(name, f"{name} must not be null")
            continue
        changes[name] = _rule(command, name)(value, today)
    return dataclasses.replace(command, **changes)


def _rule(command: Command, name: str) -> Callable[[Any, date], Any]:
    if name == "id":
        if command.KIND == "user":
            return lambda v, _: rules.user_id(v, "id")
        return lambda v, _: rules.uuid_id(v, "id")
    return _KIND_RULES.get((command.KIND, name)) or _RULES[name]


_RULES: dict[str, Callable[[Any, date], Any]] = {
    "email": lambda v, _: rules.email(v),
    "first_name": lambda v, _: rules.text(v, "first_name"),
    "last_name": lambda v, _: rules.text(v, "last_name"),
    "name": lambda v, _: rules.text(v, "name"),
    "description": lambda v, _: rules.long_text(v, "description"),
    "birth_date": lambda v, today: rules.birth_date(v, today),
    "role_ids": lambda v, _: rules.bounded_ids(v, "role_ids", rules.USER_ROLES_MAX),
    "group_ids": lambda v, _: rules.bounded_ids(v, "group_ids", rules.USER_GROUPS_MAX),
    "parent_id": lambda v, _: rules.uuid_id(v, "parent_id"),
    "authorization_ids": lambda v, _: rules.authorization_ids(v),
    "expected_version": lambda v, _: rules.expected_version(v),
    "timestamp": lambda v, _: v,
    "reason": lambda v, _: rules.long_text(v, "reason"),
    "until": lambda v, _: v,  # in the future: the user aggregate checks it against now
}

# A field whose rule differs by aggregate kind: (kind, field) -> rule.
_KIND_RULES: dict[tuple[str | None, str], Callable[[Any, date], Any]] = {
    ("group", "role_ids"): lambda v, _: rules.bounded_ids(v, "role_ids", rules.GROUP_ROLES_MAX),
}
