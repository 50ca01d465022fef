"""The query cost rule (schema/cost.py): nodes counted as the contract says, before execution."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLFormattedError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
)

from domain.rules import ROLE_AUTHORIZATIONS_MAX, USER_GROUPS_MAX, USER_ROLES_MAX
from schema.build import build_schema
from schema.cost import LIST_SIZES, MAX_COST, PLUMBING, PLUMBING_SUFFIXES, cost_of

SCHEMA = build_schema()
INNER = "members(first: 100) { edges { node { id } } }"
MEMBERS = f"members(first: 100) {{ edges {{ node {{ id groups {{ {INNER} }} }} }} }}"
GROUPS = USER_GROUPS_MAX


def cost(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return cost_of(SCHEMA._schema, query, name, variables)


def refusal(query: str, variables: dict[str, Any] | None = None) -> GraphQLFormattedError | None:
    result = SCHEMA.execute_sync(query, variable_values=variables)
    errors = [e.formatted for e in result.errors or []]
    costly = [e for e in errors if e.get("extensions", {}).get("code") == "QUERY_TOO_COSTLY"]
    return costly[0] if costly else None


def test_twenty_aliases_of_nested_members_are_refused_with_their_cost() -> None:
    query = "{ " + " ".join(f'g{i}: group(id: "x") {{ {MEMBERS} }}' for i in range(20)) + " }"
    # each member's groups weigh 0.05 each, but every group's members count in full
    expected = 20 * (1 + 100 + 100 * GROUPS * 0.05 + 100 * GROUPS * 100)
    assert cost(query) == round(expected) == 4_004_020
    error = refusal(query)
    assert error is not None
    assert error["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "cost": 4_004_020,
        "maxCost": MAX_COST,
    }
    assert "4004020" in error["message"]


def test_a_page_multiplies_everything_under_it() -> None:
    assert cost("{ users(first: 100) { edges { node { id } } pageInfo { hasNextPage } } }") == 100
    with_roles = (
        "{ users(first: 100) { edges { cursor node { id roles { id } groups { name } } } } }"
    )
    assert cost(with_roles) == 100 + 2 * 100 * USER_ROLES_MAX * 0.05 == 300
    authorizations = "{ users(first: 2) { edges { node { roles { authorizations { id } } } } } }"
    roles = 2 * USER_ROLES_MAX
    assert cost(authorizations) == 2 + roles * 0.05 + roles * ROLE_AUTHORIZATIONS_MAX


def test_a_users_page_of_100_with_roles_and_groups_is_well_within_the_limit() -> None:
    query = "{ users(first: 100) { edges { node { id email roles { name } groups { name } } } } }"
    assert cost(query) * 3 <= MAX_COST
    assert refusal(query) is None


def test_first_counts_as_given_or_as_its_default() -> None:
    assert cost("{ users { edges { node { id } } } }") == 20
    assert cost("{ users(first: null) { edges { node { id } } } }") == 20
    assert cost('{ history(aggregateId: "x") { edges { node { id } } } }') == 50
    assert cost("{ users(first: 1000) { edges { node { id } } } }") == 100  # refused as input
    assert cost("{ users(first: -5) { edges { node { id } } } }") == 0


def test_first_from_variables_counts_their_values() -> None:
    query = """query($n: Int, $m: Int = 7) { a: users(first: $n) { edges { node { id } } }
      b: groups(first: $m) { edges { node { id } } } }"""
    assert cost(query, {"n": 3, "m": 4}) == 7
    assert cost(query, {"n": 3}) == 10  # $m's default
    assert cost(query, {"n": None}) == 27  # null: the argument's default
    assert cost(query, {}) == 27
    assert cost(query, {"n": 1, "m": None}) == 21  # null, even where $m has a default
    assert cost(query, {"n": "lots"}) == 107  # not an Int: coercion refuses it; counted at most


def test_variables_decide_whether_a_document_is_refused() -> None:
    query = (
        f'query($n: Int!) {{ group(id: "x") {{ {MEMBERS.replace("first: 100", "first: $n")} }} }}'
    )
    assert refusal(query, {"n": 3}) is None
    error = refusal(query, {"n": 100})
    assert error is not None and error["extensions"]["cost"] == 1 + 100 + 100 + 100 * GROUPS * 100


def test_fragments_inline_fragments_and_aliases_count_as_written() -> None:
    fragment = """{ a: users(first: 10) { ...Page } b: users(first: 10) { ... on UserConnection {
      edges { node { ...Role } } } } }
    fragment Page on UserConnection { edges { node { ...Role } } }
    fragment Role on User { roles { id } again: roles { id } }"""
    assert cost(fragment) == 2 * (10 + 10 * 2 * USER_ROLES_MAX * 0.05)


def test_only_the_named_operation_counts() -> None:
    doc = "query Small { me { id } } query Big { users(first: 100) { edges { node { id } } } }"
    assert cost(doc, name="Small") == 1
    assert cost(doc, name="Big") == 100


def test_mutations_and_subscriptions_count_their_objects() -> None:
    assert cost('mutation { createGroup(input: {name: "n", description: "d"}) { commandId } }') == 1
    subscription = 'subscription { commandStatus(commandId: "x") { status error { code } } }'
    assert cost(subscription) == 2


def _fields() -> list[tuple[str, str, Any]]:
    return [
        (kind.name, name, field.type)
        for kind in SCHEMA._schema.type_map.values()
        if isinstance(kind, GraphQLObjectType) and not kind.name.startswith("__")
        for name, field in kind.fields.items()
    ]


@pytest.mark.parametrize(("parent", "name", "kind"), _fields())
def test_every_list_is_a_connection_page_or_has_a_declared_size(
    parent: str, name: str, kind: Any
) -> None:
    """A list the cost rule cannot bound would count PAGE_MAX silently: declare its size."""
    inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    if not isinstance(inner, GraphQLList) or not isinstance(
        get_named_type(kind), GraphQLObjectType
    ):
        return
    plumbing = parent in PLUMBING or parent.endswith(PLUMBING_SUFFIXES)
    assert plumbing or f"{parent}.{name}" in LIST_SIZES


def test_the_benchs_worst_queries_are_accepted_and_near_the_limit() -> None:
    """bench/worst_query.py times these: each must be accepted, and close to the maximum."""
    from bench.worst_query import shapes

    for name, query in shapes("2026-01-01T00:00:00Z").items():
        assert 0.8 * MAX_COST < cost(query) <= MAX_COST, name
        assert refusal(query) is None, name


GRANTS = "via { role { id name } groups { id name } }"


def test_the_checks_with_their_grants_stay_within_the_limit() -> None:
    """A decision or a permission is a node, each of its (at most five) grants one more; the
    roles and groups that explain a grant are read once per request and weigh nothing."""
    checks = f"query($c: [CheckInput!]!) {{ canMany(checks: $c) {{ allowed {GRANTS} }} }}"
    assert cost(checks) == 50 * (1 + 5)
    permissions = f'{{ effectivePermissions(userId: "u") {{ authorization {{ name }} {GRANTS} }} }}'
    assert cost(permissions) == ROLE_AUTHORIZATIONS_MAX * (1 + 5)
    assert cost(f'{{ can(userId: "u", authorization: "a") {{ allowed {GRANTS} }} }}') == 6
    who = '{ whoCan(authorization: "a", first: 100) { edges { node { id } } } }'
    assert cost(who) == 100
    for query in (checks, permissions, who):
        assert cost(query) <= MAX_COST


def test_a_page_of_users_with_their_role_and_group_stays_well_within_the_limit() -> None:
    page = "{ users(first: 100) { edges { node { id role { name } group { name } } } } }"
    assert cost(page) <= MAX_COST // 2
    with_permissions = (
        "{ users(first: 100) { edges { node { permissions { via { role { id } } } } } } }"
    )
    assert refusal(with_permissions) is not None
