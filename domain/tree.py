"""The group tree: which parent a group may take.

Every group with a parent is in one map, group id -> parent id, kept by the event store beside
the streams and versioned as a whole (see pipeline/ports.py GroupTree). A decision that changes
a parent reads the map, checks the move here, and its append writes the new map guarded by the
version it read: two concurrent moves (A under B, B under A) cannot both pass, since the second
append finds the map moved on and is decided again on the new map. The same guard keeps a
subtree's deepest leaf within MAX_DEPTH when its root moves while a child is added below it.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import Code, DomainError

MAX_DEPTH = 8  # levels: a top-level group is level 1


def ancestors(parents: Mapping[str, str], group_id: str) -> list[str]:
    """The chain above the group, nearest first. Bounded: a damaged map cannot loop it."""
    chain: list[str] = []
    current = parents.get(group_id)
    while current is not None and len(chain) <= MAX_DEPTH + 1:
        chain.append(current)
        current = parents.get(current)
    return chain


def height(parents: Mapping[str, str], group_id: str) -> int:
    """Levels of the subtree rooted at the group, itself included (a leaf: 1)."""
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    levels, frontier = 0, [group_id]
    while frontier and levels <= MAX_DEPTH + 1:
        levels += 1
        frontier = [c for g in frontier for c in children.get(g, ())]
    return levels


def check_parent(parents: Mapping[str, str], group_id: str, parent_id: str | None) -> None:
    """Refuse a parent that would make a cycle (CYCLE) or a tree deeper than MAX_DEPTH."""
    if parent_id is None:
        return
    above = [parent_id, *ancestors(parents, parent_id)]
    if group_id in above:
        raise DomainError(
            Code.CYCLE,
            f"group {parent_id} is group {group_id} or below it: it cannot be its parent",
            "parent_id",
        )
    depth = len(above) + height(parents, group_id)
    if depth > MAX_DEPTH:
        raise DomainError(
            Code.TOO_DEEP,
            f"under group {parent_id} the tree would be {depth} levels deep; at most "
            f"{MAX_DEPTH} are allowed",
            "parent_id",
        )


def moved(parents: Mapping[str, str], group_id: str, parent_id: str | None) -> dict[str, str]:
    """The map after the group takes `parent_id` (None: top level, or deleted)."""
    out = {k: v for k, v in parents.items() if k != group_id}
    if parent_id is not None:
        out[group_id] = parent_id
    return out
