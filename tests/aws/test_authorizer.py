"""The HTTP API authorizer names the caller for the GraphQL function and leaves the verdict to
it: a verified token gives its subject and admin right, anything else an empty subject."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devtools.lambda_emulator import LambdaContext
from infra.auth import JwksFile, LocalAuthority, TokenVerifier
from lambda_runtime.bootstrap import build

ANONYMOUS = {"isAuthorized": True, "context": {"sub": "", "admin": False, "check": False}}


@pytest.fixture
def authority(tmp_path: Path) -> LocalAuthority:
    return LocalAuthority.ensure(tmp_path)


@pytest.fixture
def authorize(authority: LocalAuthority) -> Callable[[str | None], dict[str, Any]]:
    """The authorizer function, as the Lambda root builds it, verifying with the authority's
    keys; called with an authorization header (None: none)."""
    verifier = TokenVerifier(
        JwksFile(authority.jwks_path),
        issuer=authority.issuer,
        audience=authority.audience,
        admin_claim="permissions",
        admin_value="usermgmt:admin",
    )
    handler = build(verifier=verifier).authorizer

    def authorize(header: str | None) -> dict[str, Any]:
        event = {"version": "2.0", "type": "REQUEST", "headers": {}}
        if header is not None:
            event["headers"] = {"authorization": header}
        reply: dict[str, Any] = handler(event, LambdaContext("authorizer"))
        return reply

    return authorize


Authorize = Callable[[str | None], dict[str, Any]]


def test_a_verified_token_names_its_subject_and_admin_right(
    authority: LocalAuthority, authorize: Authorize
) -> None:
    admin = authority.mint("auth0|boss", admin_claim="permissions", admin_value="usermgmt:admin")
    assert authorize(f"Bearer {admin}") == {
        "isAuthorized": True,
        "context": {"sub": "auth0|boss", "admin": True, "check": False},
    }
    user = authority.mint("google-oauth2|123")
    assert authorize(f"bearer {user}")["context"] == {
        "sub": "google-oauth2|123",
        "admin": False,
        "check": False,
    }


def test_a_service_token_names_its_check_right(
    authority: LocalAuthority, authorize: Authorize
) -> None:
    service = authority.mint(
        "auth0-action@clients", admin_claim="permissions", admin_value="usermgmt:check"
    )
    assert authorize(f"Bearer {service}")["context"] == {
        "sub": "auth0-action@clients",
        "admin": False,
        "check": True,
    }


def test_no_token_a_bad_one_or_an_expired_one_leaves_the_caller_anonymous(
    authority: LocalAuthority, authorize: Authorize
) -> None:
    expired = authority.mint("auth0|late", ttl_s=-3600)
    for header in (None, "", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", f"Bearer {expired}"):
        assert authorize(header) == ANONYMOUS, header
