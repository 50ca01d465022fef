"""The AWS deployment under moto: tables and queues created from serverless.yml, the real Lambda
handlers driven by pollers that play the event source mappings, and consumer processes that
reach the same state through a moto server."""

from __future__ import annotations

import json
import math
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.aws.backend import AwsBackend
from infra.aws.resources import Template

REGION = "eu-west-1"
# How long a message received by a poller stays hidden: short, so that what a killed consumer
# left in flight comes back within the test (Lambda uses the queue's own, 180 s).
VISIBILITY_S = 2


@dataclass
class Stack:
    backend: AwsBackend
    environment: dict[str, str]  # what the Lambda functions would be given
    template: Template

    @property
    def stage(self) -> str:
        return self.template.stage


# Never on any path of ours: a Scan reads a whole table; BatchWriteItem is not atomic.
FORBIDDEN = {("dynamodb", "Scan"), ("dynamodb", "BatchWriteItem")}


class ForbiddenRequest(AssertionError):
    pass


def refuse_forbidden(service: str, operation: str, params: dict[str, Any]) -> None:
    if (service, operation) in FORBIDDEN:
        raise ForbiddenRequest(f"{service} {operation} was called")


@contextmanager
def moto_stack(observer: Any = None) -> Iterator[Stack]:
    """serverless.yml's tables and queues in moto, for the length of the block, under a stage
    of their own: moto resets nothing while another mock is open (the end-to-end suite keeps
    one for the session), so names must not collide. Every request is checked against
    FORBIDDEN, then told to `observer` if given."""
    from moto import mock_aws

    from infra.aws import open_backend, resources
    from infra.aws.clients import Clients
    from infra.settings import aws_from_env
    from tests.support.moto import serialize_requests

    def watch(service: str, operation: str, params: dict[str, Any]) -> None:
        refuse_forbidden(service, operation, params)
        if observer is not None:
            observer(service, operation, params)

    serialize_requests()
    with mock_aws():
        template = resources.read(f"t{uuid.uuid4().hex[:10]}", REGION)
        clients = Clients(REGION, observer=watch)
        created = resources.create_all(template, clients)
        environment = resources.environment(template, created)
        yield Stack(open_backend(aws_from_env(environment), clients), environment, template)


@contextmanager
def dynamodb_deployment(tmp: Path) -> Iterator[Any]:
    from devtools.lambda_emulator import Checkpoint
    from devtools.lambda_emulator.bootstrap import build
    from tests.support.deployments import Deployment
    from tests.support.moto import server_url

    checkpoint = tmp / "stream-checkpoint.json"
    with moto_stack() as stack:
        backend = stack.backend
        pollers = build(
            backend,
            stack.template,
            visibility_s=VISIBILITY_S,
            checkpoint=Checkpoint(checkpoint),
            retry_base_s=0,
        ).pollers
        config = tmp / "aws-deployment.json"
        config.write_text(
            json.dumps(
                {
                    "environment": stack.environment,
                    "endpoint_url": server_url(),
                    "region": REGION,
                    "stage": stack.stage,
                    "checkpoint": str(checkpoint),
                }
            )
        )
        assert backend.settings is not None
        views = backend.settings.view_tables

        def delete_view_row(kind: str, aggregate_id: str) -> None:
            backend.clients.dynamodb().delete_item(
                TableName=views[kind], Key={"id": {"S": aggregate_id}}
            )

        yield Deployment(
            name="dynamodb",
            backend=backend,
            drain=pollers.run_until_idle,
            consumer_argv=[
                sys.executable,
                "-m",
                "tests.support.consumer",
                "dynamodb",
                str(config),
            ],
            delete_view_row=delete_view_row,
            unbatched=lambda: backend,  # every call is its own request already
            with_visibility=_with_visibility,
        )


def _with_visibility(queue: Any, seconds: float) -> Any:
    from infra.sqs.queue import SqsQueue

    # SQS counts visibility in whole seconds
    return SqsQueue(queue.client, queue.url, queue.dead_letter_url, visibility_s=math.ceil(seconds))


def consume(config_path: str, wire: Any) -> None:
    """A consumer process: the pollers and real handlers on the deployment's state through the
    moto server, until nothing is left. `wire` wraps the backend's ports (kill switches)."""
    from devtools.lambda_emulator import Checkpoint
    from devtools.lambda_emulator.bootstrap import build
    from infra.aws import open_backend, resources
    from infra.aws.clients import Clients
    from infra.settings import aws_from_env

    config = json.loads(Path(config_path).read_text())
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    clients = Clients(config["region"], config["endpoint_url"], observer=refuse_forbidden)
    backend = wire(open_backend(aws_from_env(config["environment"]), clients))
    emulator = build(
        backend,
        resources.read(config["stage"], config["region"]),
        visibility_s=VISIBILITY_S,
        checkpoint=Checkpoint(Path(config["checkpoint"])),
        retry_base_s=0,
    )
    emulator.pollers.run_until_idle()
