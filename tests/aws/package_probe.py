"""Run one packaged Lambda handler on a real-shaped event, with nothing importable but the
unpacked zip, the runtime's boto3 and the standard library (python -I -S, paths given first).
In-memory ports stand in for DynamoDB and SQS: what is checked is that the code paths a real
event takes find every module they import in the package.

    python -I -S package_probe.py <package dir> <runtime dir> <handler> [<native dir>...]

Its last line is the JSON list of the modules loaded from the package dir, so a test can find
what the zip carries and the handler never loads.

A native dir goes first: this machine's build of a package whose zip holds arm64 binaries
(cryptography), so that the rest of what the handler imports is checked from the zip.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

sys.path[:0] = [*sys.argv[4:], *sys.argv[1:3]]

if TYPE_CHECKING:  # imported where used: the authorizer's package has no pipeline
    from collections.abc import Iterator, Mapping, Sequence
    from datetime import datetime

    from domain.model import Effects
    from pipeline.ports import Backend, BatchRead, GroupTree, Message, OutMessage, ViewFilter
    from pipeline.records import CommandError, CommandRecord, RecordedEvent, Status, ViewRow


class Context:
    function_name = "probe"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:probe"
    aws_request_id = "probe"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


class Unused(NotImplementedError):
    """A port's method no probed code path calls: the probe says so if one starts to."""

    def __init__(self, method: str) -> None:
        super().__init__(f"{method} is not expected on the probed paths")


class Events:
    def load(self, stream: str) -> list[RecordedEvent]:
        raise Unused("EventStore.load")

    def group_tree(self) -> GroupTree:
        raise Unused("EventStore.group_tree")

    def append(
        self,
        stream: str,
        expected_version: int,
        events: Sequence[RecordedEvent],
        effects: Effects,
    ) -> None:
        raise Unused("EventStore.append")

    def histories_since(
        self, timestamp: datetime, after: str = ""
    ) -> Iterator[list[RecordedEvent]]:
        raise Unused("EventStore.histories_since")


