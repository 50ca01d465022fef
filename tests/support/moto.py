"""moto for the AWS deployment: in process (mock_aws) for the test itself, and a server on a
local port, sharing the same state, for consumer processes (crash tests need a real process).

moto has no lock of its own: two threads (or server requests) inside one TransactWriteItems can
interleave, and a cancelled transaction restores a copy of the whole table, erasing what another
thread wrote meanwhile. Real DynamoDB and SQS requests are each atomic, so here every request,
in process or through the server, runs under one lock. Threads still race between requests,
which is where the races of a real deployment are.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

_LOCK = threading.RLock()
_server: dict[str, str] = {}  # "url" once started
_started = threading.Lock()


def serialize_requests() -> None:
    """Make each in-process moto request atomic, and stream reads faithful (idempotent)."""
    from moto.core.botocore_stubber import BotocoreStubber

    if getattr(BotocoreStubber, "_usermgmt_locked", False):
        return
    _read_streams_from_the_current_table()
    unlocked = BotocoreStubber.__call__

    def locked(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return unlocked(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = locked  # type: ignore[method-assign]
    BotocoreStubber._usermgmt_locked = True  # type: ignore[attr-defined]


def _read_streams_from_the_current_table() -> None:
    """A moto shard iterator keeps the shard object it was made with, but a cancelled
    transaction replaces the whole table (its stream shard included) with a copy taken before
    it. An iterator made before that would then read the cancelled transaction's records, which
    DynamoDB never streams. Read from the table's current shard instead."""
    from moto.dynamodbstreams.models import ShardIterator

    unpatched = ShardIterator.get

    def get(self: ShardIterator, limit: int = 1000) -> Any:
        table = self.streams_backend.dynamodb.get_table(self.stream_shard.table.name)
        if table.stream_shard is not None:
            self.stream_shard = table.stream_shard
        return unpatched(self, limit)

    ShardIterator.get = get  # type: ignore[method-assign]


class _Serialized:
    """A WSGI app whose requests run one at a time, under the same lock as in-process calls."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> Any:
        with _LOCK:
            return list(self.app(environ, start_response))


def server_url() -> str:
    """The URL of this process's moto server, started on first use on a free port."""
    with _started:
        if "url" not in _server:
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                MotoRequestHandler,
                create_backend_app,
            )
            from werkzeug.serving import make_server

            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            app = _Serialized(DomainDispatcherApplication(create_backend_app))
            server = make_server(
                "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
            )
            threading.Thread(target=server.serve_forever, daemon=True, name="moto").start()
            _server["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    return _server["url"]
