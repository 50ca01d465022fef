"""`make deploy`'s console step (devtools/deploy_console.py) under moto: the stack's outputs
read from CloudFormation, the build and the stage's config.json in the bucket under console/
with their content types and cache headers, the page last, and CloudFront's invalidation of
the two files that change in place."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devtools import deploy_console as dc

REGION = "eu-west-1"
AUTH0 = dc.Auth0("tenant.eu.auth0.com", "spa-client", "https://api.example.com")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield {
            service: boto3.client(service, region_name=REGION)
            for service in ("s3", "cloudfront", "cloudformation")
        }


def a_stack(aws: dict[str, Any], **outputs: str) -> dict[str, str]:
    """A stack with a console bucket and the given literal outputs; its outputs as read."""
    distribution = aws["cloudfront"].create_distribution(
        DistributionConfig={
            "CallerReference": "console",
            "Comment": "console",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "b",
                        "DomainName": "b.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {"TargetOriginId": "b", "ViewerProtocolPolicy": "https-only"},
        }
    )["Distribution"]
    template = {
        "Resources": {"ConsoleBucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "ConsoleBucketName": {"Value": {"Ref": "ConsoleBucket"}},
            "ConsoleDistributionId": {"Value": distribution["Id"]},
            **{key: {"Value": value} for key, value in outputs.items()},
        },
    }
    aws["cloudformation"].create_stack(StackName="usermgmt-test", TemplateBody=json.dumps(template))
    return dc.stack_outputs(aws["cloudformation"], "usermgmt-test")


API = {
    "HttpApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
    "ServiceEndpointWebsocket": "wss://ws456.execute-api.eu-west-1.amazonaws.com/test",
}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "web" / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><div id=root></div>")
    (root / "assets" / "index-3f9a1c.js").write_text("console.log(1)")
    (root / "assets" / "index-77bd20.css").write_text("body{}")
    (root / "favicon.svg").write_text("<svg/>")
    (root / "config.json").write_text('{"localSignIn": true}')  # a dev leftover: never uploaded
    return root


def test_the_build_and_its_config_are_uploaded_then_the_page_is_invalidated(
    aws: dict[str, Any], dist: Path
) -> None:
    outputs = a_stack(aws, **API)
    config = dc.console_config(outputs, AUTH0)
    done = dc.upload(aws["s3"], aws["cloudfront"], outputs, dist, config)

    s3, bucket = aws["s3"], outputs["ConsoleBucketName"]
    assert done.keys[-2:] == ["console/index.html", "console/config.json"]  # after the assets
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == [
        "console/assets/index-3f9a1c.js",
        "console/assets/index-77bd20.css",
        "console/config.json",
        "console/favicon.svg",
        "console/index.html",
    ]

    def head(key: str) -> tuple[str, str]:
        found = s3.head_object(Bucket=bucket, Key=f"console/{key}")
        return found["ContentType"], found["CacheControl"]

    assert head("index.html") == ("text/html; charset=utf-8", "no-cache")
    assert head("config.json") == ("application/json", "no-cache")
    assert head("assets/index-3f9a1c.js")[0] == "text/javascript; charset=utf-8"
    assert head("assets/index-77bd20.css")[0] == "text/css; charset=utf-8"
    assert "immutable" in head("assets/index-3f9a1c.js")[1]
    assert head("favicon.svg") == ("image/svg+xml", "no-cache")

    body = s3.get_object(Bucket=bucket, Key="console/config.json")["Body"].read()
    assert json.loads(body) == {
        "apiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/graphql",
        "wsUrl": "wss://ws456.execute-api.eu-west-1.amazonaws.com/test",
        "auth0": {
            "domain": "tenant.eu.auth0.com",
            "clientId": "spa-client",
            "audience": "https://api.example.com",
        },
        "localSignIn": False,
    }
    invalidation = aws["cloudfront"].get_invalidation(
        DistributionId=outputs["ConsoleDistributionId"], Id=done.invalidation_id
    )["Invalidation"]
    paths = invalidation["InvalidationBatch"]["Paths"]["Items"]
    assert sorted(paths) == ["/console/config.json", "/console/index.html"]


def test_a_stack_without_the_consoles_outputs_is_refused_by_name(aws: dict[str, Any]) -> None:
    with pytest.raises(dc.DeployError, match="HttpApiUrl"):
        a_stack(aws, ServiceEndpointWebsocket=API["ServiceEndpointWebsocket"])


def test_without_a_build_nothing_is_uploaded(aws: dict[str, Any], tmp_path: Path) -> None:
    outputs = a_stack(aws, **API)
    with pytest.raises(dc.DeployError, match="make console"):
        dc.upload(aws["s3"], aws["cloudfront"], outputs, tmp_path, {})
    assert aws["s3"].list_objects_v2(Bucket=outputs["ConsoleBucketName"])["KeyCount"] == 0


def test_the_auth0_values_come_from_the_environment_else_the_stages_params() -> None:
    env = {"USERMGMT_CONSOLE_CLIENT_ID": "from-env"}
    auth0 = dc.auth0_of("dev", env)
    assert auth0 == dc.Auth0("example.eu.auth0.com", "from-env", "https://usermgmt.example.com")
    env |= {"USERMGMT_AUTH0_DOMAIN": "https://t.us.auth0.com/", "USERMGMT_AUTH0_AUDIENCE": "aud"}
    assert dc.auth0_of("dev", env) == dc.Auth0("t.us.auth0.com", "from-env", "aud")
    with pytest.raises(dc.DeployError, match="CONSOLE_CLIENT_ID"):
        dc.auth0_of("dev", {})  # serverless.yml's default consoleClientId is empty


def test_a_clone_without_the_console_deploys_without_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dc.main(["--stage", "dev", "--dist", str(tmp_path / "web" / "dist")]) == 0
    assert "nothing to upload" in capsys.readouterr().out
