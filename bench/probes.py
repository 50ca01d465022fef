"""The registry of measurements. A probe measures one thing (or a family of things measured
together) and returns its figures; `--only` picks probes by the names they produce."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.results import Figure

Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class Sizes:
    quick: bool
    work: Path  # scratch directory for this run

    def pick(self, quick: Number, full: Number) -> Number:
        return quick if self.quick else full


@dataclass(frozen=True)
class Probe:
    names: tuple[str, ...]  # figure names it produces (globs allowed)
    run: Callable[[Sizes], list[Figure]]
    title: str

    def wanted(self, only: list[str]) -> bool:
        return not only or any(
            fnmatch.fnmatch(name, pattern)
            or fnmatch.fnmatch(pattern, name)
            or name.startswith(pattern)
            for name in self.names
            for pattern in only
        )


PROBES: list[Probe] = []


def probe(
    title: str, *names: str
) -> Callable[[Callable[[Sizes], list[Figure]]], Callable[[Sizes], list[Figure]]]:
    def register(run: Callable[[Sizes], list[Figure]]) -> Callable[[Sizes], list[Figure]]:
        PROBES.append(Probe(names, run, title))
        return run

    return register
