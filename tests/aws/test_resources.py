"""The tables and queues the tests run on are serverless.yml's, property for property."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.aws import resources
from tests.support.aws_deployment import moto_stack


def test_the_created_tables_have_the_declared_keys_indexes_streams_and_protections() -> None:
    with moto_stack() as stack:
        client = stack.backend.clients.dynamodb()
        settings = stack.backend.settings
        assert settings is not None
        events = client.describe_table(TableName=settings.events_table)["Table"]
        assert [k["AttributeName"] for k in events["KeySchema"]] == ["stream", "version"]
        assert [i["IndexName"] for i in events["GlobalSecondaryIndexes"]] == ["by_time"]
        assert events["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
        assert events["DeletionProtectionEnabled"] is True
        backups = client.describe_continuous_backups(TableName=settings.events_table)
        pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
        ttl = client.describe_time_to_live(TableName=settings.commands_table)
        assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"
        users = client.describe_table(TableName=settings.view_tables["user"])["Table"]
        assert {i["IndexName"] for i in users["GlobalSecondaryIndexes"]} == {
            "by_id",
            "by_email",
            "by_member",
        }


def test_the_created_queues_are_fifo_with_their_dead_letter_queues() -> None:
    with moto_stack() as stack:
        sqs = stack.backend.clients.sqs()
        url = stack.environment["USERMGMT_COMMAND_QUEUE_URL"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["FifoQueue"] == "true"
        assert attributes["VisibilityTimeout"] == "180"
        assert "commands-dlq.fifo" in attributes["RedrivePolicy"]


def test_a_property_the_reader_does_not_know_is_refused_not_dropped(tmp_path: Path) -> None:
    text = resources.SERVERLESS_YML.read_text().replace(
        "        BillingMode: PAY_PER_REQUEST\n        DeletionProtectionEnabled: true",
        "        BillingMode: PAY_PER_REQUEST\n        TableClass: STANDARD_INFREQUENT_ACCESS\n"
        "        DeletionProtectionEnabled: true",
    )
    changed = tmp_path / "serverless.yml"
    changed.write_text(text)
    with moto_stack() as stack, pytest.raises(resources.TemplateError, match="TableClass"):
        template = resources.read(f"{stack.stage}x", path=changed)
        resources.create_all(template, stack.backend.clients)
