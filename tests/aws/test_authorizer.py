"""The HTTP API authorizer names the caller for the GraphQL function and leaves the verdict to
it: a verified token gives its subject and admin right, anything else an empty subject."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.lambda_emulator import LambdaContext
from handlers import authorizer
from infra.auth import JwksFile, LocalAuthority, TokenVerifier

ANONYMOUS = {"isAuthorized": True, "context": {"sub": "", "admin": False}}


@pytest.fixture
def authority(tmp_path: Path) -> Iterator[LocalAuthority]:
    authority = LocalAuthority.ensure(tmp_path)
    authorizer.use(
        TokenVerifier(
            JwksFile(authority.jwks_path),
            issuer=authority.issuer,
            audience=authority.audience,
            admin_claim="permissions",
            admin_value="usermgmt:admin",
        )
    )
    yield authority
    authorizer.use(None)


def authorize(header: str | None) -> dict[str, Any]:
    event = {"version": "2.0", "type": "REQUEST", "headers": {}}
    if header is not None:
        event["headers"] = {"authorization": header}
    return authorizer.handler(event, LambdaContext("authorizer"))


def test_a_verified_token_names_its_subject_and_admin_right(authority: LocalAuthority) -> None:
    admin = authority.mint("auth0|boss", admin_claim="permissions", admin_value="usermgmt:admin")
    assert authorize(f"Bearer {admin}") == {
        "isAuthorized": True,
        "context": {"sub": "auth0|boss", "admin": True},
    }
    user = authority.mint("google-oauth2|123")
    assert authorize(f"bearer {user}")["context"] == {"sub": "google-oauth2|123", "admin": False}


def test_no_token_a_bad_one_or_an_expired_one_leaves_the_caller_anonymous(
    authority: LocalAuthority,
) -> None:
    expired = authority.mint("auth0|late", ttl_s=-3600)
    for header in (None, "", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", f"Bearer {expired}"):
        assert authorize(header) == ANONYMOUS, header
