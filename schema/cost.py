"""The query cost limit: how many nodes an operation may return, counted before it runs.

Counted as GitHub's GraphQL API counts its node limit: every object a field may return is a
node (a user, a role, a command receipt...); a connection returns `first` nodes (its default
when `first` is omitted or null, at most PAGE_MAX as the resolvers allow) for each of its
parents, and everything under it is counted once per node; a list without paging (a role's
authorizations) counts LIST_SIZES of its field. A connection's plumbing (the connection, its
edges, pageInfo) is not a node of its own. Fragments, inline fragments and aliases count as
written; @skip/@include are ignored (the count is an upper bound).

The count runs after validation (it needs a valid document) and before execution, with the
request's raw variable values: graphql-core runs validation rules before variables are coerced
and the validation result is cached by document text, so a rule could not see `first: $n`.
A `first` variable that is not an integer counts as PAGE_MAX and is refused by coercion.

Each document's shape is worked out once (an LRU by document text and operation name); a
request only multiplies its `first` values through it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    parse,
    value_from_ast_untyped,
)

from domain.rules import (
    GROUP_ROLES_MAX,
    PAGE_MAX,
    ROLE_AUTHORIZATIONS_MAX,
    USER_GROUPS_MAX,
    USER_ROLES_MAX,
)
from schema.check_limits import CHAIN_MAX, CHECKS_MAX, VIA_MAX
from schema.errors import ApiError

# Chosen by measuring on this machine (2 cores, shared), one request at a time on the local
# server with every page filled: a node costs 40-170 µs to serve (an event with its data the
# most, then a user with its fields, then an authorization folded `asOf`), so 10,000 nodes take
# 0.6-2 s; at 1,000 the costliest accepted query took 100-260 ms (medians of runs while other
# engineers' work loaded the cores: bench query.worst_accepted_ms, bench/worst_query.py), well
# under a second. A users page of 100 with roles and groups is 300.
MAX_COST = 1_000

# Nodes each one of a field's objects counts for (1 unless said here): a field that costs more
# to serve than a plain object can weigh more, "Type.field": weight.
#
# The checks: a decision or a permission is a node; the roles and groups that explain it
# (its grants' `role` and `groups`) are read once per request for all of them through the
# loaders and weigh nothing of their own, so a canMany of 50 with its grants is 300 and
# effectivePermissions with its grants 600 at most. A user's roles and groups (User.roles,
# User.groups) are likewise read in one batched read per kind, and a user has few of them: a
# page of 100
# users with their roles and groups counts its 100 users, and what is nested under those roles
# and groups (a role's authorizations) still counts in full.
WEIGHTS: dict[str, float] = {
    "Grant.role": 0,
    "Grant.groups": 0,
    "Permission.authorization": 0,  # read with the permission
    "User.roles": 0.05,
    "User.groups": 0.05,
}

# What a user may hold at most: the model's limit of roles and groups together per user, each
# role granting at most ROLE_AUTHORIZATIONS_MAX (effectivePermissions counts that many).
USER_GRANTS_MAX = 40
PERMISSIONS_MAX = ROLE_AUTHORIZATIONS_MAX

# The most objects an unpaged list field returns, by "Type.field": every list that is not a
# connection's edges must be here (tests/unit/test_query_cost.py checks the schema).
LIST_SIZES: dict[str, int] = {
    "Role.authorizations": ROLE_AUTHORIZATIONS_MAX,
    "Query.canMany": CHECKS_MAX,
    "Decision.via": VIA_MAX,
    "Permission.via": VIA_MAX,
    "Grant.groups": CHAIN_MAX,
    "Query.effectivePermissions": PERMISSIONS_MAX,
    "User.permissions": PERMISSIONS_MAX,
    "User.roles": USER_ROLES_MAX,
    "User.groups": USER_GROUPS_MAX,
    "Group.roles": GROUP_ROLES_MAX,
}

# Types that only carry a connection's nodes: no node of their own.
PLUMBING_SUFFIXES = ("Connection", "Edge")
PLUMBING = frozenset({"PageInfo"})


class QueryTooCostly(ApiError):
    code = "QUERY_TOO_COSTLY"


def refusal(cost: int) -> QueryTooCostly:
    return QueryTooCostly(
        f"this query may return {cost} nodes, more than the {MAX_COST} allowed: "
        "ask for smaller pages or fewer nested connections",
        cost=cost,
        maxCost=MAX_COST,
    )


@dataclass(frozen=True)
class Page:
    """A connection's `first`: a literal, or a variable (its own default when the request gives
    it no value); null, or nothing, is the argument's default, as the resolvers read it."""

    literal: int | None
    variable: str | None
    default: int  # the argument's
    variable_default: Any = None


