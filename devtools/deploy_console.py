"""`make deploy`'s last step: the console's build (web/dist) and its config.json into the stack's
bucket under console/, then CloudFront told to forget the two files that change in place.

The stack's outputs say where (ConsoleBucketName, ConsoleDistributionId) and what the app talks
to (HttpApiUrl, ServiceEndpointWebsocket). The Auth0 values are the stage's, as the functions
get them: USERMGMT_AUTH0_DOMAIN / USERMGMT_AUTH0_AUDIENCE / USERMGMT_CONSOLE_CLIENT_ID from the
environment, else serverless.yml's params (auth0Domain, auth0Audience, consoleClientId).

Hashed files (assets/) are cached for good; the page and config.json are revalidated on every
load, and uploaded last, so a page never names assets that are not there yet. Older assets stay:
a page loaded before the deploy still finds its own.

    .venv/bin/python -m devtools.deploy_console --stage prod [--dist web/dist] [--region R]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.settings import PREFIX, SERVICE
from local_server.console import DEFAULT_DIR, NO_CACHE, cache_control, content_type

KEY_PREFIX = "console/"
CONFIG = "config.json"
INDEX = "index.html"
# What changes in place at each deploy (the rest is new names); CloudFront forgets these.
INVALIDATED = ("/console/index.html", "/console/config.json")
OUTPUTS = ("ConsoleBucketName", "ConsoleDistributionId", "HttpApiUrl", "ServiceEndpointWebsocket")


class DeployError(Exception):
    """Why the console cannot be deployed, in words for the operator."""


@dataclass(frozen=True)
class Auth0:
    domain: str
    client_id: str
    audience: str


@dataclass(frozen=True)
class Uploaded:
    keys: list[str]  # in upload order
    invalidation_id: str


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """The stack's outputs by key; DeployError names those the console needs that it lacks."""
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if missing := [key for key in OUTPUTS if key not in outputs]:
        raise DeployError(f"stack {stack_name} has no output {', '.join(missing)}: deploy it first")
    return outputs


def auth0_of(stage: str, env: Mapping[str, str]) -> Auth0:
    """The stage's Auth0 values: the environment's, else serverless.yml's params."""
    from infra.aws import resources  # PyYAML: a development tool's import, not a function's

    params = resources.read(stage).params

    def value(variable: str, param: str) -> str:
        return (env.get(PREFIX + variable) or str(params.get(param) or "")).strip()

    domain = value("AUTH0_DOMAIN", "auth0Domain").removeprefix("https://").rstrip("/")
    auth0 = Auth0(
        domain,
        value("CONSOLE_CLIENT_ID", "consoleClientId"),
        value("AUTH0_AUDIENCE", "auth0Audience"),
    )
    if not (auth0.domain and auth0.client_id and auth0.audience):
        raise DeployError(
            f"the console needs its Auth0 application: set {PREFIX}CONSOLE_CLIENT_ID (the Single "
            f"Page Application's client id), or params.{stage}.consoleClientId in serverless.yml; "
            f"and the Auth0 domain and audience ({PREFIX}AUTH0_DOMAIN, {PREFIX}AUTH0_AUDIENCE, "
            "or the params auth0Domain and auth0Audience)"
        )
    return auth0


def console_config(outputs: Mapping[str, str], auth0: Auth0) -> dict[str, Any]:
    """The app's config.json on AWS: the shape the local server serves (local_server/console.py)."""
    return {
        "apiUrl": outputs["HttpApiUrl"].rstrip("/") + "/graphql",
        "wsUrl": outputs["ServiceEndpointWebsocket"],
        "auth0": {"domain": auth0.domain, "clientId": auth0.client_id, "audience": auth0.audience},
        "localSignIn": False,
    }


def upload(
    s3: Any,
    cloudfront: Any,
    outputs: Mapping[str, str],
    dist: Path,
    config: Mapping[str, Any],
) -> Uploaded:
    """Every file of `dist` and `config` into the bucket under console/, then the invalidation."""
    if not (dist / INDEX).is_file():
        raise DeployError(f"no console build in {dist} ({INDEX} missing): run `make console`")
    bucket = outputs["ConsoleBucketName"]
    files = sorted(
        (p.relative_to(dist).as_posix(), p)
        for p in dist.rglob("*")
        if p.is_file() and p.relative_to(dist).as_posix() != CONFIG  # the stage's, below
    )
    last = [(relative, path) for relative, path in files if relative == INDEX]
    keys = []
    for relative, path in [f for f in files if f[0] != INDEX] + last:
        s3.put_object(
            Bucket=bucket,
            Key=KEY_PREFIX + relative,
            Body=path.read_bytes(),
            ContentType=content_type(path),
            CacheControl=cache_control(relative),
        )
        keys.append(KEY_PREFIX + relative)
    s3.put_object(
        Bucket=bucket,
        Key=KEY_PREFIX + CONFIG,
        Body=json.dumps(config, indent=2).encode(),
        ContentType="application/json",
        CacheControl=NO_CACHE,
    )
    keys.append(KEY_PREFIX + CONFIG)
    reply = cloudfront.create_invalidation(
        DistributionId=outputs["ConsoleDistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": len(INVALIDATED), "Items": list(INVALIDATED)},
            "CallerReference": f"deploy-console-{uuid.uuid4()}",
        },
    )
    return Uploaded(keys, reply["Invalidation"]["Id"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy_console", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIR, help="default: web/dist")
    parser.add_argument(
        "--region",
        default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1",
        help="the stack's region (default: AWS_REGION, else eu-west-1 as serverless.yml's)",
    )
    args = parser.parse_args(argv)
    if not (args.dist / INDEX).is_file() and not (args.dist.parent / "package.json").is_file():
        print(f"deploy_console: no console in this clone ({args.dist.parent}): nothing to upload")
        return 0
    import boto3

    try:
        outputs = stack_outputs(
            boto3.client("cloudformation", region_name=args.region), f"{SERVICE}-{args.stage}"
        )
        config = console_config(outputs, auth0_of(args.stage, os.environ))
        done = upload(
            boto3.client("s3", region_name=args.region),
            boto3.client("cloudfront", region_name=args.region),
            outputs,
            args.dist,
            config,
        )
    except DeployError as error:
        print(f"deploy_console: {error}", file=sys.stderr)
        return 1
    print(
        f"deploy_console: {len(done.keys)} files in s3://{outputs['ConsoleBucketName']}/"
        f"{KEY_PREFIX}, invalidation {done.invalidation_id}; the console is at "
        f"{outputs.get('ConsoleUrl')}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
