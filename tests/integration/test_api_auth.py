"""The shared verifier, without a server: what it accepts, refuses, and remembers."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest

from infra.auth import AuthError, JwksFile, LocalAuthority, TokenVerifier
from infra.settings import Settings, SettingsError, from_env


@pytest.fixture
def authority(tmp_path: Path) -> LocalAuthority:
    return LocalAuthority.ensure(tmp_path)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class GoneKeys:
    """A key source no longer there: looking up a key fails as on a source set to None did."""

    def key_for(self, kid: str) -> jwt.PyJWK:
        raise AttributeError(f"no key source to look up {kid!r} in")


def verifier(authority: LocalAuthority, clock: Clock | None = None) -> TokenVerifier:
    return TokenVerifier(
        JwksFile(authority.jwks_path),
        issuer=authority.issuer,
        audience=authority.audience,
        admin_claim="permissions",
        admin_value="usermgmt:admin",
        leeway_s=5,
        clock=clock or time.time,
    )


def test_the_local_key_is_made_once_and_kept(tmp_path: Path, authority: LocalAuthority) -> None:
    again = LocalAuthority.ensure(tmp_path)
    assert again == authority
    token = authority.mint("auth0|1")
    assert verifier(again).verify(token).sub == "auth0|1"


def test_admin_right_comes_only_from_the_configured_claim(authority: LocalAuthority) -> None:
    check = verifier(authority)
    admin = authority.mint("a", admin_claim="permissions", admin_value="usermgmt:admin")
    assert check.verify(admin).admin is True
    other = authority.mint("b", admin_claim="permissions", admin_value="read:users")
    assert check.verify(other).admin is False
    metadata = authority.mint("c", extra={"user_metadata": {"permissions": ["usermgmt:admin"]}})
    assert check.verify(metadata).admin is False
    scoped = authority.mint("d", extra={"permissions": "read:users usermgmt:admin"})
    assert check.verify(scoped).admin is True


def test_an_audience_list_that_contains_ours_is_accepted(authority: LocalAuthority) -> None:
    # Auth0 access tokens that also grant /userinfo carry two audiences.
    token = authority.mint("u", extra={"aud": [authority.audience, "https://x/userinfo"]})
    assert verifier(authority).verify(token).sub == "u"


def test_a_verified_token_is_remembered_until_it_expires(authority: LocalAuthority) -> None:
    clock = Clock()
    check = verifier(authority, clock)
    token = authority.mint("u", ttl_s=60)
    check.keys = GoneKeys()  # a cache hit never looks at the keys
    with pytest.raises(AttributeError):
        check.verify(token)
    check = verifier(authority, clock)
    assert check.verify(token).sub == "u"
    check.keys = GoneKeys()
    assert check.verify(token).sub == "u"
    clock.now += 3600
    with pytest.raises(AttributeError):
        check.verify(token)  # expired in the cache: verified afresh (and here, keys are gone)


def test_an_empty_subject_is_refused(authority: LocalAuthority) -> None:
    with pytest.raises(AuthError):
        verifier(authority).verify(authority.mint("  "))


def test_a_token_signed_by_another_key_with_our_kid_is_refused(
    tmp_path: Path, authority: LocalAuthority
) -> None:
    other = LocalAuthority.ensure(tmp_path / "other")
    key = (other.directory / "private_key.pem").read_bytes()
    now = int(time.time())
    body = {"iss": authority.issuer, "aud": authority.audience, "sub": "x", "exp": now + 60}
    forged = jwt.encode(body, key, algorithm="RS256", headers={"kid": authority.kid})
    with pytest.raises(AuthError):
        verifier(authority).verify(forged)


def test_settings_are_checked(tmp_path: Path) -> None:
    assert from_env({}).local and from_env({}).introspection
    production = from_env(
        {
            "USERMGMT_ENV": "production",
            "USERMGMT_AUTH0_DOMAIN": "https://t.auth0.com/",
            "USERMGMT_AUTH0_AUDIENCE": "https://api",
        }
    )
    assert production.issuer == "https://t.auth0.com/"
    assert not (production.introspection or production.graphiql or production.field_suggestions)
    assert from_env(
        {
            "USERMGMT_ENV": "production",
            "USERMGMT_AUTH0_DOMAIN": "t",
            "USERMGMT_AUTH0_AUDIENCE": "a",
            "USERMGMT_INTROSPECTION": "true",
        }
    ).introspection
    for bad in (
        {"USERMGMT_ENV": "staging"},
        {"USERMGMT_ENV": "production"},
        {"USERMGMT_GRAPHIQL": "maybe"},
        {"USERMGMT_ALLOWED_ORIGINS": "example.com"},
    ):
        with pytest.raises(SettingsError):
            from_env(bad)
    assert Settings().data_dir == Path(".usermgmt")
