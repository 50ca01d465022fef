from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest

from domain import commands as c
from infra.auth import LocalAuthority
from infra.sqlite import open_backend
from infra.sqlite.schema import VIEW_TABLES
from pipeline.runner import Runner
from tests.support.builders import as_admin, new_id


def usermgmt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args], capture_output=True, text=True, check=False
    )


def test_replay_rebuilds_lost_view_rows_of_a_data_directory(tmp_path: Path) -> None:
    backend = open_backend(tmp_path)
    group_id = new_id()
    as_admin(backend, c.CreateGroup(id=group_id, name="lost", description="and found"))
    Runner(backend).run_until_idle()
    assert backend.db is not None
    with backend.db.transaction() as conn:
        conn.execute(f"DELETE FROM {VIEW_TABLES['group']}")
    assert backend.views.get("group", group_id) is None

    done = usermgmt("replay", "--from", "2020-01-01T00:00:00Z", "--data", str(tmp_path))

    assert done.returncode == 0, done.stderr
    assert "replayed 1 events of 1 streams" in done.stderr
    row = backend.views.get("group", group_id)
    assert row is not None and row.data is not None and row.data["name"] == "lost"
    backend.close()


def test_replay_refuses_a_malformed_timestamp_and_changes_nothing(tmp_path: Path) -> None:
    done = usermgmt("replay", "--from", "yesterday", "--data", str(tmp_path / "d"))
    assert done.returncode == 2
    assert "not an ISO-8601 timestamp" in done.stderr
    assert not (tmp_path / "d").exists()


def test_timestamps_without_a_zone_are_utc() -> None:
    from cli.commands import _timestamp

    assert _timestamp("2026-11-26T10:15:30") == datetime(2026, 11, 26, 10, 15, 30, tzinfo=UTC)
    assert _timestamp("2026-11-26T11:15:30+01:00") == datetime(2026, 11, 26, 10, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 2), (4, 4), (64, 4)])
def test_serve_runs_an_http_worker_per_core_up_to_four(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int
) -> None:
    from local_server import workers as layout

    monkeypatch.setattr("local_server.workers.os.sched_getaffinity", lambda pid: set(range(cores)))
    assert layout.default_workers() == workers


# A read-only or full disk, as root (tests run as root, and root ignores permission bits): a
# tmpfs mounted read-only or filled up, in a mount namespace of the server's own (`unshare -m`),
# so nothing stays mounted whatever becomes of the test. $D: the mount point; $SRC: a data
# directory made before, to start on.
MOUNTS = {
    ("read-only", False): "mount -t tmpfs -o ro tmpfs $D",
    ("read-only", True): "mount --bind $SRC $D && mount -o remount,bind,ro $D",
    ("full", False): "mount -t tmpfs -o size=1m tmpfs $D",
    ("full", True): "mount -t tmpfs -o size=1m tmpfs $D && cp -a $SRC/. $D",
}
FILL = "(dd if=/dev/zero of=$D/fill bs=4k 2>/dev/null; true)"
REASONS = {"read-only": "Read-only file system", "full": "No space left on device"}


