"""A front end's typed client: codegen.ts turns schema.graphql and the documents in
clients/operations/ into TypeScript in which the custom scalars have their JSON types
(DateTime and Date: string, JSON: JsonValue), never `any` or `unknown`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "node_modules" / ".bin"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (BIN / "graphql-codegen").exists() or not (BIN / "tsc").exists(),
        reason="node_modules is not installed (npm ci; `make test` does it)",
    ),
]


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("codegen")
    done = _run(str(BIN / "graphql-codegen"), "--config", "codegen.ts", CODEGEN_OUT=str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "graphql.ts"


def test_custom_scalars_come_out_as_their_json_types(generated: Path) -> None:
    text = generated.read_text()
    result = re.search(r"export type UserWithHistoryQuery = (.*);", text)
    assert result is not None, text
    assert "createdAt: string" in result[1]  # DateTime
    assert "birthDate: string | null" in result[1]  # Date
    assert "data: JsonValue" in result[1]  # JSON
    assert "asOf?: string | null" in text  # a DateTime variable
    assert not re.search(r":\s*(any|unknown)\b", result[1]), result[1]


def test_typed_operations_compile_with_the_scalars_as_json_types(
    generated: Path, tmp_path: Path
) -> None:
    """clients/typecheck.ts asserts each scalar's type exactly, so it does not compile against
    a generation where one is `unknown` or `any`."""
    (tmp_path / "generated").mkdir()
    shutil.copy(generated, tmp_path / "generated" / "graphql.ts")
    shutil.copy(ROOT / "clients" / "typecheck.ts", tmp_path / "typecheck.ts")
    done = _run(
        str(BIN / "tsc"),
        "--noEmit",
        "--strict",
        "--target",
        "es2022",
        "--module",
        "esnext",
        "--moduleResolution",
        "bundler",
        str(tmp_path / "typecheck.ts"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
