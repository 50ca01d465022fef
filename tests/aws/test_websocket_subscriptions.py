"""commandStatus on the AWS deployment, as front ends see it: mutations through the GraphQL
function, the pipeline run by the pollers, status changes from the commands table's stream to
the notifier, and what each client's socket was sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from infra.aws.backend import AwsBackend
from infra.dynamodb.connections import DynamoConnections
from infra.settings import from_env
from pipeline.records import Status
from tests.support.websocket_api import Socket, throttled
from tests.support.websocket_world import (
    CREATE_GROUP,
    World,
    statuses,
    subscribe,
    websocket_world,
)

REGISTER_ME = """mutation($input: RegisterMeInput!) { registerMe(input: $input) { commandId } }"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with websocket_world(tmp_path) as made:
        yield made


def kept_for(world: World, socket: Socket) -> list[str]:
    """The connections table's items for a connection (their sort keys)."""
    settings = world.aws.backend.settings
    assert settings is not None and settings.connections_table
    items = world.aws.backend.clients.dynamodb().query(
        TableName=settings.connections_table,
        KeyConditionExpression="connection_id = :c",
        ExpressionAttributeValues={":c": {"S": socket.id}},
        ConsistentRead=True,
    )["Items"]
    return sorted(item["key"]["S"] for item in items)


def posts_to(world: World, socket: Socket) -> int:
    return sum(1 for op, c in world.api.calls if (op, c) == ("PostToConnection", socket.id))


def register(world: World, sub: str) -> str:
    signup = {"email": f"{uuid.uuid4().hex[:8]}@example.com", "firstName": "A", "lastName": "B"}
    receipt = world.gql(REGISTER_ME, world.user_token(sub), input=signup)["registerMe"]
    return str(receipt["commandId"])


def test_a_mutations_statuses_arrive_in_order_on_the_socket(world: World) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    socket = world.api.open(admin)
    subscribe(socket, command_id)
    assert statuses(socket.received()) == ["QUEUED"]
    pollers = world.aws.pollers
    assert pollers.notifier is not None
    pollers.commands.poll()  # the command stage: events stored, ACCEPTED
    assert socket.received() == []  # told by the notifier, from the commands table's stream
    pollers.notifier.poll()
    assert statuses(socket.received()) == ["ACCEPTED"]
    pollers.stream.poll()  # the mediator
    pollers.executions.poll()  # the executor: APPLIED
    pollers.notifier.poll()
    assert socket.received() == [
        {"id": "1", "type": "next", "payload": {"data": {"commandStatus": {"status": "APPLIED"}}}},
        {"id": "1", "type": "complete"},
    ]
    assert kept_for(world, socket) == ["connection"]


def test_a_rejected_command_ends_with_its_error(world: World) -> None:
    admin = world.admin_token()
    world.gql(CREATE_GROUP, admin, name="Ops")
    world.settle()
    receipt = world.gql(CREATE_GROUP, admin, name=" OPS ")["createGroup"]
    socket = world.api.open(admin)
    query = "subscription($id: ID!) { commandStatus(commandId: $id) { status error { code } } }"
    subscribe(socket, receipt["commandId"], query=query)
    world.settle()
    received = socket.received()
    assert statuses(received) == ["QUEUED", "REJECTED", "complete"]
    assert received[1]["payload"]["data"]["commandStatus"]["error"] == {"code": "DUPLICATE"}


def test_a_finished_command_is_sent_at_once_and_nothing_is_kept(world: World) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    world.settle()
    socket = world.api.open(admin)
    subscribe(socket, command_id)
    assert statuses(socket.received()) == ["APPLIED", "complete"]
    assert kept_for(world, socket) == ["connection"]


def test_another_users_command_sends_nothing_of_it(world: World) -> None:
    owner_sub = f"auth0|{uuid.uuid4().hex}"
    command_id = register(world, owner_sub)
    stranger = world.api.open(world.user_token(f"auth0|{uuid.uuid4().hex}"))
    owner = world.api.open(world.user_token(owner_sub))
    admin = world.api.open(world.admin_token())
    for socket in (stranger, owner, admin):
        subscribe(socket, command_id)
    world.settle()
    assert stranger.received() == [{"id": "1", "type": "complete"}]
    assert kept_for(world, stranger) == ["connection"]
    assert statuses(owner.received()) == ["QUEUED", "ACCEPTED", "APPLIED", "complete"]
    assert statuses(admin.received()) == ["QUEUED", "ACCEPTED", "APPLIED", "complete"]


