"""Each reliance of internals/ on a library's internals, asserted: an upgrade that changes one
fails here rather than in a request. No I/O: small schemas executed in process."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import inspect
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError, GraphQLSchema, parse, specified_rules
from graphql.execution.executor import Executor
from graphql.type.definition import GraphQLResolveInfoHelpers
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, validate_document
from strawberry.types.arguments import InputContext, convert_argument
from strawberry.types.base import (
    StrawberryContainer,
    StrawberryList,
    StrawberryOptional,
    get_object_definition,
)

from internals import coldstart, documents
from internals.asgi import GraphQLFirst
from internals.execution_context import Execution
from internals.inputs import build_flat
from internals.masking import MaskUnexpected
from schema import inputs
from schema.enums import UserStatus
from schema.errors import Forbidden, should_mask
from schema.scalars import SCALARS


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


# masking.MaskUnexpected -------------------------------------------------------------------------


@strawberry.type
class Faulty:
    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("a secret the client must not see")

    @strawberry.field
    def refused(self) -> str:
        raise Forbidden("not yours")


class CountingMask(MaskUnexpected):
    processed = 0

    def _process_result(self, result: object) -> None:
        CountingMask.processed += 1
        super()._process_result(result)


def masked_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Faulty,
        extensions=[lambda: CountingMask(should_mask, "Internal server error", "INTERNAL")],
    )


def test_mask_errors_has_the_hooks_the_override_replaces() -> None:
    assert parameters(MaskErrors.__init__) == ["self", "should_mask_error", "error_message"]
    assert parameters(MaskErrors.anonymise_error) == ["self", "error"]
    assert parameters(MaskErrors._process_result) == ["self", "result"]
    assert parameters(MaskErrors._process_errors) == ["self", "errors"]


def test_an_unexpected_exception_is_masked_with_its_code() -> None:
    CountingMask.processed = 0
    result = masked_schema().execute_sync("{ broken }")
    assert result.errors is not None
    [error] = result.errors
    assert error.message == "Internal server error"
    assert error.extensions == {"code": "INTERNAL"}
    assert error.path == ["broken"]
    assert CountingMask.processed == 1  # Strawberry masks through the method we replaced


def test_an_error_meant_for_the_client_passes_unmasked() -> None:
    result = masked_schema().execute_sync("{ refused }")
    assert result.errors is not None
    [error] = result.errors
    assert error.message == "not yours"
    assert error.extensions == {"code": "FORBIDDEN"}


# documents --------------------------------------------------------------------------------------


@strawberry.type
class Letters:
    a: str = "A"
    b: str = "B"


class ParsedElsewhere(SchemaExtension):
    """Sets the document and the validation errors as Defences does."""

    errors: list[GraphQLError] | None = None

    def on_parse(self) -> Iterator[None]:
        self.execution_context.graphql_document = parse("{ b }")
        yield

    def on_validate(self) -> Iterator[None]:
        if ParsedElsewhere.errors is not None:
            self.execution_context.pre_execution_errors = ParsedElsewhere.errors
        yield


def letters(*extensions: type[SchemaExtension]) -> strawberry.Schema:
    return strawberry.Schema(query=Letters, extensions=list(extensions))


def test_strawberry_runs_the_document_an_extension_parsed() -> None:
    ParsedElsewhere.errors = None
    result = letters(ParsedElsewhere).execute_sync("{ a }", root_value=Letters())
    assert result.data == {"b": "B"}


def test_strawberry_answers_with_the_validation_an_extension_made() -> None:
    ParsedElsewhere.errors = [GraphQLError("from the cache")]
    try:
        result = letters(ParsedElsewhere).execute_sync("{ a }", root_value=Letters())
    finally:
        ParsedElsewhere.errors = None
    assert result.data is None
    assert [e.message for e in result.errors or []] == ["from the cache"]


def test_the_validation_cache_reaches_strawberrys_validation() -> None:
    assert parameters(validate_document) == ["schema", "document", "validation_rules"]
    schema = letters()
    assert isinstance(schema._schema, GraphQLSchema)
    assert documents.validated(schema, "{ a b }", 2000, ()) == []
    [error] = documents.validated(schema, "{ c }", 2000, tuple(specified_rules))
    assert "Cannot query field 'c'" in error.message


def test_the_parse_cache_keeps_the_token_limit() -> None:
    with pytest.raises(GraphQLError, match="more than 4 tokens"):
        documents.parsed("{ a b a b }", 4)


# inputs.build_flat ------------------------------------------------------------------------------

FLAT_INPUTS = [
    cls
    for cls in vars(inputs).values()
    if isinstance(cls, type) and get_object_definition(cls) is not None
]
CONFIG = StrawberryConfig(scalar_map=SCALARS)
REGISTRY = strawberry.Schema(query=Letters, config=CONFIG).schema_converter.scalar_registry
SAMPLES: dict[object, Any] = {
    strawberry.ID: "6f1c1f0e-2b8e-4d59-9a43-4b1b6c0e7a10",
    str: "Ada",
    int: 3,
    date: date(1990, 12, 10),
}
SAMPLES[UserStatus.__strawberry_definition__] = UserStatus.DELETED  # type: ignore[attr-defined]


def sample(kind: Any) -> Any:
    """A value of `kind` as graphql-core hands it over: already parsed."""
    if isinstance(kind, StrawberryOptional):
        return sample(kind.of_type)
    if isinstance(kind, StrawberryList):
        return [sample(kind.of_type), sample(kind.of_type)]
    return SAMPLES[kind]


def values(cls: type) -> list[dict[str, Any]]:
    """Every field given; the required ones only; and every optional field given as null."""
    fields = get_object_definition(cls, strict=True).fields
    name = CONFIG.name_converter.from_field
    required = {
        name(f): sample(f.type) for f in fields if not isinstance(f.type, StrawberryOptional)
    }
    nulls = {name(f): None for f in fields if isinstance(f.type, StrawberryOptional)}
    return [{name(f): sample(f.type) for f in fields}, required, {**required, **nulls}]


def strawberrys_own(cls: type, value: dict[str, Any]) -> Any:
    definition = get_object_definition(cls, strict=True)
    ours, definition.from_input = definition.from_input, None
    try:
        return convert_argument(value, cls, REGISTRY, CONFIG)
    finally:
        definition.from_input = ours


def test_every_input_type_is_built_flat() -> None:
    assert len(FLAT_INPUTS) == 11
    for cls in FLAT_INPUTS:
        assert get_object_definition(cls, strict=True).from_input is build_flat, cls


@pytest.mark.parametrize("cls", FLAT_INPUTS, ids=lambda cls: cls.__name__)
def test_an_input_is_built_as_strawberry_would_build_it(cls: type) -> None:
    for value in values(cls):
        built = convert_argument(value, cls, REGISTRY, CONFIG)
        assert built == strawberrys_own(cls, value), value
        assert dataclasses.is_dataclass(built)  # convert_argument is typed to return object
        for field in dataclasses.fields(built):  # a list given is never the one handed over
            given = getattr(built, field.name)
            assert not isinstance(given, list) or all(given is not v for v in value.values())


def test_strawberry_builds_an_input_through_from_input() -> None:
    definition = get_object_definition(inputs.CreateGroupInput, strict=True)
    calls: list[tuple[type, dict[str, Any]]] = []

    def spy(cls: type, value: Any, context: InputContext) -> Any:
        calls.append((cls, dict(value)))
        return build_flat(cls, value, context)

    value = {"name": "Ops", "description": "on call"}
    definition.from_input = spy
    try:
        built = convert_argument(value, inputs.CreateGroupInput, REGISTRY, CONFIG)
    finally:
        definition.from_input = build_flat
    assert calls == [(inputs.CreateGroupInput, value)]
    assert built == inputs.CreateGroupInput(name="Ops", description="on call")


def test_input_context_offers_the_name_converter() -> None:
    assert "config" in {f.name for f in dataclasses.fields(InputContext)}
    assert parameters(CONFIG.name_converter.from_field) == ["field"]
    assert "of_type" in parameters(StrawberryContainer.__init__)


# execution.Execution ----------------------------------------------------------------------------


@strawberry.type
class Item:
    @strawberry.field
    async def name(self) -> str:
        return "item"


@strawberry.type
class Items:
    @strawberry.field
    async def items(self) -> list[Item]:
        return [Item(), Item(), Item()]


class Prepared(SchemaExtension):
    """Parsed and validated once, as the API's caches do: parsing makes cycles of its own."""

    document = parse("{ items { name } }")

    def on_parse(self) -> Iterator[None]:
        self.execution_context.graphql_document = Prepared.document
        yield

    def on_validate(self) -> Iterator[None]:
        self.execution_context.pre_execution_errors = []
        yield


