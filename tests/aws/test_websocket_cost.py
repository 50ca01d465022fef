"""What following a command costs on AWS, counted in requests the websocket and notifier
functions make: connecting is one write and a post, subscribing four DynamoDB requests and one
post; each status change is one Query (strongly consistent, of the command's listings), then two
writes and a post per subscriber (two posts after the last one). Stopping a subscription is two
deletes (the client's `complete` does not name the command); leaving, a Query of the
connection's items and a delete each (a subscription and its listing: one transaction)."""

from __future__ import annotations

from pathlib import Path

from tests.support.aws_functions import Meter
from tests.support.websocket_world import subscribe, websocket_world


def test_what_following_a_command_costs(tmp_path: Path) -> None:
    meter = Meter()
    with websocket_world(tmp_path, observer=meter) as world:
        admin = world.admin_token()
        command_id = world.create_group(admin)
        posts = world.api.posts()
        with meter.counting() as opening:
            sockets = [world.api.open(admin) for _ in range(3)]
        assert opening == {"dynamodb.PutItem": 3}  # the caller, once per connection
        assert world.api.posts() - posts == 3  # connection_ack
        pollers = world.aws.pollers
        assert pollers.notifier is not None

        posts = world.api.posts()
        with meter.counting() as subscribing:
            subscribe(sockets[0], command_id)
        # The connection (who), the registration (the subscription and its listing under the
        # command, one transaction), the command's status, the rank sent.
        assert subscribing == {
            "dynamodb.GetItem": 2,
            "dynamodb.TransactWriteItems": 1,
            "dynamodb.UpdateItem": 1,
        }
        assert world.api.posts() - posts == 1
        for socket in sockets[1:]:
            subscribe(socket, command_id)

        pollers.commands.poll()  # ACCEPTED
        posts = world.api.posts()
        with meter.counting() as accepted:
            pollers.notifier.poll()
        # One consistent Query of the command's listings; per subscriber: take the lease,
        # record the rank; one post.
        assert accepted == {"dynamodb.Query": 1, "dynamodb.UpdateItem": 6}
        assert world.api.posts() - posts == 3

        pollers.stream.poll()
        pollers.executions.poll()  # APPLIED
        posts = world.api.posts()
        with meter.counting() as applied:
            pollers.notifier.poll()
        # Per subscriber: take the lease, forget the subscription and its listing (one
        # transaction); `next` and `complete`.
        assert applied == {
            "dynamodb.Query": 1,
            "dynamodb.UpdateItem": 3,
            "dynamodb.TransactWriteItems": 3,
        }
        assert world.api.posts() - posts == 6


def test_what_stopping_and_leaving_cost(tmp_path: Path) -> None:
    meter = Meter()
    with websocket_world(tmp_path, observer=meter) as world:
        admin = world.admin_token()
        command_id = world.create_group(admin)
        stopping, leaving = world.api.open(admin), world.api.open(admin)
        for socket in (stopping, leaving):
            subscribe(socket, command_id)
        with meter.counting() as stopped:
            stopping.send({"id": "1", "type": "complete"})
        # The subscription (its old image names the command), then its listing.
        assert stopped == {"dynamodb.DeleteItem": 2}
        with meter.counting() as left:
            leaving.close()
        # The connection's items; the connection, then the subscription and its listing.
        assert left == {
            "dynamodb.Query": 1,
            "dynamodb.DeleteItem": 1,
            "dynamodb.TransactWriteItems": 1,
        }
