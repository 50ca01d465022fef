"""The queues' promises: FIFO per group, hidden until acknowledged, back if not, deduplicated."""

from __future__ import annotations

import time

from pipeline.ports import Message, OutMessage, Queue
from tests.support.deployments import Deployment


def send(queue: Queue, group: str, *bodies: str) -> None:
    queue.send([OutMessage(body, group, f"{group}/{body}") for body in bodies])


def receive_all(queue: Queue) -> list[str]:
    """Receive and acknowledge until the queue gives nothing; bodies in delivery order."""
    bodies = []
    while messages := queue.receive(10):
        for message in messages:
            bodies.append(message.body)
            queue.ack(message)
    return bodies


def test_each_group_is_delivered_in_order(deployment: Deployment) -> None:
    queue = deployment.backend.execution_queue
    send(queue, "a", "a1", "a2", "a3")
    send(queue, "b", "b1", "b2")
    delivered = receive_all(queue)
    assert sorted(delivered) == ["a1", "a2", "a3", "b1", "b2"]
    assert [b for b in delivered if b.startswith("a")] == ["a1", "a2", "a3"]
    assert [b for b in delivered if b.startswith("b")] == ["b1", "b2"]


def test_a_received_message_hides_its_group_until_acknowledged(deployment: Deployment) -> None:
    queue = deployment.backend.execution_queue
    send(queue, "a", "a1", "a2")
    send(queue, "b", "b1")
    first = queue.receive(10)
    assert sorted(m.body for m in first) == ["a1", "b1"]
    assert queue.receive(10) == []  # a2 waits behind a1, which is in flight
    for message in first:
        queue.ack(message)
    assert [m.body for m in queue.receive(10)] == ["a2"]


def test_messages_acknowledged_together_are_gone_and_free_their_groups(
    deployment: Deployment,
) -> None:
    queue = deployment.backend.execution_queue
    send(queue, "a", "a1", "a2")
    send(queue, "b", "b1", "b2")
    queue.ack_many(queue.receive(10))
    # A group's next message comes only once the one before it is gone.
    assert sorted(m.body for m in queue.receive(10)) == ["a2", "b2"]


def test_the_same_deduplication_id_is_delivered_once(deployment: Deployment) -> None:
    queue = deployment.backend.command_queue
    queue.send([OutMessage("x", "g", "same")])
    queue.send([OutMessage("x", "g", "same")])
    assert receive_all(queue) == ["x"]


def test_a_message_given_back_is_delivered_again_with_its_attempts(deployment: Deployment) -> None:
    queue = deployment.backend.command_queue
    send(queue, "g", "m")
    (message,) = queue.receive(1)
    assert message.attempts == 1
    queue.retry(message, 0)
    (again,) = queue.receive(1)
    assert (again.body, again.attempts) == ("m", 2)
    queue.ack(again)
    assert queue.receive(1) == []


def receive_within(queue: Queue, seconds: float) -> list[Message]:
    """Poll until the queue gives something or the deadline passes."""
    deadline = time.monotonic() + seconds
    while not (messages := queue.receive(1)) and time.monotonic() < deadline:
        time.sleep(0.02)  # between polls, not a wait for the outcome
    return messages


def test_a_message_given_back_with_a_delay_comes_back_after_it(deployment: Deployment) -> None:
    queue = deployment.backend.command_queue
    send(queue, "g", "m")
    (message,) = queue.receive(1)
    queue.retry(message, 0.2)
    assert [m.body for m in receive_within(queue, 10)] == ["m"]


def test_a_message_never_acknowledged_comes_back_after_its_visibility_timeout(
    deployment: Deployment,
) -> None:
    queue = deployment.with_visibility(deployment.backend.command_queue, 1)
    send(queue, "g", "m", "next")
    assert [m.body for m in queue.receive(1)] == ["m"]
    # The receiver neither acknowledges nor gives it back (it hangs, or dies unnoticed):
    # while its visibility lasts the message and the rest of its group stay hidden ...
    assert queue.receive(10) == []
    # ... and then it is delivered again, counted as a second attempt, still ahead of "next".
    (again,) = receive_within(queue, 10)
    assert (again.body, again.attempts) == ("m", 2)
    queue.ack(again)
    assert receive_all(queue) == ["next"]


def test_a_dead_lettered_message_is_never_delivered_again(deployment: Deployment) -> None:
    queue = deployment.backend.command_queue
    send(queue, "g", "poison", "next")
    (message,) = queue.receive(1)
    queue.dead_letter(message, "cannot parse")
    assert receive_all(queue) == ["next"]