def garbage_after_operations(context_class: type[Executor[Any]] | None) -> int:
    """What the cyclic collector finds after ten operations (with the caches already warm)."""
    schema = strawberry.Schema(
        query=Items, execution_context_class=context_class, extensions=[Prepared]
    )

    async def operations() -> int:
        for _ in range(3):
            await schema.execute("{ items { name } }")
        gc.collect()
        gc.disable()
        try:
            for _ in range(10):
                result = await schema.execute("{ items { name } }")
                assert result.errors is None
            return gc.collect()
        finally:
            gc.enable()

    return asyncio.run(operations())


def test_the_executor_leaves_no_reference_cycle() -> None:
    assert issubclass(Execution, StrawberryGraphQLCoreExecutionContext)
    assert issubclass(Execution, Executor)
    assert garbage_after_operations(Execution) == 0


def test_graphql_cores_own_executor_still_makes_the_cycle_execution_breaks() -> None:
    """When this fails, graphql-core no longer keeps its bound methods: Execution can go."""
    assert garbage_after_operations(None) > 0
    assert GraphQLResolveInfoHelpers._fields == ("gather", "track")
    assert parameters(Executor.gather_async_work) == ["self", "values"]
    assert parameters(Executor.track_async_work) == ["self", "values"]


# asgi.GraphQLFirst ------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)


