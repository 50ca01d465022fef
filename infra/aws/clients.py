"""botocore clients, made on first use and then kept.

A Lambda container makes each client once (about 25 ms each on a cold start) and only those its
function uses. botocore is used directly: boto3 would add its own import time and nothing that
these low-level calls need.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

# Fail fast and let the queue retry, rather than hold a Lambda for minutes on one call.
CONNECT_TIMEOUT_S = 3
READ_TIMEOUT_S = 10
MAX_ATTEMPTS = 4  # botocore's "standard" retry mode: backoff with jitter on throttling


# Told (service, operation, parameters) before every request: to count requests or refuse some.
Observer = Callable[[str, str, dict[str, Any]], None]


class Clients:
    def __init__(
        self,
        region: str | None = None,
        endpoint_url: str | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.observer = observer
        self._made: dict[str, Any] = {}
        self._session: Any = None
        self._lock = threading.Lock()  # botocore sessions are not safe to share while creating

    def dynamodb(self) -> Any:
        return self._client("dynamodb")

    def sqs(self) -> Any:
        return self._client("sqs")

    def streams(self) -> Any:
        return self._client("dynamodbstreams")

    def kms(self) -> Any:
        return self._client("kms")

    def lambda_(self) -> Any:
        return self._client("lambda")

    def management(self, endpoint: str) -> Any:
        """API Gateway's Management API of one WebSocket API stage (https://{domain}/{stage}):
        its endpoint is the API's, never AWS_ENDPOINT_URL."""
        return self._client("apigatewaymanagementapi", endpoint)

    def _client(self, service: str, endpoint_url: str | None = None) -> Any:
        key = f"{service}@{endpoint_url}" if endpoint_url else service
        client = self._made.get(key)
        if client is None:
            with self._lock:
                client = self._made.get(key)
                if client is None:
                    client = self._create(service, endpoint_url or self.endpoint_url)
                    self._made[key] = client
        return client

    def _create(self, service: str, endpoint_url: str | None) -> Any:
        import botocore.session
        from botocore.config import Config

        from infra.aws.loader import shared_loader

        config = Config(
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
            retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
            max_pool_connections=32,
        )
        if self._session is None:
            self._session = botocore.session.get_session()
            self._session.register_component("data_loader", shared_loader())
        client = self._session.create_client(
            service, region_name=self.region, endpoint_url=endpoint_url, config=config
        )
        if self.observer is not None:
            observer = self.observer

            def observe(model: Any, params: dict[str, Any], **_: Any) -> None:
                observer(service, model.name, params)

            client.meta.events.register("before-call", observe)
        return client
