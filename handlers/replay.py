"""Lambda: runs a ReplayFrom command, invoked asynchronously by the command stage with the
command's envelope, and reports through the command's status: APPLIED once the views are
rebuilt, FAILED (with the reason) if the rebuild fails. A retried invocation of a finished
replay does nothing."""

from __future__ import annotations

import json
from typing import Any

from handlers.lambda_runtime import backend, command_keys, logger
from pipeline.command_stage import give_up_command
from pipeline.records import command_id_of
from pipeline.replay import handle_replay


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> None:
    ports = backend()
    body = json.dumps(event)
    with command_keys(command_id_of(body)):
        try:
            handle_replay(ports, body)
        except Exception as exc:
            logger.exception("replay failed")
            give_up_command(ports, body, f"replay failed: {type(exc).__name__}: {exc}")
            return
        logger.info("replay done")