class Commands:
    def __init__(self) -> None:
        self.advanced: list[tuple[str, str]] = []

    def record(self, record: CommandRecord) -> CommandRecord:
        return record

    def get(self, command_id: str) -> CommandRecord | None:
        return None

    def about(self, aggregate_id: str, limit: int) -> list[CommandRecord]:
        return []

    def advance(
        self,
        command_id: str,
        status: Status,
        at: datetime,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> bool:
        self.advanced.append((command_id, status.value))
        return True


class Queue:
    def __init__(self) -> None:
        self.sent: list[OutMessage] = []
        self.dead: list[tuple[Message, str]] = []

    def send(self, messages: Sequence[OutMessage]) -> None:
        self.sent.extend(messages)

    def send_to_dead_letter(self, message: Message, reason: str) -> None:
        self.dead.append((message, reason))

    def retry_many(self, messages: Sequence[Message], delay_s: float) -> None:
        pass

    def receive(self, max_messages: int) -> list[Message]:
        raise Unused("Queue.receive")  # Lambda's event source mapping receives

    def ack(self, message: Message) -> None:
        raise Unused("Queue.ack")

    def ack_many(self, messages: Sequence[Message]) -> None:
        raise Unused("Queue.ack_many")

    def retry(self, message: Message, delay_s: float) -> None:
        raise Unused("Queue.retry")

    def dead_letter(self, message: Message, reason: str) -> None:
        raise Unused("Queue.dead_letter")


class Views:
    """Knows the probe's caller, a user whose role is gone: `me { roles }` takes the loaders."""

    def get(self, kind: str, aggregate_id: str) -> ViewRow | None:
        if (kind, aggregate_id) != ("user", "auth0|probe"):
            return None
        from datetime import UTC, datetime

        from pipeline.records import ViewRow

        data = {"email": "p@example.com", "first_name": "P", "last_name": "Q", "role_ids": ["r1"]}
        now = datetime.now(UTC)
        return ViewRow("user", aggregate_id, 1, data, now, now)

    def get_many(self, kind: str, ids: Sequence[str]) -> dict[str, ViewRow]:
        return {}

    def read_batch(
        self, ids: Mapping[str, Sequence[str]], name_keys: Sequence[str] = (), tree: bool = False
    ) -> BatchRead:
        raise Unused("Views.read_batch")

    def page(
        self, kind: str, first: int, after: str | None, where: ViewFilter | None = None
    ) -> list[ViewRow]:
        raise Unused("Views.page")

    def pages(
        self, kind: str, first: int, after: str | None, wheres: Sequence[ViewFilter]
    ) -> list[list[ViewRow]]:
        raise Unused("Views.pages")

    def put(
        self, row: ViewRow, expected_version: int | None, previous: ViewRow | None = None
    ) -> bool:
        raise Unused("Views.put")

    def replace(self, row: ViewRow) -> bool:
        raise Unused("Views.replace")


def backend(
    commands: Commands | None = None,
    command_queue: Queue | None = None,
    execution_queue: Queue | None = None,
) -> Backend:
    from pipeline.ports import Backend

    return Backend(
        events=Events(),
        views=Views(),
        commands=commands or Commands(),
        command_queue=command_queue or Queue(),
        execution_queue=execution_queue or Queue(),
    )


def probe_command() -> None:
    """A poison message: given up, its command FAILED, a copy for the dead-letter queue."""
    import handlers.command  # noqa: F401  # what the function's entry point imports
    from lambda_runtime.bootstrap import build

    commands, queue = Commands(), Queue()
    command = build(backend=backend(commands, command_queue=queue), retry_base_s=0).command
    body = json.dumps({"command_id": "c1", "name": "NoSuchCommand"})
    record = {
        "messageId": "m1",
        "receiptHandle": "r1",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "MessageGroupId": "group#g"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q.fifo",
        "awsRegion": "eu-west-1",
    }
    assert command({"Records": [record]}, Context()) == {"batchItemFailures": []}
    assert commands.advanced == [("c1", "FAILED")]
    assert len(queue.dead) == 1


def probe_mediator() -> None:
    """An event INSERT forwarded to the execution queue."""
    from datetime import UTC, datetime

    import handlers.mediator  # noqa: F401  # what the function's entry point imports
    from infra.dynamodb.event_items import event_item
    from lambda_runtime.bootstrap import build
    from pipeline.records import RecordedEvent

    queue = Queue()
    mediator = build(backend=backend(execution_queue=queue)).mediator
    event = RecordedEvent(
        "group#g", 1, "GroupCreated", {"id": "g"}, datetime.now(UTC), "c1", "probe"
    )
    record = {
        "eventID": "1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {"NewImage": event_item(event), "SequenceNumber": "100"},
    }
    assert mediator({"Records": [record]}, Context()) == {"batchItemFailures": []}
    assert [m.group for m in queue.sent] == ["group#g"]


def aws_backend() -> None:
    """What a real container loads for its backend: the root's own, from the settings
    serverless.yml wires in, and the clients of the services the function calls (made, not
    called: no request leaves)."""
    from infra.aws.backend import AwsBackend
    from infra.settings import aws_from_env
    from lambda_runtime.bootstrap import build

    queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo"
    urls = ("COMMAND_QUEUE", "COMMAND_DLQ", "EXECUTION_QUEUE", "EXECUTION_DLQ")
    env = {"USERMGMT_STAGE": "probe", **{f"USERMGMT_{name}_URL": queue for name in urls}}
    made = build(aws=aws_from_env(env)).backend
    assert isinstance(made, AwsBackend)
    made.clients.dynamodb()
    made.clients.sqs()


def probe_graphql_api() -> None:
    """A query through Mangum, Starlette and Strawberry, the caller from the authorizer, and a
    nested field through the request's loaders."""
    import handlers.graphql_api  # noqa: F401  # what the function's entry point imports
    from infra.settings import Settings
    from lambda_runtime.bootstrap import build

    aws_backend()
    settings = Settings(environment="production")
    graphql_api = build(settings, backend=backend()).graphql_api
    event = {
        "version": "2.0",
        "routeKey": "POST /graphql",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.com"},
        "requestContext": {
            "http": {
                "method": "POST",
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
            },
            "authorizer": {"lambda": {"sub": "auth0|probe", "admin": False}},
            "stage": "$default",
            "requestId": "probe",
        },
        "body": json.dumps({"query": "{ me { id roles { id } } }"}),
        "isBase64Encoded": False,
    }
    reply = graphql_api(event, Context())
    assert reply["statusCode"] == 200, reply
    expected = {"data": {"me": {"id": "auth0|probe", "roles": []}}}
    assert json.loads(reply["body"]) == expected, reply


class Connections:
    """The connections table, in memory."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Any] = {}

    def open(self, connection: Any) -> bool:
        return self.items.setdefault((connection.id, "connection"), connection) is connection

    def get(self, connection_id: str) -> Any:
        return self.items.get((connection_id, "connection"))

    def register(self, subscription: Any, lease: Any) -> bool:
        key = (subscription.connection_id, subscription.id)
        return self.items.setdefault(key, subscription) is subscription

    def subscribed_to(self, command_id: str) -> list[Any]:
        return [i for i in self.items.values() if getattr(i, "command_id", None) == command_id]

    def claim(self, subscription: Any, rank: int, lease: Any) -> Any:
        from infra.dynamodb.connections import LeaseClaim

        return LeaseClaim.TAKEN

    def sent(self, subscription: Any, rank: int, lease: Any) -> None:
        pass

    def end(self, connection_id: str, operation_id: str, command_id: str | None = None) -> None:
        self.items.pop((connection_id, operation_id), None)

    def drop(self, connection_id: str) -> None:
        for key in [k for k in self.items if k[0] == connection_id]:
            del self.items[key]


class ManagementClient:
    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> None:  # noqa: N803
        self.posted.append(json.loads(Data))

    def delete_connection(self, ConnectionId: str) -> None:  # noqa: N803
        pass


def websocket_event(route: str, body: Any = None, headers: Any = None) -> dict[str, Any]:
    request = {"routeKey": route, "connectionId": "c1=", "domainName": "d", "stage": "s"}
    return {"requestContext": request, "headers": headers, "body": json.dumps(body)}


def probe_websocket() -> None:
    """The handshake, connection_init with a token minted and verified here, and a subscribe run
    by the schema (the command is missing: it completes)."""
    import tempfile
    from pathlib import Path

    import handlers.websocket  # noqa: F401  # what the function's entry point imports
    from infra.auth import LocalAuthority
    from infra.aws.management import ManagementApi
    from infra.settings import Settings
    from lambda_runtime.bootstrap import build

    settings = Settings(data_dir=Path(tempfile.mkdtemp()))
    token = LocalAuthority.ensure(settings.data_dir).mint("auth0|probe")
    client = ManagementClient()
    gateway = ManagementApi(lambda _: client)
    routes = build(
        settings,
        backend=backend(),
        connections=Connections(),  # type: ignore[arg-type]  # a fake of the table
        gateway=gateway,
    ).websocket
    handshake = {"Sec-WebSocket-Protocol": "graphql-transport-ws"}
    reply = routes(websocket_event("$connect", headers=handshake), Context())
    assert reply["headers"] == handshake, reply
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    routes(websocket_event("$default", init), Context())
    query = 'subscription { commandStatus(commandId: "c1") { status } }'
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": query}}
    routes(websocket_event("$default", subscribe), Context())
    assert client.posted == [{"type": "connection_ack"}, {"id": "1", "type": "complete"}], (
        client.posted
    )


def probe_notifier() -> None:
    """A status change sent to its one subscriber, shaped by the subscriber's document."""
    from datetime import UTC, datetime

    import handlers.notifier  # noqa: F401  # what the function's entry point imports
    from infra.aws.management import ManagementApi
    from infra.dynamodb.command_log import DynamoCommandLog
    from infra.dynamodb.connections import Subscription
    from infra.settings import Settings
    from lambda_runtime.bootstrap import build
    from pipeline.records import CommandRecord, Status

    connections = Connections()
    query = "subscription($id: ID!) { commandStatus(commandId: $id) { status } }"
    subscriber = Subscription(
        "c1=", "1", "c1", "https://d/s", "auth0|probe", False, query, {"id": "c1"}
    )
    connections.register(subscriber, None)
    client = ManagementClient()
    notifier = build(
        Settings(environment="production"),
        backend=backend(),
        connections=connections,  # type: ignore[arg-type]  # a fake of the table
        gateway=ManagementApi(lambda _: client),
    ).notifier
    now = datetime.now(UTC)
    record = CommandRecord("c1", "CreateGroup", Status.ACCEPTED, "auth0|probe", now, now, "g")
    image = DynamoCommandLog(None, "commands")._item(record)
    old = {**image, "status": {"S": "QUEUED"}}
    change = {
        "eventName": "MODIFY",
        "dynamodb": {"NewImage": image, "OldImage": old, "SequenceNumber": "7"},
    }
    assert notifier({"Records": [change]}, Context()) == {"batchItemFailures": []}
    expected = {"data": {"commandStatus": {"status": "ACCEPTED"}}}
    assert client.posted == [{"id": "1", "type": "next", "payload": expected}], client.posted


def probe_authorizer() -> None:
    """A token minted and verified here names its caller; no token leaves the caller anonymous."""
    import tempfile
    from pathlib import Path

    import handlers.authorizer  # noqa: F401  # what the function's entry point imports
    from infra.auth import LocalAuthority
    from infra.settings import Settings
    from lambda_runtime.bootstrap import build

    settings = Settings(data_dir=Path(tempfile.mkdtemp()))
    token = LocalAuthority.ensure(settings.data_dir).mint("auth0|probe")
    authorizer = build(settings).authorizer
    reply = authorizer({"headers": {"authorization": f"Bearer {token}"}}, Context())
    assert reply == {
        "isAuthorized": True,
        "context": {"sub": "auth0|probe", "admin": False, "check": False},
    }
    reply = authorizer({"headers": {}}, Context())
    assert reply == {
        "isAuthorized": True,
        "context": {"sub": "", "admin": False, "check": False},
    }, reply


PROBES = {
    "authorizer": probe_authorizer,
    "command": probe_command,
    "mediator": probe_mediator,
    "graphql_api": probe_graphql_api,
    "websocket": probe_websocket,
    "notifier": probe_notifier,
}
# What each handler must not load: the web stack is the API's; cryptography only verifies tokens.
UNWANTED = {
    "authorizer": {"strawberry", "starlette", "mangum"},
    "graphql_api": {"cryptography"},
    "websocket": {"starlette", "mangum"},
    "notifier": {"starlette", "mangum", "cryptography", "jwt"},
}

if __name__ == "__main__":
    PROBES[sys.argv[3]]()
    web = {"strawberry", "starlette", "mangum", "cryptography"}
    unwanted = UNWANTED.get(sys.argv[3], web)
    assert not unwanted & sys.modules.keys(), unwanted & sys.modules.keys()
    package = sys.argv[1].rstrip("/") + "/"
    files = {name: getattr(module, "__file__", None) for name, module in sys.modules.items()}
    print(json.dumps(sorted(n for n, f in files.items() if f and f.startswith(package))))
