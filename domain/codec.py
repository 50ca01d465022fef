"""Plain-data form of commands, events and states (JSON-ready), and back.

Dates and datetimes become ISO strings, tuples become lists, UNSET fields are left out.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from domain.patch import UNSET, Unset

T = TypeVar("T")
Decoder = Callable[[Any], Any]


def to_data(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in field_names(type(obj)):
        value = getattr(obj, name)
        if value is not UNSET:
            out[name] = _encode(value)
    return out


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def field_names(cls: type[Any]) -> tuple[str, ...]:
    """The dataclass's field names, in order. dataclasses.fields() builds its answer anew on
    every call, a few µs, and commands and events are taken apart several times each."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


_PLAIN = (str, int, float, type(None))  # bool is an int


def _encode(value: Any) -> Any:
    if isinstance(value, _PLAIN):  # most fields: tested first
        return value
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_data(value)
    return value


@lru_cache(maxsize=64)  # a command's few instants are each formatted several times
def iso_datetime(value: datetime) -> str:
    """UTC with milliseconds and a Z, as the API shows it."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def from_data(cls: type[T], data: dict[str, Any]) -> T:
    decoders = _decoders(cls)
    kwargs = {}
    for name, value in data.items():
        decode = decoders.get(name)
        if decode is None:
            raise ValueError(f"{cls.__name__} has no field {name!r}")
        kwargs[name] = None if value is None else decode(value)
    return cls(**kwargs)


_DECODERS: dict[type[Any], dict[str, Decoder]] = {}


def _decoders(cls: type[Any]) -> dict[str, Decoder]:
    decoders = _DECODERS.get(cls)
    if decoders is None:
        hints = typing.get_type_hints(cls)
        decoders = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}
        _DECODERS[cls] = decoders
    return decoders


def _decoder(hint: Any) -> Decoder:
    if hint is datetime:
        return _parse_datetime
    if hint is date:
        return date.fromisoformat
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested: type[Any] = hint
        return lambda value: from_data(nested, value)
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item, _) = typing.get_args(hint)
        decode_item = _decoder(item)
        return lambda values: tuple(decode_item(v) for v in values)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(hint) if a not in (type(None), Unset)]
        if len(members) == 1:
            return _decoder(members[0])
    return _identity


def _identity(value: Any) -> Any:
    return value


def _parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime {value!r} has no time zone")
    return parsed.astimezone(UTC)


_COMPACT = json.JSONEncoder(separators=(",", ":"))


def compact_json(value: Any) -> str:
    """`json.dumps(value, separators=(",", ":"))`, without building an encoder on each call:
    every command, event and row is written so, several times each."""
    return _COMPACT.encode(value)
