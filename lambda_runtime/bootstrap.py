"""The Lambda runtime's composition root: `build` makes every function's handler from the
settings (or from the fakes and stand-ins given to it), and each handler in handlers/ calls the
one its container made with `from_environment`.

Nothing is made before a function needs it: a container runs one function, and its cold start
pays only for that function's parts (the GraphQL function makes no verifier, the authorizer no
backend, the workers no schema); what is made is kept for the container's life (clients, the
verifier's keys and verified tokens, the parsed schema). Every import beyond the logger is made
where the part is, so each function's package carries and loads only its own
(tests/aws/test_packaging.py).

The emulator (devtools/lambda_emulator/) builds the same handlers over its backend with the
same function; tests build theirs with fakes. Nothing replaces a part once built.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from lambda_runtime.log import logged

if TYPE_CHECKING:
    import strawberry

    from infra.auth import TokenVerifier
    from infra.aws.backend import AwsBackend
    from infra.aws.clients import Clients
    from infra.aws.management import ManagementApi
    from infra.dynamodb.connections import DynamoConnections
    from infra.settings import AwsSettings, Settings
    from lambda_runtime.websocket.push import Outlet
    from pipeline.ports import Backend, ReplayLauncher

LambdaHandler = Callable[[dict[str, Any], Any], Any]


@cache
def from_environment() -> LambdaFunctions:
    """This container's functions, from its environment: made once, on the first invocation."""
    return build()


def build(
    settings: Settings | None = None,
    aws: AwsSettings | None = None,
    *,
    backend: Backend | None = None,
    clients: Clients | None = None,
    launch_replay: ReplayLauncher | None = None,
    verifier: TokenVerifier | None = None,
    connections: DynamoConnections | None = None,
    gateway: ManagementApi | None = None,
    retry_base_s: float | None = None,
) -> LambdaFunctions:
    """Every function's handler. `settings` (the API's) and `aws` (where the resources are)
    default to the environment's, read when first needed; `backend` defaults to the AWS backend
    they describe, made with `clients` and `launch_replay` (default: invoke the replay
    function). The WebSocket parts default to those of that backend: its connections table and
    API Gateway's Management API."""
    return LambdaFunctions(
        settings=settings,
        aws=aws,
        backend=backend,
        clients=clients,
        launch_replay=launch_replay,
        verifier=verifier,
        connections=connections,
        gateway=gateway,
        retry_base_s=retry_base_s,
    )