@dataclass(frozen=True)
class Term:
    """The objects one field returns per parent: `count` (or a page's size) times `weight`,
    each with `children` under it."""

    count: int
    page: Page | None
    weight: float
    children: tuple[Term, ...]

    def cost(self, parents: int, variables: Mapping[str, Any]) -> float:
        objects = parents * self.count * (self.page_size(variables) if self.page else 1)
        return objects * self.weight + sum(c.cost(objects, variables) for c in self.children)

    def variable_pages(self) -> bool:
        own = self.page is not None and self.page.variable is not None
        return own or any(c.variable_pages() for c in self.children)

    def page_size(self, variables: Mapping[str, Any]) -> int:
        page = self.page
        assert page is not None
        value: Any = page.literal
        if page.variable is not None:
            value = variables.get(page.variable, page.variable_default)
        if value is None:
            value = page.default
        if not isinstance(value, int) or isinstance(value, bool):
            return PAGE_MAX  # coercion refuses it; until then, the most it could be
        return min(max(value, 0), PAGE_MAX)


def cost_of(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost of a valid document's operation with these variables; 0 when the document names
    no such operation (execution refuses it)."""
    constant, terms = _shape(schema, query, operation_name)
    if constant is not None:
        return constant
    return math.ceil(sum(t.cost(1, variables or {}) for t in terms))


@lru_cache(maxsize=1024)
def _shape(
    schema: GraphQLSchema, query: str, operation_name: str | None
) -> tuple[int | None, tuple[Term, ...]]:
    """The operation's terms, and its cost when no variable sets a `first` (most documents:
    then a request costs a cache lookup). Keyed by the document's text, not its parsed form,
    whose hash walks the whole tree on every request; parsed again here on a miss only (it
    parsed within the token limit)."""
    document = parse(query)
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation else None
    if operation is None or root is None:
        return 0, ()
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    terms = _Shaper(schema, operation, fragments).terms(operation.selection_set, root)
    variable = any(t.variable_pages() for t in terms)
    return (None if variable else math.ceil(sum(t.cost(1, {}) for t in terms))), terms


class _Shaper:
    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.defaults = {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }

    def terms(
        self, selections: SelectionSetNode | None, parent: GraphQLObjectType
    ) -> tuple[Term, ...]:
        found: list[Term] = []
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                found += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                found += self.terms(selection.selection_set, self.condition(selection, parent))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                found += self.terms(fragment.selection_set, self.condition(fragment, parent))
        return tuple(found)

    def condition(
        self, fragment: InlineFragmentNode | FragmentDefinitionNode, parent: GraphQLObjectType
    ) -> GraphQLObjectType:
        if fragment.type_condition is None:
            return parent
        named = self.schema.get_type(fragment.type_condition.name.value)
        return named if isinstance(named, GraphQLObjectType) else parent

    def field(self, node: FieldNode, parent: GraphQLObjectType) -> list[Term]:
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:  # __typename, introspection: not this API's nodes
            return []
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType):
            return []
        key = f"{parent.name}.{name}"
        children = self.terms(node.selection_set, named)
        page = self.page(node, definition.args.get("first"))
        weight = WEIGHTS.get(key, 1)
        if page is not None:
            return [Term(1, page, weight, children)]
        if _plumbing(parent):  # edges, node, pageInfo: the connection's page, counted there
            return list(children)
        if _is_list(definition.type):
            return [Term(LIST_SIZES.get(key, PAGE_MAX), None, weight, children)]
        return [Term(1, None, weight, children)]

    def page(self, node: FieldNode, first: Any) -> Page | None:
        if first is None:
            return None
        default = first.default_value if isinstance(first.default_value, int) else PAGE_MAX
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return Page(int(value.value), None, default)
            if isinstance(value, VariableNode):
                variable = value.name.value
                return Page(None, variable, default, self.defaults.get(variable))
            if isinstance(value, NullValueNode):
                return Page(None, None, default)
            return Page(PAGE_MAX, None, default)  # not an Int: validation refused it
        return Page(None, None, default)


def _is_list(kind: GraphQLOutputType) -> bool:
    inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    return isinstance(inner, GraphQLList)


def _plumbing(named: GraphQLNamedType) -> bool:
    return named.name in PLUMBING or named.name.endswith(PLUMBING_SUFFIXES)
