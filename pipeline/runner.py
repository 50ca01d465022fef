"""Drive the stages continuously in one process: the embedded backend's event source mappings.

One pipeline thread runs command stage → mediator → executor in turn, in batches, and sleeps
only when none of them found work; a `wake()` (from an in-process submit) or the idle timeout
(for work submitted by other processes) starts it again. Replays run on a thread of their own
so a long rebuild never holds up commands; `wake_stages()` and `wake_replays()` wake one each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.command_stage import give_up_command, handle_command
from pipeline.delivery import pump
from pipeline.executor import give_up_event, handle_event
from pipeline.mediator import mediate_once
from pipeline.ports import Backend, OutMessage, Queue
from pipeline.records import CommandEnvelope
from pipeline.replay import handle_replay
from pipeline.step_failures import StepFailures


@dataclass(frozen=True)
class RunnerSettings:
    batch: int = 100
    idle_wait_s: float = 0.05
    # Replays are queued by this process's command stage, which wakes the replay thread; its
    # timeout only finds one left by a process that died. Each look takes the write lock, which
    # every other writer then waits for.
    replay_idle_wait_s: float = 1.0
    retry_base_s: float = 0.05  # first retry delay of a failed message; doubles each time
    # A step that fails as a whole (a full disk fails every one) is tried again after this,
    # doubled each failure in a row up to the cap: the server comes back within the cap once
    # the cause is gone, and meanwhile takes no CPU and floods no log.
    failure_wait_s: float = 0.1
    failure_wait_max_s: float = 10.0


def queue_replay(replays: Queue, envelope: CommandEnvelope, after: str = "") -> None:
    """The launcher of a polled backend (given `replays`, its Backend.replays): replays wait on
    their own durable queue, and run whole (no time limit here, so no chunks: `after` is never
    given)."""
    assert not after
    replays.send([OutMessage(envelope.to_json(), "replay", envelope.command_id)])


class Runner:
    def __init__(
        self,
        backend: Backend,
        settings: RunnerSettings = RunnerSettings(),
        pause: Callable[[float], object] | None = None,
    ) -> None:
        self.backend = backend
        self.settings = settings
        self._wake = threading.Event()
        self._replay_wake = threading.Event()
        self._stop = threading.Event()
        # How a thread waits after a failed step: until the time is up or the runner stops.
        # Not woken by new work, which would only fail the same way sooner.
        self._pause = pause or self._stop.wait
        self._threads: list[threading.Thread] = []

    def wake(self) -> None:
        """Something was queued: wake both threads."""
        self.wake_stages()
        self.wake_replays()

    def wake_stages(self) -> None:
        """Commands were queued: run the stages now. Apart from `wake_replays`: each step of
        the replay thread takes the write lock, and commands must not make it do so for nothing.
        """
        self._wake.set()

    def wake_replays(self) -> None:
        self._replay_wake.set()

    def step(self) -> int:
        """One round of every stage; returns how much work it found."""
        backend, batch, base = self.backend, self.settings.batch, self.settings.retry_base_s
        found = pump(
            backend,
            backend.command_queue,
            self._command,
            self._give_up_command,
            batch,
            retry_base_s=base,
        )
        found += mediate_once(backend, batch * 5)
        found += pump(
            backend,
            backend.execution_queue,
            self._event,
            self._give_up_event,
            batch,
            retry_base_s=base,
        )
        return found

    def replay_step(self) -> int:
        replays = self.backend.replays
        if replays is None:
            return 0
        return pump(
            self.backend,
            replays,
            self._replay,
            self._give_up_command,
            1,
            retry_base_s=self.settings.retry_base_s,
        )

    def run_until_idle(self, max_rounds: int = 10_000) -> None:
        """Drive every stage until none finds work (tests and one-shot tools)."""
        for _ in range(max_rounds):
            if not self.step() + self.replay_step():
                return
        raise RuntimeError("the pipeline did not settle")

    def start(self) -> None:
        self._stop.clear()
        self._threads = [
            threading.Thread(
                target=self._loop,
                args=("pipeline step", self.step, self._wake, self.settings.idle_wait_s),
                daemon=True,
                name="usermgmt-pipeline",
            ),
            threading.Thread(
                target=self._loop,
                args=(
                    "replay step",
                    self.replay_step,
                    self._replay_wake,
                    self.settings.replay_idle_wait_s,
                ),
                daemon=True,
                name="usermgmt-replay",
            ),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def _loop(
        self, name: str, step: Callable[[], int], wake: threading.Event, idle_wait_s: float
    ) -> None:
        settings = self.settings
        failures = StepFailures(name, settings.failure_wait_s, settings.failure_wait_max_s)
        while not self._stop.is_set():
            try:
                found = step()
            except Exception as error:
                self._pause(failures.failed(error))
                continue
            failures.succeeded()
            if not found:
                wake.wait(idle_wait_s)
                wake.clear()

    def _command(self, body: str) -> None:
        handle_command(self.backend, body)

    def _give_up_command(self, body: str, reason: str) -> None:
        give_up_command(self.backend, body, reason)

    def _event(self, body: str) -> None:
        handle_event(self.backend, body)

    def _give_up_event(self, body: str, reason: str) -> None:
        give_up_event(self.backend, body, reason)

    def _replay(self, body: str) -> None:
        handle_replay(self.backend, body)
