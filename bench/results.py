"""Figures and how they are kept: medians with min and max, and the ratio to a baseline."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str
    samples: tuple[float, ...]
    baseline: str | None = None
    goal: str | None = None  # what the figure is held to, in words, for the table

    @property
    def value(self) -> float:
        return statistics.median(self.samples)


def figure(
    name: str,
    unit: str,
    samples: list[float],
    baseline: str | None = None,
    goal: str | None = None,
) -> Figure:
    return Figure(name, unit, tuple(samples), baseline, goal)


def to_json(figures: dict[str, Figure], run: dict[str, Any] | None = None) -> dict[str, Any]:
    results = {}
    for name, f in figures.items():
        base = figures.get(f.baseline) if f.baseline else None
        results[name] = {
            "value": f.value,
            "unit": f.unit,
            "min": min(f.samples),
            "max": max(f.samples),
            "runs": len(f.samples),
            "baseline": f.baseline,
            "ratio": f.value / base.value if base and base.value else None,
            "goal": f.goal,
        }
    return {"machine": {**machine(), **(run or {})}, "results": results}


def write(figures: dict[str, Figure], path: Path, run: dict[str, Any] | None = None) -> None:
    """`run`: facts about this run for the machine section (e.g. other programs' CPU use)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(figures, run), indent=2) + "\n")


def machine() -> dict[str, Any]:
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "commit": _commit(),
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def table(figures: dict[str, Figure]) -> str:
    data = to_json(figures)["results"]
    rows = [("name", "median", "min", "max", "unit", "ratio", "baseline / goal")]
    for name, r in data.items():
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        note = " ".join(x for x in (r["baseline"] and f"vs {r['baseline']}", r["goal"]) if x)
        rows.append(
            (name, _num(r["value"]), _num(r["min"]), _num(r["max"]), r["unit"], ratio, note)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        cells = [
            c.ljust(w) if j in (0, 4, 6) else c.rjust(w)
            for j, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _num(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"
