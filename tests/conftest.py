from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deployments import FACTORIES, Deployment

# Some botocore releases route DynamoDB Streams through account endpoints moto lacks.
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "deployment" in metafunc.fixturenames:
        metafunc.parametrize("deployment", sorted(FACTORIES), indirect=True)


@pytest.fixture
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with FACTORIES[request.param](tmp_path) as deployed:
        yield deployed
