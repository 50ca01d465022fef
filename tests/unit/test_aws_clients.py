"""Every AWS client the functions use can be made: botocore's loader is told which services
there are (infra/aws/loader.py), so a service missing from that list would fail here first."""

from __future__ import annotations

import pytest

from infra.aws.clients import Clients


@pytest.mark.parametrize("make", ["dynamodb", "sqs", "streams", "lambda_"])
def test_each_client_the_functions_use_can_be_made(make: str) -> None:
    clients = Clients("eu-west-1", "http://127.0.0.1:9")  # never called: no request is sent
    client = getattr(clients, make)()
    assert client.meta.region_name == "eu-west-1"
    assert getattr(clients, make)() is client  # made once, then kept
