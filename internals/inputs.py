"""Input objects built straight from graphql-core's parsed values (see internals/__init__.py).

Strawberry's generic conversion re-resolves every field's type on each request: about a fifth
of a createUser's CPU. Inputs that hold only scalars and lists of scalars need none of it:
graphql-core has already parsed each value, so the value maps straight onto the class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryContainer, get_object_definition


def install_flat(*classes: type) -> None:
    """Build each of `classes` (Strawberry input types) with `build_flat`."""
    for cls in classes:
        if not flat(cls):
            raise TypeError(f"{cls.__name__} nests an input: build_flat cannot build it")
        get_object_definition(cls, strict=True).from_input = build_flat


def build_flat(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
    """What Strawberry's `from_input` would build from `value` (keyed by GraphQL names)."""
    names = _NAMES.get(cls)
    if names is None:
        definition = get_object_definition(cls, strict=True)
        convert = context.config.name_converter.from_field
        names = _NAMES[cls] = tuple((convert(f), f.python_name) for f in definition.fields)
    # Lists are copied: graphql-core hands every request that omits one the same default.
    return cls(
        **{
            python: list(value[graphql]) if isinstance(value[graphql], list) else value[graphql]
            for graphql, python in names
            if graphql in value
        }
    )


_NAMES: dict[type, tuple[tuple[str, str], ...]] = {}


def flat(cls: type) -> bool:
    """True when no field of `cls` is itself an input object (those need converting)."""
    for field in get_object_definition(cls, strict=True).fields:
        kind: Any = field.type
        while isinstance(kind, StrawberryContainer):
            kind = kind.of_type
        if get_object_definition(kind) is not None:
            return False
    return True
