"""What each Lambda function carries: its own pinned requirements (as in requirements.lock, and
complete), none of the runtime's boto3, and enough to import its handler with nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "lambda-packages"
ARTIFACTS = ROOT / ".serverless" / "lambda-packages"
# Lambda's Python runtime brings these (boto3 and its dependencies); serverless.yml's noDeploy.
RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
RUNTIME_MODULES = ["boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3"]
TARGET = {
    **{k: str(v) for k, v in default_environment().items()},
    "python_version": "3.12",
    "sys_platform": "linux",
}


def pins(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[canonicalize_name(name)] = version
    return found


# Dependencies a function's code never imports, left out of its package (the requirements are
# installed with --no-deps); the packaged handler's probe below shows it runs without them.
NEVER_IMPORTED = {"api": {"idna", "packaging"}}


@pytest.mark.parametrize("module", ["api", "authorizer", "worker", "websocket", "notifier"])
def test_a_functions_requirements_are_pinned_as_locked_and_complete(module: str) -> None:
    wanted = pins(MODULES / module / "requirements.txt")
    locked = pins(ROOT / "requirements.lock")
    assert {name: locked.get(name) for name in wanted} == wanted
    for name in wanted:
        for requirement in map(Requirement, metadata.requires(name) or []):
            target = {**TARGET, "extra": ""}
            if requirement.marker and not requirement.marker.evaluate(target):
                continue
            dependency = canonicalize_name(requirement.name)
            left_out = NEVER_IMPORTED.get(module, set())
            assert dependency in {*wanted, *RUNTIME, *left_out}, f"{name} needs {dependency}"


def artifact(function: str, module: str) -> Path:
    path = ARTIFACTS / f"{module}-usermgmt-dev-{function}.zip"
    if not path.exists():
        pytest.skip("no package built: `make package` (part of `make test`) builds it")
    return path


PROBE = Path(__file__).with_name("package_probe.py")
# handler -> its function's zip (serverless.yml's function key, its lambda-packages module)
PROBED = {
    "authorizer": ("authorizer", "authorizer"),
    "command": ("command", "worker"),
    "mediator": ("mediator", "worker"),
    "graphql_api": ("graphqlApi", "api"),
    "websocket": ("websocket", "websocket"),
    "notifier": ("notifier", "notifier"),
}
# The zip's arm64 builds of these are swapped for this machine's (same pinned versions).
NATIVE = {
    "authorizer": ["cryptography", "cffi", "_cffi_backend"],
    "command": ["cryptography", "cffi", "_cffi_backend"],
    "mediator": ["cryptography", "cffi", "_cffi_backend"],
    "graphql_api": ["cryptography", "cffi", "_cffi_backend"],
    "websocket": ["cryptography", "cffi", "_cffi_backend"],
}


def run_probe(handler: str, tmp_path: Path) -> tuple[set[str], list[str], list[str]]:
    """The zip's top-level names and files, and the modules the probe loaded from it."""
    function, module = PROBED[handler]
    package = tmp_path / "package"
    with zipfile.ZipFile(artifact(function, module)) as archive:
        files = [name for name in archive.namelist() if not name.endswith("/")]
        tops = {name.split("/")[0] for name in files}
        archive.extractall(package)
    assert not tops & {"boto3", "botocore"}
    assert ("cryptography" in tops) == (handler in NATIVE)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    site = Path(str(metadata.distribution("botocore").locate_file("")))
    for name in RUNTIME_MODULES:
        (runtime / name).symlink_to(site / name)
    native = tmp_path / "native"
    native.mkdir()
    for prefix in NATIVE.get(handler, []):
        assert any(top.startswith(prefix) for top in tops), f"the zip has no {prefix}"
        for found in site.glob(f"{prefix}*"):
            if not found.name.endswith(".dist-info"):
                (native / found.name).symlink_to(found)
    # -I -S: no site-packages, so nothing but the package, the runtime's modules and the stdlib.
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(PROBE), str(package), str(runtime), handler, str(native)],
        capture_output=True,
        text=True,
        check=False,
        env={"AWS_DEFAULT_REGION": "eu-west-1"},
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return tops, files, loaded


@pytest.mark.parametrize("handler", sorted(PROBED))
def test_a_packaged_handler_runs_on_a_real_shaped_event_with_the_runtime_alone(
    handler: str, tmp_path: Path
) -> None:
    run_probe(handler, tmp_path)


OURS = {
    "domain",
    "pipeline",
    "infra",
    "handlers",
    "schema",
    "resolvers",
    "api",
    "lambda_runtime",
    "internals",
}
# What a zip holds that is not code: the plugin's marker, the function's requirements.
NOT_CODE = {".completed_requirements", "requirements.txt"}


# Loaded on first use, by a read that opens sealed events (history, asOf, export): not by the
# probe's query, and never by a function that does not read events (the notifier).
LOADED_TO_OPEN_EVENTS = {"cryptography", "cffi", "_cffi_backend", "pycparser"}


def test_the_graphql_package_holds_only_what_answering_a_request_loads(tmp_path: Path) -> None:
    """Every top-level package in the zip, and every one of our modules, is loaded by importing
    the handler, making its backend and answering a query with a nested field."""
    tops, files, loaded = run_probe("graphql_api", tmp_path)
    loaded_tops = {name.split(".")[0] for name in loaded}
    unused_tops = {
        top
        for top in tops - NOT_CODE
        if top.split(".")[0] not in LOADED_TO_OPEN_EVENTS
        if top.removesuffix(".py") not in loaded_tops and not top.endswith(".dist-info")
    }
    assert not unused_tops, f"the zip carries what the function never loads: {unused_tops}"
    modules = {
        name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for name in files
        if name.split("/")[0] in OURS and name.endswith(".py")
    }
    unused = sorted(modules - set(loaded))
    assert not unused, f"the zip carries modules of ours the function never loads: {unused}"


GRAPHQL = {"strawberry", "starlette", "mangum", "schema", "resolvers"}
WEB_SERVER = {"starlette", "mangum", "uvicorn", "websockets"}
# handler module -> what it must never import (cold starts are billed, packages are trimmed)
NEVER = {
    **dict.fromkeys(["command", "mediator", "executor", "replay", "authorizer"], GRAPHQL),
    "websocket": WEB_SERVER,
    "notifier": WEB_SERVER | {"jwt", "cryptography"},
}


@pytest.mark.parametrize("handler", sorted(NEVER))
def test_a_function_imports_nothing_it_does_not_need(handler: str) -> None:
    probe = (
        f"import sys, handlers.{handler}; "
        f"loaded = {sorted(NEVER[handler])} & sys.modules.keys(); assert not loaded, loaded"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
