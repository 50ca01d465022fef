"""Every AWS client the functions use can be made: botocore's loader is told which services
there are (infra/aws/loader.py), so a service missing from that list would fail here first."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from infra.aws.clients import Clients

ENDPOINT = "http://127.0.0.1:9"  # never called: making a client sends no request


def client_makers() -> list[str]:
    """Every public method of Clients makes a client: a new one is tested without being listed."""
    return [
        name
        for name, _ in inspect.getmembers(Clients, inspect.isfunction)
        if not name.startswith("_")
    ]


def make(clients: Clients, name: str) -> Any:  # a botocore client: untyped
    method = getattr(clients, name)
    if "endpoint" in inspect.signature(method).parameters:
        return method("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/test")
    return method()


def test_the_clients_include_the_websocket_management_api() -> None:
    assert "management" in client_makers()


@pytest.mark.parametrize("name", client_makers())
def test_each_client_the_functions_use_can_be_made(name: str) -> None:
    clients = Clients("eu-west-1", ENDPOINT)
    client = make(clients, name)
    assert client.meta.region_name == "eu-west-1"
    assert make(clients, name) is client  # made once, then kept
