"""Lambda: runs a ReplayFrom command, invoked asynchronously by the command stage with the
command's envelope, and reports through the command's status: APPLIED once the views are
rebuilt, FAILED (with the reason) if the rebuild fails. A replay longer than one invocation
allows runs in chunks: when the invocation's time runs low, it invokes the function again for
the rest (the payload names the chunk). A retried or duplicated invocation of a chunk that has
been handed on or finished does nothing; a chunk whose tries all die (time out) is FAILED."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lambda_runtime.log import command_keys, logger
from pipeline.command_stage import give_up_command
from pipeline.ports import Backend, ReplayProgress
from pipeline.records import command_id_of
from pipeline.replay import handle_replay_chunk


@dataclass(frozen=True)
class Replay:
    """A Lambda handler: one chunk of a replay on `ports`, its progress kept in `progress`."""

    ports: Backend
    progress: ReplayProgress

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        run_chunk(self.ports, self.progress, event, context)


def run_chunk(
    ports: Backend, progress: ReplayProgress, event: dict[str, Any], context: Any
) -> None:
    body = json.dumps(event)

    def time_left_s() -> float:
        return float(context.get_remaining_time_in_millis()) / 1000

    with command_keys(command_id_of(body)):
        try:
            handle_replay_chunk(ports, progress, body, time_left_s)
        except Exception as exc:
            logger.exception("replay failed")
            give_up_command(ports, body, f"replay failed: {type(exc).__name__}: {exc}")
            return
        logger.info("replay done")
