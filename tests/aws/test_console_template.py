"""What serverless.yml promises about the console on AWS: a private, encrypted bucket that only
this stack's CloudFront distribution reads (Origin Access Control), HTTPS only, the app's
routes falling back to its page, and its origin admitted by CORS and by the functions' origin
checks, with no dependency cycle. From `make package`'s template, as deployed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.aws.test_template import TEMPLATE, as_list, packaged

CONSOLE_DOMAIN = {"Fn::GetAtt": ["ConsoleDistribution", "DomainName"]}


def resources() -> dict[str, Any]:
    generated: dict[str, Any] = packaged("update")["Resources"]
    return generated


def refers(value: Any) -> Iterator[str]:
    """Every logical id `value` depends on: Ref, Fn::GetAtt, and ${Name...} in an Fn::Sub."""
    if isinstance(value, list):
        for item in value:
            yield from refers(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str) and not item.startswith("AWS::"):
                yield item
            elif key == "Fn::GetAtt":
                yield item[0] if isinstance(item, list) else item.split(".")[0]
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) else item
                yield from (m for m in re.findall(r"\$\{([\w]+)[.}]", text) if "::" not in m)
                if isinstance(item, list):
                    yield from refers(item[1])
            else:
                yield from refers(item)


def nested(value: Any) -> Iterator[Any]:
    """`value` and everything nested in it."""
    yield value
    if isinstance(value, list):
        for item in value:
            yield from nested(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from nested(item)


def test_the_bucket_is_private_encrypted_and_no_website() -> None:
    bucket = resources()["ConsoleBucket"]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert "WebsiteConfiguration" not in bucket and "AccessControl" not in bucket
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_only_this_distribution_may_read_the_bucket_and_only_over_tls() -> None:
    policy = resources()["ConsoleBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "ConsoleBucket"}
    allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert as_list(allow["Action"]) == ["s3:GetObject"]
    assert "/console/*" in str(allow["Resource"])
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert {"Ref": "ConsoleDistribution"} in source["Fn::Join"][1]
    assert ":distribution/" in source["Fn::Join"][1]
    denies = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert [d["Condition"] for d in denies] == [{"Bool": {"aws:SecureTransport": "false"}}]


def test_cloudfront_signs_its_reads_and_serves_https_only() -> None:
    generated = resources()
    oac = generated["ConsoleOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")
    assert oac["SigningProtocol"] == "sigv4"
    config = generated["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["ConsoleBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["Enabled"] is True


def test_the_apps_routes_fall_back_to_its_page() -> None:
    config = resources()["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    fallbacks = {
        e["ErrorCode"]: (e["ResponseCode"], e["ResponsePagePath"])
        for e in config["CustomErrorResponses"]
    }
    assert fallbacks == {403: (200, "/console/index.html"), 404: (200, "/console/index.html")}


def test_the_outputs_name_the_bucket_the_distribution_and_the_url() -> None:
    outputs = packaged("update")["Outputs"]
    assert outputs["ConsoleBucketName"]["Value"] == {"Ref": "ConsoleBucket"}
    assert outputs["ConsoleDistributionId"]["Value"] == {"Ref": "ConsoleDistribution"}
    url = outputs["ConsoleUrl"]["Value"]["Fn::Join"][1]
    assert url == ["https://", CONSOLE_DOMAIN, "/console/"]


def test_cors_and_the_origin_checks_admit_the_console_and_the_params_origins() -> None:
    generated = resources()
    origins = generated["HttpApi"]["Properties"]["CorsConfiguration"]["AllowOrigins"]
    assert "Fn::Split" in origins and CONSOLE_DOMAIN in list(nested(origins))
    params = TEMPLATE.environment["USERMGMT_ALLOWED_ORIGINS"]  # the params' origins
    assert params in list(nested(origins))
    for function in ("GraphqlApiLambdaFunction", "WebsocketLambdaFunction"):
        variables = generated[function]["Properties"]["Environment"]["Variables"]
        allowed = variables["USERMGMT_ALLOWED_ORIGINS"]
        assert CONSOLE_DOMAIN in list(nested(allowed)), function
        assert params in list(nested(allowed)), function
        assert str(allowed) in str(origins)  # the same origins as CORS


def test_the_stack_has_no_dependency_cycle() -> None:
    generated = resources()
    needs = {
        logical_id: (set(refers(resource)) | set(as_list(resource.get("DependsOn", []))))
        & set(generated)
        for logical_id, resource in generated.items()
    }
    done: set[str] = set()
    while len(done) < len(needs):
        ready = {r for r, n in needs.items() if r not in done and n <= done}
        assert ready, f"a cycle among {sorted(set(needs) - done)}"
        done |= ready
    assert "ConsoleDistribution" in needs["GraphqlApiLambdaFunction"]
