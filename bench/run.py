"""Run the probes, show progress, print the table, write bench/results.json."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench import commands, embedded, queries  # noqa: F401 - they register their probes
from bench.probes import PROBES, Sizes
from bench.results import Figure, table, write

RESULTS = Path("bench/results.json")


def run(quick: bool, only: list[str], results: Path = RESULTS) -> dict[str, Figure]:
    chosen = [p for p in PROBES if p.wanted(only)]
    if not chosen:
        raise SystemExit(f"no measurement matches {' '.join(only)}")
    figures: dict[str, Figure] = {}
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="usermgmt-bench-") as scratch:
        for i, p in enumerate(chosen, 1):
            step = f"[{i}/{len(chosen)}] {p.title}"
            _progress(f"{step} ...")
            started = time.monotonic()
            work = Path(scratch) / str(i)
            work.mkdir()
            figures.update((f.name, f) for f in p.run(Sizes(quick=quick, work=work)))
            _progress(f"{step}: {time.monotonic() - started:.1f} s", done=True)
    print(table(figures), flush=True)
    write(figures, results)
    _progress(f"{len(figures)} figures in {time.monotonic() - began:.0f} s: {results}", done=True)
    return figures


def _progress(text: str, done: bool = False) -> None:
    """One updating line on a terminal; finished steps only, otherwise (logs, CI)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + text + ("\n" if done else ""))
    elif done:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()
