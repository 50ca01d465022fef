"""`usermgmt`: the command line of the embedded backend."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from infra.unwritable import Unwritable

DEFAULT_DATA = Path(".usermgmt")
ADMIN_SUB = "local|admin"
SERVICE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="usermgmt", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except Unwritable as error:  # a read-only or full disk: what, where and why, one line
        print(f"usermgmt {args.command}: {error}", file=sys.stderr)
        return 1
    return result


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("USERMGMT_DATA_DIR") or DEFAULT_DATA),
        metavar="DIR",
        help="data directory of the embedded backend (default: $USERMGMT_DATA_DIR, else "
        "./.usermgmt)",
    )


def _timestamp(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO-8601 timestamp (e.g. 2026-11-26T10:15:30Z)"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# replay -----------------------------------------------------------------------------------------


def _register_replay(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    replay = commands.add_parser(
        "replay",
        help="rebuild the views of every aggregate changed since a moment",
        description="Re-fold every stream with an event at or after TIMESTAMP and write its "
        "view row, never over a newer one. Safe while the server runs.",
    )
    replay.add_argument(
        "--from",
        dest="timestamp",
        type=_timestamp,
        required=True,
        metavar="TIMESTAMP",
        help="ISO-8601; without a zone it is UTC",
    )
    _data_option(replay)
    replay.set_defaults(run=_replay)


def _replay(args: argparse.Namespace) -> int:
    from domain.commands import ReplayFrom
    from infra.sqlite import open_backend
    from pipeline.records import CommandEnvelope, Status
    from pipeline.replay import replay_from

    backend = open_backend(args.data)
    envelope = CommandEnvelope(
        command_id=str(uuid.uuid4()),
        command=ReplayFrom(timestamp=args.timestamp),
        actor="cli",
        admin=True,
        submitted_at=backend.clock(),
    )
    backend.commands.record(envelope.record())
    backend.commands.advance(envelope.command_id, Status.ACCEPTED, backend.clock())
    report = replay_from(backend, args.timestamp)
    backend.commands.advance(envelope.command_id, Status.APPLIED, backend.clock())
    print(
        f"replayed {report.events} events of {report.streams} streams, "
        f"{report.rows_written} view rows written (command {envelope.command_id} APPLIED)",
        file=sys.stderr,
    )
    backend.close()
    return 0


# serve ------------------------------------------------------------------------------------------


def _register_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the GraphQL API and run the pipeline",
        description="GraphiQL on GET /graphql, queries and mutations on POST /graphql, "
        "subscriptions (graphql-transport-ws) on /graphql, /healthz, the console at /console/ "
        "(web/dist, or USERMGMT_CONSOLE_DIR; `make console` builds it). Ctrl-C stops it.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="default: 8000; 0: any free one")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="N > 1: N processes serve HTTP while this one runs the pipeline; 1: everything in "
        "one process. Default: one per CPU core, at most 4, on the embedded backend (so one "
        "process on a single core), 1 with --backend aws",
    )
    serve.add_argument(
        "--backend",
        choices=("sqlite", "aws"),
        default=os.environ.get("USERMGMT_BACKEND", "sqlite"),
        help="sqlite (default): the embedded backend in --data; aws: DynamoDB and SQS of a "
        "deployed stage, at AWS_ENDPOINT_URL if set (e.g. a moto_server), with pollers standing "
        "in for Lambda's event source mappings",
    )
    serve.add_argument(
        "--stage",
        default=os.environ.get("USERMGMT_STAGE", "dev"),
        help="with --backend aws: the stage whose tables and queues to use (default: dev)",
    )
    serve.add_argument(
        "--create-resources",
        action="store_true",
        help="with --backend aws: first create serverless.yml's tables and queues where missing "
        "(for a moto_server or LocalStack; a real account gets them from `osls deploy`)",
    )
    _data_option(serve)
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    from local_server.listeners import announce, listen
    from local_server.workers import default_workers, serve_workers

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")  # uvicorn's
    aws = args.backend == "aws"
    workers = args.workers
    if workers is None:  # on AWS, pollers stand in for Lambda in this process
        workers = 1 if aws else default_workers()
    if workers < 1:
        print("usermgmt serve: --workers must be at least 1", file=sys.stderr)
        return 2
    if workers > 1 and aws:
        print("usermgmt serve: --workers runs the embedded backend only", file=sys.stderr)
        return 2
    try:
        listeners = listen(args.host, args.port, workers)
    except OSError as error:
        print(f"usermgmt serve: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    if workers > 1:
        return serve_workers(listeners, args.data, args.access_log)
    from local_server.serve import AwsOptions, serve

    if not aws:
        _prepare(args.data)
    announce(listeners[0], "one process")
    options = AwsOptions(args.stage, args.create_resources) if aws else None
    serve(listeners[0], args.data, access_log=args.access_log, aws=options)
    return 0


def _prepare(data: Path) -> None:
    """Write what the embedded backend writes first (its key, its database) before the server
    says it serves: a data directory it cannot write to is then told in one line, alone."""
    from infra.auth import LocalAuthority
    from infra.settings import from_env
    from infra.sqlite import open_backend

    if from_env().local:  # as local_server/serve.py's local_app
        LocalAuthority.ensure(data)
    open_backend(data).close()


# token ------------------------------------------------------------------------------------------


def _register_token(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser(
        "token",
        help="print a token for the local server (admin, user or service)",
        description="Mint an access token signed by the local key of the server's data "
        "directory (made when the server first starts; never made here) and print it, and only "
        "it, on stdout: T=$(usermgmt token --admin).",
    )
    token.add_argument("--admin", action="store_true", help="with the admin right")
    token.add_argument("--sub", help="the subject (user id); default for --admin: local|admin")
    token.add_argument(
        "--service",
        metavar="NAME",
        help="a service's machine-to-machine token (sub NAME@clients) with the check right",
    )
    token.add_argument("--email", help="an email claim to add")
    token.add_argument("--hours", type=float, default=24.0, help="validity in hours (default: 24)")
    _data_option(token)
    token.set_defaults(run=_token)


def _token(args: argparse.Namespace) -> int:
    from infra.auth import LocalAuthority
    from infra.settings import from_env

    if not args.admin and not args.sub and not args.service:
        print(
            "usermgmt token: give --admin, --sub SUB for a user token, or --service NAME",
            file=sys.stderr,
        )
        return 2
    if args.service is not None and (
        args.sub or args.admin or not SERVICE_NAME.match(args.service)
    ):
        print(
            "usermgmt token: --service takes a name (letters, digits, . _ -) and neither --sub "
            "nor --admin",
            file=sys.stderr,
        )
        return 2
    if args.hours <= 0:
        print("usermgmt token: --hours must be positive", file=sys.stderr)
        return 2
    settings = from_env()
    authority = LocalAuthority.existing(args.data)
    if authority is None:
        print(
            f"usermgmt token: no local server key in {args.data.absolute()} (a server makes it "
            "in its data directory when it starts; this command makes none, since the server "
            "would refuse its tokens). Point it at the server's data directory: --data DIR, or "
            "USERMGMT_DATA_DIR=DIR (by default both use ./.usermgmt of the directory they run "
            "in).",
            file=sys.stderr,
        )
        return 1
    if args.service is not None:  # as Auth0 names a client credentials token's subject
        sub, right = f"{args.service}@clients", settings.check_value
    else:
        sub, right = args.sub or ADMIN_SUB, settings.admin_value
    token = authority.mint(
        sub,
        admin_claim=settings.admin_claim if args.admin or args.service else None,
        admin_value=right,
        email=args.email,
        ttl_s=int(args.hours * 3600),
    )
    print(token)
    return 0


# export-schema ----------------------------------------------------------------------------------


def _register_export_schema(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export-schema",
        help="write the GraphQL schema (SDL) to schema.graphql",
        description="Write the schema the code serves, in SDL, for front ends to generate "
        "typed clients from. Commit the result; a test fails when it is stale.",
    )
    export.add_argument(
        "--output", type=Path, default=Path("schema.graphql"), help="default: ./schema.graphql"
    )
    export.set_defaults(run=_export_schema)


def _export_schema(args: argparse.Namespace) -> int:
    from schema.build import sdl

    args.output.write_text(sdl())
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


# migrate-email-claims ---------------------------------------------------------------------------


def _register_migrate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = commands.add_parser(
        "migrate-email-claims",
        help="give a deployed stage's email claims their NFKC twins (once, after the deploy)",
        description="Emails compare in NFKC since 2026-12: every email claim stored under the "
        "older key gets a twin under the new one, so it blocks every NFKC equivalent. "
        "Idempotent, safe while the stage serves. The embedded backend migrates by itself "
        "when its file is opened. AWS_ENDPOINT_URL, if set, points at a moto_server.",
    )
    migrate.add_argument(
        "--stage",
        default=os.environ.get("USERMGMT_STAGE", "dev"),
        help="the stage whose tables to migrate (default: dev)",
    )
    migrate.set_defaults(run=_migrate)


def _migrate(args: argparse.Namespace) -> int:
    from infra.aws.clients import Clients
    from infra.dynamodb.migrations import email_claims_in_nfkc
    from infra.settings import for_stage

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    settings = for_stage(args.stage, region=region)
    client = Clients(region).dynamodb()
    added = email_claims_in_nfkc(client, settings.events_table, settings.view_tables["user"])
    print(f"{added} email claims given their NFKC twin", file=sys.stderr)
    return 0


# bench ------------------------------------------------------------------------------------------


def _register_bench(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = commands.add_parser(
        "bench",
        help="measure speed, cost and cold start against baselines",
        description="Run each measurement several times; print median, min, max and the ratio "
        "to its baseline, and write the same figures to bench/results.json.",
    )
    bench.add_argument("--quick", action="store_true", help="smaller sizes, under two minutes")
    bench.add_argument(
        "--only", nargs="+", default=[], metavar="NAME", help="figure names or globs to run"
    )
    bench.add_argument("--results", type=Path, default=Path("bench/results.json"), metavar="FILE")
    bench.set_defaults(run=_bench)


def _bench(args: argparse.Namespace) -> int:
    from bench.run import run

    run(quick=args.quick, only=args.only, results=args.results)
    return 0


COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _register_serve,
    _register_token,
    _register_export_schema,
    _register_replay,
    _register_migrate,
    _register_bench,
]


if __name__ == "__main__":  # `python -m cli.commands`, as the tests and the bench start it
    raise SystemExit(main())