def test_another_users_unfinished_command_completes_at_once_and_nothing_follows(
    world: World,
) -> None:
    """The stranger subscribes while the owner's command is still QUEUED: as locally, a bare
    `complete` at once, nothing kept, and nothing when the command goes on (not even when it
    ends, which would tell that it existed and when it finished). A missing command likewise."""
    command_id = register(world, f"auth0|{uuid.uuid4().hex}")
    assert world.aws.status(command_id) is Status.QUEUED
    stranger = world.api.open(world.user_token(f"auth0|{uuid.uuid4().hex}"))
    subscribe(stranger, command_id)
    subscribe(stranger, str(uuid.uuid4()), operation_id="2")
    assert stranger.received() == [
        {"id": "1", "type": "complete"},
        {"id": "2", "type": "complete"},
    ]
    assert kept_for(world, stranger) == ["connection"]
    posted = posts_to(world, stranger)
    world.settle()
    assert world.aws.status(command_id) is Status.APPLIED
    assert posts_to(world, stranger) == posted
    assert stranger.received() == []
    assert kept_for(world, stranger) == ["connection"]


def test_many_subscribers_each_get_every_status_in_the_shape_they_asked_for(world: World) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    sockets = [world.api.open(admin) for _ in range(4)]
    for socket in sockets:
        subscribe(socket, command_id)
    detailed = "subscription($id: ID!) { commandStatus(commandId: $id) { id status version } }"
    subscribe(sockets[0], command_id, operation_id="2", query=detailed)
    world.settle()
    first, *others = [socket.received() for socket in sockets]
    for received in others:
        assert statuses(received) == ["QUEUED", "ACCEPTED", "APPLIED", "complete"]
    by_operation: dict[str, list[dict[str, Any]]] = {}
    for message in first:
        by_operation.setdefault(message["id"], []).append(message)
    assert statuses(by_operation["1"]) == ["QUEUED", "ACCEPTED", "APPLIED", "complete"]
    shown = [m["payload"]["data"]["commandStatus"] for m in by_operation["2"][:-1]]
    assert shown == [
        {"id": command_id, "status": "QUEUED", "version": None},
        {"id": command_id, "status": "ACCEPTED", "version": 1},
        {"id": command_id, "status": "APPLIED", "version": 1},
    ]


def test_a_connection_that_vanished_is_forgotten_and_the_others_go_on(world: World) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    gone, staying = world.api.open(admin), world.api.open(admin)
    for socket in (gone, staying):
        subscribe(socket, command_id)
    gone.vanish()  # no $disconnect reaches the function
    before = posts_to(world, gone)
    world.settle()
    assert posts_to(world, gone) == before + 1  # one post answered 410, then no more
    assert kept_for(world, gone) == []
    assert statuses(staying.received()) == ["QUEUED", "ACCEPTED", "APPLIED", "complete"]


def test_a_client_that_completes_or_leaves_is_sent_nothing_more(world: World) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    stopping, leaving = world.api.open(admin), world.api.open(admin)
    for socket in (stopping, leaving):
        subscribe(socket, command_id)
    stopping.send({"id": "1", "type": "complete"})
    leaving.close()
    assert statuses(stopping.received()) == ["QUEUED"]
    posted = posts_to(world, stopping), posts_to(world, leaving)
    world.settle()
    assert (posts_to(world, stopping), posts_to(world, leaving)) == posted
    assert kept_for(world, stopping) == ["connection"]
    assert kept_for(world, leaving) == []


def test_a_change_during_the_first_send_comes_after_it(world: World) -> None:
    """The command is accepted and the notifier runs while the websocket function is posting
    the status it read (QUEUED): the notifier must not get ACCEPTED in first."""
    admin = world.admin_token()
    command_id = world.create_group(admin)
    socket = world.api.open(admin)
    pollers = world.aws.pollers
    notifier = pollers.notifier
    assert notifier is not None
    meanwhile: list[object] = []

    def pipeline_moves_on(_: Socket, message: dict[str, Any]) -> None:
        if not meanwhile and message["type"] == "next":
            meanwhile.append("posting")
            pollers.commands.poll()
            notifier.poll()
            meanwhile.append(world.aws.status(command_id))

    world.api.on_post = pipeline_moves_on
    subscribe(socket, command_id)
    world.api.on_post = None
    assert meanwhile == ["posting", Status.ACCEPTED]
    assert statuses(socket.received()) == ["QUEUED"]  # the notifier will try ACCEPTED again
    world.settle()
    assert statuses(socket.received()) == ["ACCEPTED", "APPLIED", "complete"]


def test_a_status_read_on_subscribe_is_not_sent_again_by_the_notifier(world: World) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    world.aws.pollers.commands.poll()  # ACCEPTED, not yet told
    socket = world.api.open(admin)
    subscribe(socket, command_id)
    world.settle()
    assert statuses(socket.received()) == ["ACCEPTED", "APPLIED", "complete"]


