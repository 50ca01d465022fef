"""`usermgmt serve --backend aws`: the local server over a stage's DynamoDB tables and SQS queues
(here a moto server), the Lambda handlers run by pollers: a mutation is followed over the
WebSocket to APPLIED and the query sees it, and one command can be followed through the log
lines of every stand-in function, each line tagged with the function that wrote it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.api_server import CREATE_GROUP, CREATE_USER, Server, unique
from tests.support.aws_deployment import REGION, Stack, moto_stack
from tests.support.moto import server_url


@pytest.fixture
def on_aws(tmp_path: Path) -> Iterator[tuple[Stack, Server]]:
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
            yield stack, server
        finally:
            server.stop()


def test_the_local_server_runs_the_pipeline_on_aws_resources(
    on_aws: tuple[Stack, Server],
) -> None:
    stack, server = on_aws
    admin = server.admin_token()
    name = unique("on-aws")
    done = server.run(CREATE_GROUP, admin, name=name, description="via pollers")
    assert [done["status"], done["name"]] == ["APPLIED", "CreateGroup"]
    query = "query($id: ID!) { group(id: $id) { name } }"
    assert server.gql(query, admin, id=done["aggregateId"])["group"] == {"name": name}
    row = stack.backend.views.get("group", done["aggregateId"])  # it is in DynamoDB
    assert row is not None and row.data is not None and row.data["name"] == name


def test_the_console_is_served_beside_the_api_with_its_sign_in(
    on_aws: tuple[Stack, Server],
) -> None:
    """As on the embedded backend (tests/e2e/test_console.py): never on Lambda, where CloudFront
    serves the build and `make deploy` writes config.json."""
    _, server = on_aws
    config = server.http.get("/console/config.json").json()
    assert config["localSignIn"] is True and config["wsUrl"] == server.ws_url
    jwt = server.http.post("/console/token", json={"role": "admin"}).json()["token"]
    assert server.gql("{ users(first: 1) { pageInfo { hasNextPage } } }", jwt)


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue  # uvicorn's own lines are not JSON
        if isinstance(parsed, dict):
            lines.append(parsed)
    return lines


def test_one_command_is_followed_through_each_stand_in_function_under_its_own_name(
    on_aws: tuple[Stack, Server],
) -> None:
    """As on Lambda: the graphql function's `submitted`, the command function's `handled`, the
    mediator's `forwarded` and the executor's `handled`, each tagged with its own function
    name and a request id of its own invocation; the HTTP app's refusals as the graphql
    function's."""
    stack, server = on_aws
    admin = server.admin_token()
    user = {"id": unique("auth0|followed"), "email": f"{unique('f')}@example.com"}
    user |= {"firstName": "Ada", "lastName": "Lovelace"}
    done = server.run(CREATE_USER, admin, input=user)
    assert done["status"] == "APPLIED"
    command_id = done["id"]

    assert server.output is not None  # launched
    # The executor logs `handled` just after it applies the command; if it never does, the
    # assertions below say what is missing.
    with contextlib.suppress(RuntimeError):
        server.output.wait_for(rf"{command_id}.*-executor|-executor.*{command_id}", timeout=20)
    ours = [line for line in json_lines(server.output.text) if line.get("command_id") == command_id]
    function = f"usermgmt-{stack.stage}-"
    trail = {(line["message"], line.get("function_name", "")) for line in ours}
    assert {
        ("submitted", function + "graphqlApi"),
        ("handled", function + "command"),
        ("forwarded", function + "mediator"),
        ("handled", function + "executor"),
    } <= trail, trail
    for line in ours:
        assert line.get("function_name", "").startswith(function), line
        assert line.get("function_request_id"), line
    requests = {line["function_request_id"] for line in ours}
    assert len(requests) >= 4  # one invocation each, at least

    # The HTTP app stands in for the graphql function: what it logs is tagged so, never with
    # the name of a worker function that ran last on another thread.
    assert server.post("{ me { id } }", token="not-a-token").status_code == 401
    server.output.wait_for("refused a request")
    refusals = [
        line
        for line in json_lines(server.output.text)
        if str(line.get("message", "")).startswith("refused a request")
    ]
    assert [line.get("function_name") for line in refusals] == [function + "graphqlApi"]
