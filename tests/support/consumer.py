"""A real consumer process for crash tests: runs every stage until idle, unbatched (each port
call commits on its own; on AWS, the Lambda handlers fed by pollers), and with `--kill-after N`
SIGKILLs itself at its Nth port call, a point chosen by the test anywhere between receive and
acknowledge."""

from __future__ import annotations

import argparse
import os
import signal
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.ports import Backend
from pipeline.runner import Runner, RunnerSettings
from tests.support.deployments import unbatched


class KillSwitch:
    def __init__(self, after: int | None) -> None:
        self.left = after

    def tick(self) -> None:
        if self.left is None:
            return
        self.left -= 1
        if self.left <= 0:
            os.kill(os.getpid(), signal.SIGKILL)


class Tripwire:
    """Forwards every call to the port, ticking the kill switch before and after each."""

    def __init__(self, port: Any, switch: KillSwitch) -> None:
        self._port = port
        self._switch = switch

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._port, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self._switch.tick()
            result = attr(*args, **kwargs)
            self._switch.tick()
            return result

        return call


def wired(backend: Backend, switch: KillSwitch) -> Backend:
    return replace(
        unbatched(backend),
        events=Tripwire(backend.events, switch),
        views=Tripwire(backend.views, switch),
        commands=Tripwire(backend.commands, switch),
        command_queue=Tripwire(backend.command_queue, switch),
        execution_queue=Tripwire(backend.execution_queue, switch),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind")
    parser.add_argument("location")
    parser.add_argument("--kill-after", type=int)
    args = parser.parse_args()
    switch = KillSwitch(args.kill_after)
    if args.kind == "sqlite":
        from infra.sqlite import open_backend

        backend = wired(open_backend(Path(args.location)), switch)
        Runner(backend, RunnerSettings(retry_base_s=0)).run_until_idle()
    elif args.kind == "dynamodb":
        from tests.support.aws_deployment import consume

        # The real Lambda handlers, fed by pollers as the event source mappings would.
        consume(args.location, lambda backend: wired(backend, switch))
    else:
        raise SystemExit(f"unknown deployment {args.kind}")


if __name__ == "__main__":
    main()
