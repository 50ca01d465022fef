"""A real consumer process for crash tests: runs every stage until idle, unbatched (each port
call commits on its own), and with `--kill-after N` SIGKILLs itself at its Nth port call, a
point chosen by the test anywhere between receive and acknowledge."""

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


def open_deployment(kind: str, location: str) -> Backend:
    if kind == "sqlite":
        from infra.sqlite import open_backend

        return open_backend(Path(location))
    raise SystemExit(f"unknown deployment {kind}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind")
    parser.add_argument("location")
    parser.add_argument("--kill-after", type=int)
    args = parser.parse_args()
    backend = unbatched(open_deployment(args.kind, args.location))
    switch = KillSwitch(args.kill_after)
    wired = replace(
        backend,
        events=Tripwire(backend.events, switch),
        views=Tripwire(backend.views, switch),
        commands=Tripwire(backend.commands, switch),
        command_queue=Tripwire(backend.command_queue, switch),
        execution_queue=Tripwire(backend.execution_queue, switch),
    )
    Runner(wired, RunnerSettings(retry_base_s=0)).run_until_idle()


if __name__ == "__main__":
    main()
