"""What the websocket and notifier functions use, made from the environment (or given by tests):
the connections table, API Gateway's Management API, the token verifier and the schema. The
verifier and the schema are made once per container: they keep what they have checked and
parsed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.aws.management import ManagementApi
from infra.dynamodb.connections import DynamoConnections
from lambda_runtime import container as lambda_runtime

if TYPE_CHECKING:
    import strawberry

    from infra.auth import TokenVerifier
    from infra.aws.backend import AwsBackend


@dataclass
class _Given:
    connections: DynamoConnections | None = None
    gateway: ManagementApi | None = None
    verifier: TokenVerifier | None = None


_given = _Given()
_made: dict[Any, Any] = {}


def use(
    *,
    connections: DynamoConnections | None = None,
    gateway: ManagementApi | None = None,
    verifier: TokenVerifier | None = None,
) -> None:
    """Use these (tests, probes); None: the ones the environment describes."""
    _given.connections, _given.gateway, _given.verifier = connections, gateway, verifier
    _made.clear()


def connections() -> DynamoConnections:
    if _given.connections is not None:
        return _given.connections
    backend = _aws_backend()
    table = backend.settings.connections_table if backend.settings else None
    if not table:
        raise RuntimeError("USERMGMT_CONNECTIONS_TABLE is not set")
    return DynamoConnections(backend.clients.dynamodb(), table)


def gateway() -> ManagementApi:
    if _given.gateway is not None:
        return _given.gateway
    return ManagementApi(_aws_backend().clients.management)


def verifier() -> TokenVerifier:
    if _given.verifier is not None:
        return _given.verifier
    settings = lambda_runtime.app_settings()
    key = ("verifier", settings)
    if key not in _made:
        from infra.auth import verifier_for

        _made[key] = verifier_for(settings)
    made: TokenVerifier = _made[key]
    return made


def schema() -> strawberry.Schema:
    """The API's schema, with the settings' developer aids (introspection, suggestions)."""
    from schema.build import SchemaOptions, build_schema

    settings = lambda_runtime.app_settings()
    options = SchemaOptions(
        introspection=settings.introspection, field_suggestions=settings.field_suggestions
    )
    key = ("schema", options)
    if key not in _made:
        _made[key] = build_schema(options)
    made: strawberry.Schema = _made[key]
    return made


def _aws_backend() -> AwsBackend:
    from infra.aws.backend import AwsBackend

    backend = lambda_runtime.backend()
    if not isinstance(backend, AwsBackend):
        raise RuntimeError("the WebSocket functions run on the AWS backend only")
    return backend
