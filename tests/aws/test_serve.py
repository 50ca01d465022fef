"""`usermgmt serve --backend aws`: the local server over a stage's DynamoDB tables and SQS queues
(here a moto server), the Lambda handlers run by pollers: a mutation is followed over the
WebSocket to APPLIED and the query sees it."""

from __future__ import annotations

from pathlib import Path

from tests.support.api_server import CREATE_GROUP, Server, unique
from tests.support.aws_deployment import REGION, moto_stack
from tests.support.moto import server_url


def test_the_local_server_runs_the_pipeline_on_aws_resources(tmp_path: Path) -> None:
    with moto_stack() as stack:  # serverless.yml's resources, in the moto server's state
        env = {
            "USERMGMT_BACKEND": "aws",
            "USERMGMT_STAGE": stack.stage,
            "USERMGMT_POLL_WAIT_S": "0",
            "AWS_ENDPOINT_URL": server_url(),
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        server = Server(tmp_path / "data", env=env).start()
        try:
            admin = server.admin_token()
            name = unique("on-aws")
            done = server.run(CREATE_GROUP, admin, name=name, description="via pollers")
            assert [done["status"], done["name"]] == ["APPLIED", "CreateGroup"]
            query = "query($id: ID!) { group(id: $id) { name } }"
            assert server.gql(query, admin, id=done["aggregateId"])["group"] == {"name": name}
            row = stack.backend.views.get("group", done["aggregateId"])  # it is in DynamoDB
            assert row is not None and row.data is not None and row.data["name"] == name
        finally:
            server.stop()
