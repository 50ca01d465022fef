"""No command path may Scan a table or write with BatchWriteItem (not atomic, not conditional):
the code says so, not only the tests that run it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = (".scan(", "batch_write_item", "batch_writer(")


def test_no_scan_or_batch_write_in_the_pipeline_or_its_adapters() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("infra", "pipeline")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(word in line for word in FORBIDDEN) and "# allow-scan" not in line
    ]
    assert offenders == []
