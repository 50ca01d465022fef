"""Find a person's data in raw bytes: in any case, and in each encoding the code writes (UTF-8
text, and JSON with its \\uXXXX escapes of non-ASCII characters)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from domain import commands as c


def forms(values: Iterable[str]) -> set[bytes]:
    """Every byte form of each value the code may write, lowercased (the haystack is too)."""
    out: set[bytes] = set()
    for value in values:
        for variant in (value, value.lower(), value.upper(), value.casefold()):
            out.add(variant.encode("utf-8").lower())
            out.add(json.dumps(variant)[1:-1].encode("ascii").lower())
    return out


def found_in(haystack: bytes, values: Iterable[str]) -> set[bytes]:
    lowered = haystack.lower()
    return {form for form in forms(values) if form in lowered}


def found_in_files(directory: Path, values: Iterable[str]) -> dict[str, set[bytes]]:
    """{file name: the forms found in it} over every file under `directory`."""
    hits = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        found = found_in(path.read_bytes(), values)
        if found:
            hits[path.name] = found
    return hits


# A person with distinctive data, and what the erasure tests do to them before erasing them.
PERSON = "auth0|zq"
PERSONAL = (
    "Zéphyrine.Quillfeather@Example.com",
    "zephyrine.newmail@example.com",
    "Zéphyrine",
    "Quillfeather",
    "Quillfeathering",
    "1987-03-14",
    "Zéphyrine abused the staff",
)


def a_life() -> list[c.Command]:
    """Created, updated, blocked with a reason about them, unblocked: every personal field
    the service keeps is written at least once."""
    return [
        c.CreateUser(
            id=PERSON,
            email=PERSONAL[0],
            first_name=PERSONAL[2],
            last_name=PERSONAL[3],
            birth_date=date.fromisoformat(PERSONAL[5]),
        ),
        c.UpdateUser(id=PERSON, email=PERSONAL[1], last_name=PERSONAL[4]),
        c.BlockUser(id=PERSON, reason=PERSONAL[6]),
        c.UnblockUser(id=PERSON),
    ]
