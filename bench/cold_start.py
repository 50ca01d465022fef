"""One cold start, measured inside a fresh process (`python -m bench.cold_start KIND`): the
import of a Lambda handler and what its first invocation needs, then `os._exit(0)`, since
Lambda never pays for the interpreter's exit. Prints the seconds it took, last."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING

USER_ID = "auth0|bench"
QUERY = "query($id: ID!) { user(id: $id) { id email firstName lastName version } }"
WORKER_KINDS = ("command", "mediator", "executor")

if TYPE_CHECKING:  # not at run time: the cold start measured must load mangum itself
    from mangum.types import LambdaCognitoIdentity, LambdaMobileClientContext


class Context:
    """What Lambda hands a handler (mangum.types.LambdaContext's fields)."""

    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"
    identity: LambdaCognitoIdentity | None = None
    client_context: LambdaMobileClientContext | None = None

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def api_event() -> dict[str, object]:
    """POST /graphql as API Gateway HTTP API (payload 2.0) hands it over, authorized."""
    http = {"method": "POST", "path": "/graphql", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"}
    return {
        "version": "2.0",
        "routeKey": "POST /graphql",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.com"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "api.example.com",
            "http": {**http, "userAgent": "bench"},
            "requestId": "bench",
            "routeKey": "POST /graphql",
            "stage": "$default",
            "timeEpoch": 0,
            "authorizer": {"lambda": {"sub": "auth0|admin", "admin": True}},
        },
        "body": json.dumps({"query": QUERY, "variables": {"id": USER_ID}}),
        "isBase64Encoded": False,
    }


def graphql_api() -> None:
    from handlers.graphql_api import handler

    _check(handler(api_event(), Context()))


def frameworks() -> None:
    from bench.cold_frameworks import handler

    _check(handler(api_event(), Context()))


def _check(response: dict[str, object]) -> None:
    body = json.loads(str(response["body"]))
    if response["statusCode"] != 200 or not (body.get("data") or {}).get("user"):
        raise RuntimeError(f"the first request failed: {response}")


def worker(kind: str) -> None:
    __import__(f"handlers.{kind}")
    from infra.aws.backend import AwsBackend
    from lambda_runtime.bootstrap import from_environment

    backend = from_environment().backend
    assert isinstance(backend, AwsBackend)
    clients = backend.clients
    clients.dynamodb()
    clients.sqs()


def boto3_clients() -> None:
    import boto3

    boto3.client("dynamodb")
    boto3.client("sqs")


def main(kind: str) -> None:
    start = time.perf_counter()
    if kind == "graphql_api":
        graphql_api()
    elif kind == "frameworks":
        frameworks()
    elif kind in WORKER_KINDS:
        worker(kind)
    elif kind == "boto3":
        boto3_clients()
    else:
        raise SystemExit(f"unknown kind {kind}")
    print(f"\n{time.perf_counter() - start:.6f}", flush=True)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