class LambdaFunctions:
    """The object graph of the Lambda runtime: each part made on first use (see above)."""

    def __init__(
        self,
        *,
        settings: Settings | None,
        aws: AwsSettings | None,
        backend: Backend | None,
        clients: Clients | None,
        launch_replay: ReplayLauncher | None,
        verifier: TokenVerifier | None,
        connections: DynamoConnections | None,
        gateway: ManagementApi | None,
        retry_base_s: float | None,
    ) -> None:
        self._settings = settings
        self._aws = aws
        self._backend = backend
        self._clients = clients
        self._launch_replay = launch_replay
        self._verifier = verifier
        self._connections = connections
        self._gateway = gateway
        self._retry_base_s = retry_base_s

    # the functions --------------------------------------------------------------------------

    @cached_property
    def graphql_api(self) -> LambdaHandler:
        from lambda_runtime.graphql_api import graphql_adapter

        return logged(graphql_adapter(self.backend, self.settings))

    @cached_property
    def authorizer(self) -> LambdaHandler:
        from lambda_runtime.authorizer import Authorizer

        return logged(Authorizer(self.verifier))

    @cached_property
    def command(self) -> LambdaHandler:
        from lambda_runtime.sqs_stage import SqsStage, command_failures, redelivering
        from pipeline.command_stage import give_up_command, handle_command

        ports = self.backend
        return logged(
            SqsStage(
                redelivering(ports.command_queue),
                lambda body: handle_command(ports, body),
                lambda body, reason: give_up_command(ports, body, reason),
                command_failures(ports.failures),
                self.retry_base_s,
            )
        )

    @cached_property
    def executor(self) -> LambdaHandler:
        from lambda_runtime.sqs_stage import SqsStage, event_failures, redelivering
        from pipeline.executor import give_up_event, handle_event

        ports = self.backend
        return logged(
            SqsStage(
                redelivering(ports.execution_queue),
                lambda body: handle_event(ports, body),
                lambda body, reason: give_up_event(ports, body, reason),
                event_failures(ports.failures),
                self.retry_base_s,
            )
        )

    @cached_property
    def mediator(self) -> LambdaHandler:
        from lambda_runtime.mediator import Mediator

        return logged(Mediator(self.backend.execution_queue))

    @cached_property
    def replay(self) -> LambdaHandler:
        from lambda_runtime.replay import Replay

        progress = self.backend.replay_progress
        if progress is None:
            raise TypeError("the replay function needs a backend that keeps a replay's progress")
        return logged(Replay(self.backend, progress))

    @cached_property
    def websocket(self) -> LambdaHandler:
        from lambda_runtime.websocket.routes import WebSocketRoutes

        return logged(
            WebSocketRoutes(
                self.backend,
                outlet=lambda: self.outlet,
                verifier=lambda: self.verifier,
                schema=lambda: self.schema,
                allowed_origins=self.settings.allowed_origins,
            )
        )

    @cached_property
    def notifier(self) -> LambdaHandler:
        from lambda_runtime.notifier import Notifier

        return logged(Notifier(self.backend, lambda: self.outlet, lambda: self.schema))

    # their parts ------------------------------------------------------------------------------

    @cached_property
    def settings(self) -> Settings:
        from infra.settings import from_env

        return self._settings or from_env()

    @cached_property
    def aws(self) -> AwsSettings:
        if self._aws is not None:
            return self._aws
        given = self._given_aws_backend()
        if given is not None and given.settings is not None:
            return given.settings
        from infra.settings import aws_from_env

        return aws_from_env()

    @cached_property
    def backend(self) -> Backend:
        if self._backend is not None:
            return self._backend
        from infra.aws import open_backend

        return open_backend(self.aws, self._clients, self._launch_replay)

    @cached_property
    def retry_base_s(self) -> float:
        """The first backoff of a failed message, doubling with each delivery."""
        if self._retry_base_s is not None:
            return self._retry_base_s
        if self._backend is not None and self._given_aws_backend() is None:
            return 1.0  # a backend of ports alone (a probe): the default
        return self.aws.retry_base_s

    @cached_property
    def verifier(self) -> TokenVerifier:
        if self._verifier is not None:
            return self._verifier
        from infra.auth import verifier_for

        return verifier_for(self.settings)

    @cached_property
    def schema(self) -> strawberry.Schema:
        """The API's schema, with the settings' developer aids (introspection, suggestions)."""
        from schema.build import SchemaOptions, build_schema

        settings = self.settings
        return build_schema(
            SchemaOptions(
                introspection=settings.introspection, field_suggestions=settings.field_suggestions
            )
        )

    @cached_property
    def outlet(self) -> Outlet:
        from lambda_runtime.websocket.push import Outlet

        return Outlet(self.connections, self.gateway)

    @cached_property
    def connections(self) -> DynamoConnections:
        if self._connections is not None:
            return self._connections
        from infra.dynamodb.connections import DynamoConnections

        table = self.aws.connections_table
        if not table:
            raise RuntimeError("USERMGMT_CONNECTIONS_TABLE is not set")
        return DynamoConnections(self._aws_clients().dynamodb(), table)

    @cached_property
    def gateway(self) -> ManagementApi:
        if self._gateway is not None:
            return self._gateway
        from infra.aws.management import ManagementApi

        return ManagementApi(self._aws_clients().management)

    def _aws_clients(self) -> Clients:
        from infra.aws.backend import AwsBackend

        backend = self.backend
        if not isinstance(backend, AwsBackend):
            raise RuntimeError("the WebSocket functions run on the AWS backend only")
        return backend.clients

    def _given_aws_backend(self) -> AwsBackend | None:
        from infra.aws.backend import AwsBackend

        return self._backend if isinstance(self._backend, AwsBackend) else None
