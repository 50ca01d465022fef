"""What the worker functions share: the backend, made once per container from the environment
(or given by a poller standing in for Lambda), and one JSON logger.

The Powertools logger is the stdlib logger "usermgmt", so the pipeline's own loggers
("usermgmt.pipeline", ...) write through it too: every line is JSON and carries the keys set
for the record at hand, the command id first among them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from pipeline.ports import Backend

if TYPE_CHECKING:
    from infra.settings import Settings

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "usermgmt"))


@dataclass
class _Container:
    """What lives as long as the Lambda container (or the poller process)."""

    backend: Backend | None = None
    retry_base_s: float | None = None
    app_settings: Settings | None = None


_container = _Container()


def backend() -> Backend:
    if _container.backend is None:
        from infra.aws import open_backend
        from infra.aws.settings import from_env

        _container.backend = open_backend(from_env())
    return _container.backend


def use(
    given: Backend | None,
    *,
    retry_base_s: float | None = None,
    app_settings: Settings | None = None,
) -> None:
    """Run the handlers on `given` (pollers and tests); None: the environment's, made anew."""
    _container.backend = given
    _container.retry_base_s = retry_base_s
    _container.app_settings = app_settings


def app_settings() -> Settings:
    """The API's settings (auth, defences): given, or the environment's."""
    if _container.app_settings is None:
        from infra.settings import settings

        _container.app_settings = settings()
    return _container.app_settings


def retry_base_s() -> float:
    """The first backoff of a failed message, doubling with each delivery."""
    if _container.retry_base_s is not None:
        return _container.retry_base_s
    return float(os.environ.get("USERMGMT_RETRY_BASE_S", "1"))


@contextmanager
def command_keys(command_id: str | None) -> Iterator[None]:
    """Every log line inside carries this command id (threads keep their own: pollers run
    several stages at once in one process)."""
    logger.thread_safe_append_keys(command_id=command_id)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(["command_id"])
