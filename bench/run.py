"""Run the probes, show progress, print the table, write bench/results.json."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench import aws, cold, commands, embedded, queries, worst_query  # noqa: F401 - they register probes
from bench.background import Background
from bench.probes import PROBES, Sizes
from bench.results import Figure, table, write

RESULTS = Path("bench/results.json")


def run(quick: bool, only: list[str], results: Path = RESULTS) -> dict[str, Figure]:
    chosen = [p for p in PROBES if p.wanted(only)]
    if not chosen:
        raise SystemExit(f"no measurement matches {' '.join(only)}")
    figures: dict[str, Figure] = {}
    began = time.monotonic()
    whole_run = Background()
    with tempfile.TemporaryDirectory(prefix="usermgmt-bench-") as scratch:
        for i, p in enumerate(chosen, 1):
            step = f"[{i}/{len(chosen)}] {p.title}"
            _progress(f"{step} ...")
            started, background = time.monotonic(), Background()
            work = Path(scratch) / str(i)
            work.mkdir()
            figures.update((f.name, f) for f in p.run(Sizes(quick=quick, work=work)))
            took = f"{time.monotonic() - started:.1f} s"
            _progress(f"{step}: {took}{_others(background.cores())}", done=True)
    print(table(figures), flush=True)
    write(figures, results, {"background_cpu_cores": _rounded(whole_run.cores())})
    _progress(f"{len(figures)} figures in {time.monotonic() - began:.0f} s: {results}", done=True)
    return figures


def _others(cores: float | None) -> str:
    """Other programs' CPU use during a step, when it was enough to disturb the figures."""
    return f" (other programs used {cores:.1f} cores meanwhile)" if cores and cores >= 0.2 else ""


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _progress(text: str, done: bool = False) -> None:
    """One updating line on a terminal; finished steps only, otherwise (logs, CI)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + text + ("\n" if done else ""))
    elif done:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()
