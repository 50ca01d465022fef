"""The group tree's rules (domain/tree.py): no cycle, at most MAX_DEPTH levels."""

from __future__ import annotations

import pytest

from domain.errors import Code, DomainError
from domain.tree import MAX_DEPTH, ancestors, check_parent, height, moved

# a <- b <- c (c's parent is b, b's is a); d alone; e under d
TREE = {"b": "a", "c": "b", "e": "d"}


def refusal(parents: dict[str, str], group: str, parent: str | None) -> Code:
    with pytest.raises(DomainError) as caught:
        check_parent(parents, group, parent)
    assert caught.value.field == "parent_id"
    return caught.value.code


def test_ancestors_and_height() -> None:
    assert ancestors(TREE, "c") == ["b", "a"]
    assert ancestors(TREE, "a") == []
    assert (height(TREE, "a"), height(TREE, "c"), height(TREE, "x")) == (3, 1, 1)


def test_a_group_under_itself_or_below_itself_is_a_cycle() -> None:
    assert refusal(TREE, "a", "a") is Code.CYCLE
    assert refusal(TREE, "a", "c") is Code.CYCLE
    check_parent(TREE, "c", "e")  # c moves under e: a different branch
    check_parent(TREE, "a", None)


def test_the_moved_subtree_counts_to_its_deepest_leaf() -> None:
    chain = {f"g{i}": f"g{i - 1}" for i in range(1, MAX_DEPTH)}  # g0..g7: 8 levels
    assert len(ancestors(chain, f"g{MAX_DEPTH - 1}")) == MAX_DEPTH - 1
    assert refusal(chain, "new", f"g{MAX_DEPTH - 1}") is Code.TOO_DEEP
    check_parent(chain, "new", f"g{MAX_DEPTH - 2}")
    with_subtree = {**chain, "leaf": "sub"}  # sub <- leaf: 2 levels
    assert refusal(with_subtree, "sub", f"g{MAX_DEPTH - 2}") is Code.TOO_DEEP
    check_parent(with_subtree, "sub", f"g{MAX_DEPTH - 3}")


def test_a_damaged_map_with_a_loop_is_bounded() -> None:
    loop = {"x": "y", "y": "x"}
    assert len(ancestors(loop, "x")) <= MAX_DEPTH + 2
    assert refusal(loop, "z", "x") is Code.TOO_DEEP


def test_moved_sets_or_removes_the_parent() -> None:
    assert moved(TREE, "c", "e") == {"b": "a", "c": "e", "e": "d"}
    assert moved(TREE, "c", None) == {"b": "a", "e": "d"}