def test_a_throttled_post_is_retried_not_lost(world: World) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    socket = world.api.open(admin)
    subscribe(socket, command_id)
    refused: list[str] = []

    def throttle_once(_: Socket, message: dict[str, Any]) -> None:
        if not refused:
            refused.append(message["payload"]["data"]["commandStatus"]["status"])
            raise throttled()

    world.api.on_post = throttle_once
    world.settle()
    assert refused == ["ACCEPTED"]
    assert statuses(socket.received()) == ["QUEUED", "ACCEPTED", "APPLIED", "complete"]


def test_the_handshake_needs_graphql_transport_ws_and_a_browser_an_allowed_origin(
    tmp_path: Path,
) -> None:
    local = replace(from_env({}), data_dir=tmp_path)
    allowed = replace(local, allowed_origins=("https://admin.example.com",))
    with websocket_world(tmp_path, settings=allowed) as world:
        handshakes(world)


def handshakes(world: World) -> None:
    assert world.api.connect(protocols=()) == 400
    assert world.api.connect(protocols=("graphql-ws",)) == 400  # the older protocol
    assert world.api.connect(origin="https://evil.example") == 403
    for origin in ("https://admin.example.com", "HTTPS://Admin.Example.com:443", None):
        assert isinstance(world.api.connect(origin=origin), Socket)
    both = world.api.connect(protocols=("graphql-ws", "graphql-transport-ws"))
    assert isinstance(both, Socket)


class FailingReads:
    def __init__(self, log: Any) -> None:
        self.log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self.log, name)

    def get(self, command_id: str) -> Any:
        raise OSError("DynamoDB is unreachable")


def test_a_status_that_cannot_be_read_is_an_error_and_the_end(world: World) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    socket = world.api.open(admin)
    world.aws.fail_with(commands=FailingReads(world.aws.backend.commands))
    subscribe(socket, command_id)
    internal = {"message": "Internal server error", "extensions": {"code": "INTERNAL"}}
    assert socket.received() == [
        {"id": "1", "type": "next", "payload": {"data": None, "errors": [internal]}},
        {"id": "1", "type": "complete"},
    ]
    assert kept_for(world, socket) == ["connection"]


class LaggingIndexes:
    """The connections table's client, with its global secondary indexes `lag` requests behind
    the table, as DynamoDB's may be (moto's never are): a Query of an index leaves out the
    subscriptions registered within the last `lag` requests. Every Query is kept."""

    def __init__(self, client: Any, lag: int) -> None:
        self.client, self.lag = client, lag
        self.clock = 0
        self.registered: dict[tuple[str, str], int] = {}  # (connection_id, key) -> when
        self.queries: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        call = getattr(self.client, name)

        def counted(**params: Any) -> Any:
            self.clock += 1
            for item in self._written(name, params):
                self.registered[(item["connection_id"]["S"], item["key"]["S"])] = self.clock
            if name != "query":
                return call(**params)
            self.queries.append(params)
            page = call(**params)
            if "IndexName" in params:
                page = {**page, "Items": [i for i in page["Items"] if self._indexed(i)]}
            return page

        return counted

    def _written(self, name: str, params: dict[str, Any]) -> list[Any]:
        if name == "put_item":
            return [params["Item"]]
        if name == "transact_write_items":
            return [t["Put"]["Item"] for t in params["TransactItems"] if "Put" in t]
        return []

    def _indexed(self, item: Any) -> bool:
        when = self.registered.get((item["connection_id"]["S"], item["key"]["S"]))
        return when is None or self.clock - when >= self.lag


def test_a_subscription_registered_just_before_a_change_is_sent_it(tmp_path: Path) -> None:
    """Front ends subscribe right after the mutation, and the pipeline may finish before an
    eventually consistent index has the subscription: the notifier must find it anyway."""
    made: list[LaggingIndexes] = []

    def connections(backend: AwsBackend) -> DynamoConnections:
        assert backend.settings is not None and backend.settings.connections_table
        made.append(LaggingIndexes(backend.clients.dynamodb(), lag=1_000))
        return DynamoConnections(made[0], backend.settings.connections_table)

    with websocket_world(tmp_path, connections=connections) as world:
        sent_despite_lag(world, made[0])


def sent_despite_lag(world: World, lagging: LaggingIndexes) -> None:
    admin = world.admin_token()
    command_id = world.create_group(admin)
    socket = world.api.open(admin)
    subscribe(socket, command_id)
    world.settle()
    assert statuses(socket.received()) == ["QUEUED", "ACCEPTED", "APPLIED", "complete"]
    assert kept_for(world, socket) == ["connection"]
    lookups = [q for q in lagging.queries if "ProjectionExpression" not in q]
    assert lookups, "the notifier looked nobody up"
    for lookup in lookups:  # read from the table itself, never from an index
        assert lookup.get("ConsistentRead") is True and "IndexName" not in lookup, lookup
