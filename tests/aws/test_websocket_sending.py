"""Who may send a status to a subscription, on the connections table under moto: one sender at
a time, each rank once and in order, and a sender that died mid-send is taken over once its lease
has run out (its status is sent again: a repeat, never a step back). And the Management API
adapter against moto's."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from botocore.stub import Stubber

from infra.aws.management import ManagementApi
from infra.dynamodb.connections import DynamoConnections, Lease, LeaseClaim, Subscription, now_ms
from tests.support.aws_deployment import REGION, moto_stack


@pytest.fixture(scope="module")
def store() -> Iterator[DynamoConnections]:
    with moto_stack() as stack:
        settings = stack.backend.settings
        assert settings is not None and settings.connections_table
        yield DynamoConnections(stack.backend.clients.dynamodb(), settings.connections_table)


def subscription(connection_id: str) -> Subscription:
    return Subscription(connection_id, "1", "c-1", "https://h/s", "auth0|a", False, "q")


def test_nobody_sends_while_another_holds_the_lease(store: DynamoConnections) -> None:
    held = subscription("held")
    assert store.register(held, Lease("first", now_ms() + 60_000))
    assert store.claim(held, 1, Lease.for_ms(60_000)) is LeaseClaim.BUSY
    store.sent(held, 0, Lease("first", 0))
    assert store.claim(held, 1, Lease.for_ms(60_000)) is LeaseClaim.TAKEN


def test_a_rank_is_sent_once_and_never_after_a_higher_one(store: DynamoConnections) -> None:
    sub = subscription("ranks")
    lease = Lease("first", now_ms() + 60_000)
    assert store.register(sub, lease)
    store.sent(sub, 1, lease)
    assert store.claim(sub, 1, Lease.for_ms(60_000)) is LeaseClaim.DONE
    assert store.claim(sub, 0, Lease.for_ms(60_000)) is LeaseClaim.DONE
    assert store.claim(sub, 2, Lease.for_ms(60_000)) is LeaseClaim.TAKEN


def test_a_lease_whose_holder_died_runs_out_and_the_status_is_sent_again(
    store: DynamoConnections,
) -> None:
    sub = subscription("died")
    assert store.register(sub, Lease("first", now_ms() + 60_000))
    store.sent(sub, 0, Lease("first", 0))
    assert store.claim(sub, 1, Lease("dies", now_ms() - 1)) is LeaseClaim.TAKEN  # then it dies
    retry = Lease.for_ms(60_000)
    assert store.claim(sub, 1, retry) is LeaseClaim.TAKEN
    store.sent(sub, 1, Lease("dies", 0))  # the dead sender's late record changes nothing
    assert store.claim(sub, 1, Lease.for_ms(60_000)) is LeaseClaim.BUSY
    store.sent(sub, 1, retry)
    assert store.claim(sub, 1, Lease.for_ms(60_000)) is LeaseClaim.DONE


def test_an_ended_subscription_is_sent_nothing_and_its_id_is_free_again(
    store: DynamoConnections,
) -> None:
    sub = subscription("ended")
    assert store.register(sub, Lease.for_ms(60_000))
    assert not store.register(sub, Lease.for_ms(60_000))
    store.end(sub.connection_id, sub.id)
    assert store.claim(sub, 2, Lease.for_ms(60_000)) is LeaseClaim.DONE
    assert store.register(sub, Lease.for_ms(60_000))


def test_the_management_api_posts_one_message_and_closes_a_connection() -> None:
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

    endpoint = f"https://a1b2c3d4e5.execute-api.{REGION}.amazonaws.com/test"
    # moto keys connections by the id as it appears in the URL, not decoded: no "=" here.
    with moto_stack() as stack:
        api = ManagementApi(stack.backend.clients.management)
        assert api.post(endpoint, "L0SM9cOFvHcCIhw", {"type": "connection_ack"})
        backend = apigatewaymanagementapi_backends["123456789012"][REGION]
        assert json.loads(backend.connections["L0SM9cOFvHcCIhw"].data) == {"type": "connection_ack"}
        api.close(endpoint, "L0SM9cOFvHcCIhw")
        assert "L0SM9cOFvHcCIhw" not in backend.connections


def test_a_gone_connection_is_an_answer_and_other_errors_are_raised() -> None:
    import botocore.session

    client = botocore.session.get_session().create_client(
        "apigatewaymanagementapi",
        region_name=REGION,
        endpoint_url="https://x.execute-api.eu-west-1.amazonaws.com/test",
        aws_access_key_id="k",
        aws_secret_access_key="s",
    )
    api = ManagementApi(lambda _: client)
    with Stubber(client) as stub:
        stub.add_client_error("post_to_connection", "GoneException", http_status_code=410)
        stub.add_client_error("delete_connection", "GoneException", http_status_code=410)
        stub.add_client_error("post_to_connection", "LimitExceededException", http_status_code=429)
        assert api.post("e", "gone=", {"type": "pong"}) is False
        api.close("e", "gone=")
        with pytest.raises(Exception, match="LimitExceeded"):
            api.post("e", "busy=", {"type": "pong"})


def items_of(store: DynamoConnections, partition: str) -> list[str]:
    items = store.client.query(
        TableName=store.table,
        KeyConditionExpression="connection_id = :p",
        ExpressionAttributeValues={":p": {"S": partition}},
        ConsistentRead=True,
    )["Items"]
    return sorted(item["key"]["S"] for item in items)


def test_a_subscription_is_listed_under_its_command_and_unlisted_with_it(
    store: DynamoConnections,
) -> None:
    from infra.dynamodb.connections import Connection

    def listed(command_id: str) -> list[tuple[str, str]]:
        return sorted((s.connection_id, s.id) for s in store.subscribed_to(command_id))

    done = Subscription("by-notifier", "1", "c-list", "https://h/s", "auth0|a", False, "q")
    stopped = Subscription("by-client", "7", "c-list", "https://h/s", "auth0|a", True, "q2")
    left = Subscription("leaving", "2", "c-list", "https://h/s", "auth0|b", False, "q3")
    store.open(Connection("leaving", "https://h/s", "auth0|b", False))
    for sub in (done, stopped, left):
        assert store.register(sub, Lease.for_ms(60_000))
    assert listed("c-list") == [("by-client", "7"), ("by-notifier", "1"), ("leaving", "2")]
    (found,) = [s for s in store.subscribed_to("c-list") if s.connection_id == "by-client"]
    assert found == stopped  # the listing carries what the notifier needs
    raw = store.client.query(
        TableName=store.table,
        KeyConditionExpression="connection_id = :p",
        ExpressionAttributeValues={":p": {"S": "command#c-list"}},
        ConsistentRead=True,
    )["Items"]
    assert all("expires_at" in item for item in raw)  # TTL removes listings too

    store.end(done.connection_id, done.id, done.command_id)  # the notifier knows the command
    store.end(stopped.connection_id, stopped.id)  # the client's `complete` does not
    assert listed("c-list") == [("leaving", "2")]
    store.drop("leaving")
    assert listed("c-list") == []
    assert items_of(store, "command#c-list") == []
    for connection_id in ("by-notifier", "by-client", "leaving"):
        assert items_of(store, connection_id) == []


def test_a_listing_left_behind_neither_blocks_a_new_subscription_nor_is_sent_to(
    store: DynamoConnections,
) -> None:
    sub = subscription("orphan")
    assert store.register(sub, Lease.for_ms(60_000))
    store.client.delete_item(  # TTL took the subscription first, or a stop died halfway
        TableName=store.table,
        Key={"connection_id": {"S": "orphan"}, "key": {"S": "subscription#1"}},
    )
    (orphan,) = [s for s in store.subscribed_to("c-1") if s.connection_id == "orphan"]
    assert store.claim(orphan, 1, Lease.for_ms(60_000)) is LeaseClaim.DONE
    assert store.register(sub, Lease.for_ms(60_000))
    assert [s.connection_id for s in store.subscribed_to("c-1")].count("orphan") == 1
