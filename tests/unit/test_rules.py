from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# Hostile text (issue 12: 3, 11) ------------------------------------------------------------------

LONE_SURROGATES = ["\ud800", "\udc80"]


@pytest.mark.parametrize("surrogate", LONE_SURROGATES)
@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (lambda v: rules.text(f"Ada{v}", "first_name"), "first_name"),
        (lambda v: rules.long_text(f"d{v}", "description"), "description"),
        (lambda v: rules.email(f"a{v}@b.io"), "email"),
        (lambda v: rules.user_id(f"auth0|{v}"), "id"),
        (lambda v: rules.uuid_id(v, "role_id"), "role_id"),
        (lambda v: rules.email_filter(f"a{v}@b.io"), "email"),
    ],
)
def test_a_lone_surrogate_is_refused_naming_the_field(
    rule: Callable[[str], object], field: str, surrogate: str
) -> None:
    with pytest.raises(DomainError) as caught:
        rule(surrogate)
    assert (caught.value.code, caught.value.field) == (Code.VALIDATION, field)


INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "zero-width non-joiner": "\u200c",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "byte order mark": "\ufeff",
    "null": "\x00",
    "escape": "\x1b",
    "delete": "\x7f",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=list(INVISIBLE))
def test_ids_and_emails_refuse_control_and_invisible_format_characters(char: str) -> None:
    checks: tuple[tuple[Callable[[], object], str], ...] = (
        (lambda: rules.email(f"ann{char}@b.io"), "email"),
        (lambda: rules.user_id(f"auth0|ann{char}"), "id"),
    )
    for rule, field in checks:
        with pytest.raises(DomainError) as caught:
            rule()
        assert caught.value.field == field


def test_names_keep_the_joiners_their_scripts_need_but_refuse_control_characters() -> None:
    # Persian "Mi" + ZWNJ + "Raft"; Malayalam chillu with ZWJ; an emoji family with ZWJs.
    for name in ("\u0645\u06cc\u200c\u0631\u0641\u062a", "\u0d28\u0d4d\u200d", "👩\u200d👧"):
        assert rules.text(name, "first_name") == name
    for bad in ("Ada\nLovelace", "Ada\tL", "Ada\x00", "Ada\x1b[31m"):
        with pytest.raises(DomainError) as caught:
            rules.text(bad, "first_name")
        assert caught.value.field == "first_name"


def test_descriptions_may_hold_newlines_and_tabs_but_no_other_control_character() -> None:
    assert rules.long_text("line one\n\tline two", "description") == "line one\n\tline two"
    for bad in ("a\x00b", "a\rb", "a\x07b", "a\x1bb"):
        with pytest.raises(DomainError) as caught:
            rules.long_text(bad, "description")
        assert caught.value.field == "description"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("full@example.com", "\uff46ull@example.com"),  # a full-width letter
        ("FULL@example.com", "\uff26\uff35\uff2c\uff2c@\uff45xample.com"),  # full-width, any case
        ("office@example.com", "o\ufb03ce@example.com"),  # the ffi ligature
        ("strasse@example.com", " Straße@EXAMPLE.com "),  # as before: case and spaces
        ("ann2@example.com", "ann\u00b2@example.com"),  # superscript two
    ],
)
def test_emails_compare_in_nfkc_after_trimming_and_case_folding(one: str, other: str) -> None:
    assert rules.email_key(rules.email(one)) == rules.email_key(rules.email(other))


def test_an_email_is_stored_in_nfkc_with_its_case_kept() -> None:
    assert rules.email(" \uff26ull@Example.com ") == "Full@Example.com"


def test_the_email_key_ignores_invisible_characters_older_records_may_hold() -> None:
    assert rules.email_key("zero\u200bwidth@example.com") == "zerowidth@example.com"


def test_the_email_key_of_a_legacy_key_is_the_email_key_of_the_email() -> None:
    """What the claims migration relies on: a stored legacy key maps to today's key."""
    for email in ("\uff46ull@example.com", "o\ufb03ce@X.io", "Straße@x.io", "a\u200b@b.io"):
        assert rules.email_key(rules.legacy_email_key(email)) == rules.email_key(email)


def test_an_email_whose_normal_form_is_too_long_is_refused() -> None:
    # U+FDFA is one character that NFKC makes 18: the length counts the normal form.
    with pytest.raises(DomainError) as caught:
        rules.email("a" * 20 + "\ufdfa" * 10 + "@b.io")
    assert caught.value.field == "email"


def test_an_email_filter_longer_than_any_email_is_refused() -> None:
    assert rules.email_filter(" Ann@B.io ") == "ann@b.io"
    with pytest.raises(DomainError):
        rules.email_filter("x" * 1_000_000)


@given(st.text(max_size=40))
def test_an_email_key_is_the_nfkc_case_fold_of_the_visible_characters(value: str) -> None:
    # email_key takes a short cut for ASCII: the same key as the long way round
    visible = "".join(ch for ch in value.strip() if unicodedata.category(ch) != "Cf")
    expected = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    assert rules.email_key(value) == expected


@given(st.text(max_size=40))
def test_a_name_is_refused_exactly_when_it_holds_a_control_character(value: str) -> None:
    # text() skips the per-character look for printable strings: it must refuse the same ones
    controls = any(unicodedata.category(ch) == "Cc" for ch in value.strip())
    try:
        rules.text(value, "name", limit=1000)
    except DomainError as error:
        refused = "control" in str(error)
    else:
        refused = False
    assert refused == controls