def route(scope: Scope) -> str:
    graphql, rest = Recorder(), Recorder()
    app = GraphQLFirst(graphql, rest)
    asyncio.run(app(scope, _never_receive, _never_send))
    return "graphql" if graphql.scopes else "rest"


async def _never_receive() -> Message:
    raise AssertionError("not read")


async def _never_send(message: Message) -> None:
    raise AssertionError("not sent")


def test_only_http_requests_for_graphql_skip_starlette() -> None:
    http = {"type": "http", "path": "/graphql", "root_path": ""}
    assert route(http) == "graphql"
    assert route({**http, "path": "/healthz"}) == "rest"
    assert route({**http, "root_path": "/prod"}) == "rest"  # Starlette's router strips it
    assert route({**http, "type": "websocket"}) == "rest"
    assert route({"type": "lifespan"}) == "rest"


def test_strawberrys_view_answers_a_bad_request_itself() -> None:
    """What the bypass skips (Starlette's error middleware) has nothing to catch."""
    view = GraphQL(letters())
    sent: list[Message] = []
    bodies = [{"type": "http.request", "body": b"not json", "more_body": False}]

    async def receive() -> Message:
        return bodies.pop(0) if bodies else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "server": ("api.test", 80),
        "headers": [(b"content-type", b"application/json")],
    }
    asyncio.run(view(scope, receive, send))
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] == 400


def test_starlette_middleware_can_be_applied_outside_starlette() -> None:
    """api/app.py wraps the view in the app's CORS middleware from its Middleware entry."""
    layer = Middleware(CORSMiddleware, allow_origins=["https://app.test"])
    # Middleware types `cls` as a factory Protocol that mypy finds no class overlaps: as objects
    factory: object = layer.cls
    assert factory is CORSMiddleware
    assert layer.kwargs == {"allow_origins": ["https://app.test"]}
    assert layer.args == ()
    assert isinstance(Starlette(middleware=[layer]), Starlette)


# coldstart --------------------------------------------------------------------------------------


def test_started_turns_the_collector_on_with_the_start_frozen() -> None:
    gc.disable()
    try:
        coldstart.started()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        coldstart.started()  # the next requests change nothing
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
