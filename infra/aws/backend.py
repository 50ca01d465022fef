"""Every port on DynamoDB and SQS, with clients made on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.aws.clients import Clients
from infra.aws.replay import LambdaReplayLauncher
from infra.dynamodb.command_log import DynamoCommandLog
from infra.dynamodb.event_store import DynamoEventStore
from infra.dynamodb.views import DynamoViews, row_of
from infra.settings import AwsSettings
from infra.sqs.queue import SqsQueue
from pipeline.ports import Backend, EventStore, KeyStore, ReplayLauncher
from pipeline.records import RecordedEvent, ViewRow


@dataclass
class AwsBackend(Backend):
    settings: AwsSettings | None = None
    clients: Clients = field(default_factory=Clients)


class LazyClient:
    """Stands for a botocore client until the first call, so a function that never touches a
    service never pays for its client."""

    def __init__(self, make: Any) -> None:
        self._make = make

    def __getattr__(self, name: str) -> Any:
        return getattr(self._make(), name)


def open_backend(
    settings: AwsSettings,
    clients: Clients | None = None,
    launch_replay: ReplayLauncher | None = None,
    *,
    receive_wait_s: int = 0,
    visibility_s: int | None = None,
) -> AwsBackend:
    """The AWS backend. Without `launch_replay`, ReplayFrom commands invoke the replay function
    named in the settings. `receive_wait_s` and `visibility_s` only matter to pollers that
    receive through the ports (on Lambda, the event source mappings receive)."""
    clients = clients or Clients(settings.region, settings.endpoint_url)
    dynamodb = LazyClient(clients.dynamodb)
    sqs = LazyClient(clients.sqs)
    urls = QueueUrls(sqs)
    if launch_replay is None and settings.replay_function:
        launch_replay = LambdaReplayLauncher(clients.lambda_, settings.replay_function)
    commands = DynamoCommandLog(dynamodb, settings.commands_table, settings.command_ttl_days)
    events: EventStore = DynamoEventStore(dynamodb, settings.events_table)
    keys: KeyStore | None = None
    views = DynamoViews(dynamodb, settings.view_tables, settings.events_table)
    read_for_event = None
    if settings.keys_table and settings.kms_key:
        from infra.dynamodb.keys import DynamoKeys
        from pipeline.sealing import SealedEventStore

        kms = LazyClient(clients.kms)
        keys = dynamo_keys = DynamoKeys(dynamodb, kms, settings.keys_table, settings.kms_key)
        events = SealedEventStore(events, keys)

        def read_for_event(record: RecordedEvent) -> tuple[ViewRow | None, bytes | None]:
            table = views.tables[record.kind]
            key = {"id": {"S": record.aggregate_id}}
            item, data_key = dynamo_keys.get_with_row(table, key, record.stream)
            return (None if item is None else row_of(record.kind, item)), data_key

    return AwsBackend(
        events=events,
        keys=keys,
        views=views,
        read_for_event=read_for_event,
        commands=commands,
        command_queue=SqsQueue(
            sqs,
            urls(settings.command_queue),
            urls(settings.command_dlq),
            wait_s=receive_wait_s,
            visibility_s=visibility_s,
        ),
        execution_queue=SqsQueue(
            sqs,
            urls(settings.execution_queue),
            urls(settings.execution_dlq),
            wait_s=receive_wait_s,
            visibility_s=visibility_s,
        ),
        launch_replay=launch_replay,
        failures=commands,
        replay_progress=commands,
        settings=settings,
        clients=clients,
    )


class QueueUrls:
    """A queue URL as given, or looked up by name (one GetQueueUrl, on a laptop only: Lambda
    functions are given URLs)."""

    def __init__(self, sqs: Any) -> None:
        self.sqs = sqs

    def __call__(self, url_or_name: str) -> str:
        if "://" in url_or_name:
            return url_or_name
        return str(self.sqs.get_queue_url(QueueName=url_or_name)["QueueUrl"])
