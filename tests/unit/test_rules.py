from __future__ import annotations

from datetime import date

import pytest

from domain import rules
from domain.errors import Code, DomainError


@pytest.mark.parametrize("good", ["a@b.io", "first.last+tag@sub.example.com", " x@y.org "])
def test_valid_emails(good: str) -> None:
    assert rules.email(good) == good.strip()


@pytest.mark.parametrize(
    "bad", ["", "plain", "a@b", "a b@c.io", "@c.io", "a@@c.io", "a@.io", "x" * 196 + "@c.io"]
)
def test_invalid_emails(bad: str) -> None:
    with pytest.raises(DomainError) as caught:
        rules.email(bad)
    assert (caught.value.code, caught.value.field) == (Code.VALIDATION, "email")


@pytest.mark.parametrize(
    "good", ["auth0|5f7c8ec7c33c6c004bbafe82", "google-oauth2|1234", "x" * 128]
)
def test_user_ids_are_auth0_subjects(good: str) -> None:
    assert rules.user_id(good) == good


@pytest.mark.parametrize("bad", ["", "x" * 129, "auth0|a b", "tab\there", "new\nline"])
def test_bad_user_ids(bad: str) -> None:
    with pytest.raises(DomainError):
        rules.user_id(bad)


def test_uuids_are_normalised_to_lower_case() -> None:
    assert rules.uuid_id("3F0C5A8E-6F0E-4C7B-9D7E-0A1B2C3D4E5F", "id") == (
        "3f0c5a8e-6f0e-4c7b-9d7e-0a1b2c3d4e5f"
    )
    for bad in ("3f0c5a8e6f0e4c7b9d7e0a1b2c3d4e5f", "{3f0c5a8e-6f0e-4c7b-9d7e-0a1b2c3d4e5f}", "x"):
        with pytest.raises(DomainError):
            rules.uuid_id(bad, "id")


def test_birth_date_may_be_today_but_not_tomorrow() -> None:
    today = date(2026, 11, 26)
    assert rules.birth_date(today, today) == today
    with pytest.raises(DomainError):
        rules.birth_date(date(2026, 11, 27), today)


def test_page_size_is_at_most_100() -> None:
    assert rules.page_size(100) == 100
    for bad in (101, -1):
        with pytest.raises(DomainError):
            rules.page_size(bad)


def test_unique_key_ignores_case_and_surrounding_space() -> None:
    assert rules.unique_key(" Straße@X.io ") == rules.unique_key("STRASSE@x.IO")


def test_a_role_holds_at_most_40_authorizations() -> None:
    """The bound the query cost limit counts a role's authorizations by (schema/cost.py), and
    which keeps an update replacing them all within one DynamoDB transaction."""
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(41)]
    assert len(rules.authorization_ids(ids[:40] + ids[:40])) == 40  # duplicates dropped first
    with pytest.raises(DomainError) as caught:
        rules.authorization_ids(ids)
    assert (caught.value.code, caught.value.field) == (Code.VALIDATION, "authorization_ids")