def serve_on(disk: str, data: Path, workers: int) -> tuple[int, str]:
    """`usermgmt serve --data data`, `data` on a `disk` file system mounted at `data`, new or
    with what `data` holds now. Skips where mounting is not allowed."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1)")
    existing = data.exists() and any(data.iterdir())
    source = data.with_name(data.name + "-before")
    if existing:
        data.rename(source)
    data.mkdir()
    mount = MOUNTS[disk, existing] + (f" && {FILL}" if disk == "full" else "")
    serve = f"{sys.executable} -m handlers.cli serve --port 0 --workers {workers} --data $D"
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"{mount} || exit 99; exec {serve}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "D": str(data), "SRC": str(source)},
    )
    if done.returncode == 99:
        pytest.skip(f"cannot mount a {disk} tmpfs here: {done.stderr.strip()}")
    assert not done.stdout
    return done.returncode, done.stderr


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("disk", ["read-only", "full"])
def test_serve_on_a_new_data_directory_it_cannot_write_says_what_where_and_why_in_one_line(
    tmp_path: Path, disk: str, workers: int
) -> None:
    data = tmp_path / "data"

    code, said = serve_on(disk, data, workers)

    where = data / "auth"
    assert (code, said) == (
        1,
        f"usermgmt serve: cannot write the local signing key to {where}: {REASONS[disk]}\n",
    )


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("disk", ["read-only", "full"])
def test_serve_on_an_existing_data_directory_it_cannot_write_names_the_database(
    tmp_path: Path, disk: str, workers: int
) -> None:
    data = tmp_path / "data"
    LocalAuthority.ensure(data)
    open_backend(data).close()

    code, said = serve_on(disk, data, workers)

    assert (code, said) == (
        1,
        f"usermgmt serve: cannot write the database usermgmt.db to {data}: {REASONS[disk]}\n",
    )


def test_serve_where_the_data_directory_cannot_be_made_says_why_in_one_line(
    tmp_path: Path,
) -> None:
    """Anywhere, as any user: the data directory's parent is a file."""
    (tmp_path / "file").touch()
    data = tmp_path / "file" / "data"
    done = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "serve", "--port", "0", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"usermgmt serve: cannot write the local signing key to {data / 'auth'}: Not a directory\n"
    )


def usermgmt_in(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed `usermgmt` command run from `cwd`, as from another directory."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("USERMGMT_")}
    command = [str(Path(sys.executable).parent / "usermgmt"), *args]
    return subprocess.run(
        command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("how", ["default", "--data", "USERMGMT_DATA_DIR"])
def test_token_without_a_data_directory_creates_nothing_and_says_where_it_looked(
    tmp_path: Path, how: str
) -> None:
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    missing = tmp_path / "no-such-data"
    args: tuple[str, ...] = ("token", "--admin")
    env: dict[str, str] = {}
    if how == "--data":
        args += ("--data", str(missing))
    elif how == "USERMGMT_DATA_DIR":
        env["USERMGMT_DATA_DIR"] = str(missing)
    looked_in = cwd / ".usermgmt" if how == "default" else missing

    done = usermgmt_in(cwd, *args, **env)

    assert done.returncode == 1
    assert done.stdout == ""  # nothing a script would take for a token
    assert str(looked_in) in done.stderr
    assert "--data" in done.stderr and "USERMGMT_DATA_DIR" in done.stderr
    assert sorted(tmp_path.rglob("*")) == [cwd]


def test_token_finds_the_servers_key_through_the_setting(tmp_path: Path) -> None:
    authority = LocalAuthority.ensure(tmp_path / "server-data")  # as `usermgmt serve` made it
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    done = usermgmt_in(
        elsewhere, "token", "--sub", "auth0|u", USERMGMT_DATA_DIR=str(tmp_path / "server-data")
    )

    assert done.returncode == 0, done.stderr
    key = jwt.PyJWK(authority.jwks()["keys"][0]).key
    claims = jwt.decode(done.stdout.strip(), key, algorithms=["RS256"], audience=authority.audience)
    assert claims["sub"] == "auth0|u"
    assert list(elsewhere.iterdir()) == []


def test_token_for_a_service_is_a_client_credentials_token_with_the_check_right(
    tmp_path: Path,
) -> None:
    authority = LocalAuthority.ensure(tmp_path)

    done = usermgmt("token", "--service", "auth0-action", "--data", str(tmp_path))

    assert done.returncode == 0, done.stderr
    key = jwt.PyJWK(authority.jwks()["keys"][0]).key
    claims = jwt.decode(done.stdout.strip(), key, algorithms=["RS256"], audience=authority.audience)
    assert claims["sub"] == "auth0-action@clients"
    assert claims["permissions"] == ["usermgmt:check"]


@pytest.mark.parametrize(
    "args", [("--service", "a b"), ("--service", "x", "--admin"), ("--service", "x", "--sub", "u")]
)
def test_token_refuses_a_service_name_it_cannot_mint(tmp_path: Path, args: tuple[str, ...]) -> None:
    LocalAuthority.ensure(tmp_path)
    done = usermgmt("token", *args, "--data", str(tmp_path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--service" in done.stderr
