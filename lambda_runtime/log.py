"""One JSON logger for every function, and the keys each invocation's lines carry.

The Powertools logger is the stdlib logger "usermgmt", so the pipeline's own loggers
("usermgmt.pipeline", ...) write through it too: every line is JSON and carries the keys set for
the invocation at hand (the function's name, the request id) and for the record at hand (the
command id). Those keys are kept per thread and per task (Powertools' thread-safe keys, a
contextvar), never on the logger itself: on a laptop the stand-in functions run side by side in
one process (devtools/lambda_emulator/), and each line must name the function that wrote it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "usermgmt"))

Event = TypeVar("Event")
Reply = TypeVar("Reply")


@contextmanager
def invocation(context: Any, *, cold_start: bool = False) -> Iterator[None]:
    """Every line inside carries the invocation's keys, as Powertools' inject_lambda_context
    names them, and no key left by an earlier invocation on this thread."""
    before = dict(logger.thread_safe_get_current_keys())
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(
        cold_start=cold_start,
        function_name=context.function_name,
        function_memory_size=context.memory_limit_in_mb,
        function_arn=context.invoked_function_arn,
        function_request_id=context.aws_request_id,
    )
    try:
        yield
    finally:
        logger.thread_safe_clear_keys()
        if before:
            logger.thread_safe_append_keys(**before)


def logged(handler: Callable[[Event, Any], Reply]) -> Callable[[Event, Any], Reply]:
    """A Lambda handler whose every invocation logs under its own keys (`invocation`)."""
    cold_start = True

    @functools.wraps(handler)
    def run(event: Event, context: Any) -> Reply:
        nonlocal cold_start
        first, cold_start = cold_start, False
        with invocation(context, cold_start=first):
            return handler(event, context)

    return run


@contextmanager
def command_keys(command_id: str | None) -> Iterator[None]:
    """Every log line inside carries this command id."""
    logger.thread_safe_append_keys(command_id=command_id)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(["command_id"])
