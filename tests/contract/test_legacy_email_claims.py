"""Email claims stored before emails compared in NFKC (issue 12, 11) keep holding on every
backend: once the backend's migration ran (on SQLite, when the file is opened) a legacy claim
blocks every NFKC equivalent, and with or without it the claim is released with its owner.
The legacy user is written as the code before NFKC wrote it: its event, and its one claim
under `strip().casefold()`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import commands as c
from domain.aggregate import Claim
from domain.model import Effects
from domain.rules import legacy_email_key
from pipeline.ports import Backend
from pipeline.records import RecordedEvent, Status
from tests.support.builders import as_admin, create_user, statuses
from tests.support.deployments import Deployment

LEGACY = "auth0|legacy"
FULL_WIDTH = "\uff46ull@example.com"  # what the old code stored and claimed as it was


def seed_legacy_user(backend: Backend, email: str = FULL_WIDTH) -> None:
    stream = f"user#{LEGACY}"
    data: dict[str, str | None] = {
        "id": LEGACY,
        "email": email,
        "first_name": "Old",
        "last_name": "Form",
    }
    data |= {"birth_date": None, "role_id": None, "group_id": None}
    event = RecordedEvent(
        stream=stream,
        version=1,
        type="UserCreated",
        data=data,
        occurred_at=datetime(2026, 11, 1, tzinfo=UTC),
        command_id="legacy-create",
        actor="auth0|admin",
    )
    # Into the store itself: around it, today's code would seal the event and hash the claim.
    store = getattr(backend.events, "inner", backend.events)
    store.append(stream, 0, [event], Effects(take=frozenset({_legacy(email)})))


def _legacy(email: str) -> Claim:
    return Claim("email", legacy_email_key(email))


def migrate(deployment: Deployment) -> None:
    backend = deployment.backend
    if deployment.name == "sqlite":
        from infra.sqlite.migrations import email_claims_in_nfkc

        assert backend.db is not None  # type: ignore[attr-defined]
        with backend.db.transaction() as conn:  # type: ignore[attr-defined]
            email_claims_in_nfkc(conn)
        return
    import boto3

    from infra.dynamodb.migrations import email_claims_in_nfkc as in_dynamodb
    from tests.support.aws_deployment import REGION

    settings = backend.settings  # type: ignore[attr-defined]
    # A client of its own: the deployment's refuses to Scan, as every command path must.
    client = boto3.client("dynamodb", region_name=REGION)
    assert in_dynamodb(client, settings.events_table, settings.view_tables["user"]) == 1


def outcome(deployment: Deployment, user_id: str, email: str) -> tuple[Status, str | None]:
    receipt = as_admin(deployment.backend, create_user(user_id, email))
    deployment.drain()
    record = deployment.backend.commands.get(receipt.id)
    assert record is not None
    return record.status, record.error.code if record.error else None


def test_a_legacy_owner_can_be_deleted_and_every_form_of_its_email_is_then_free(
    deployment: Deployment,
) -> None:
    """Without the migration: the user's claims name the legacy key (its stored email is not
    in NFKC), so deleting it releases the claim the old code took."""
    seed_legacy_user(deployment.backend)
    deployment.drain()
    deleted = as_admin(deployment.backend, c.DeleteUser(id=LEGACY))
    deployment.drain()
    assert statuses(deployment.backend, [deleted]) == [Status.APPLIED]
    assert outcome(deployment, "auth0|new-full-width", FULL_WIDTH) == (Status.APPLIED, None)


@pytest.mark.parametrize("twin", ["full@example.com", "FULL@Example.com", FULL_WIDTH])
def test_after_the_migration_a_legacy_claim_blocks_every_nfkc_equivalent(
    deployment: Deployment, twin: str
) -> None:
    seed_legacy_user(deployment.backend)
    deployment.drain()
    migrate(deployment)
    assert outcome(deployment, "auth0|twin", twin) == (Status.REJECTED, "DUPLICATE")
    as_admin(deployment.backend, c.DeleteUser(id=LEGACY))
    deployment.drain()
    assert outcome(deployment, "auth0|heir", twin) == (Status.APPLIED, None)


def test_a_legacy_owner_that_changes_email_frees_every_form_of_the_old_one(
    deployment: Deployment,
) -> None:
    seed_legacy_user(deployment.backend)
    deployment.drain()
    migrate(deployment)
    moved = as_admin(deployment.backend, c.UpdateUser(id=LEGACY, email="moved@example.com"))
    deployment.drain()
    assert statuses(deployment.backend, [moved]) == [Status.APPLIED]
    assert outcome(deployment, "auth0|ascii", "full@example.com") == (Status.APPLIED, None)


def test_a_clear_claim_made_before_hashing_holds_until_its_owner_is_erased(
    deployment: Deployment,
) -> None:
    """Claims are stored as a keyed hash now; one stored in clear before still holds (the
    check looks for the clear form beside the hash), and erasure removes both forms."""
    seed_legacy_user(deployment.backend, "clear@example.com")
    deployment.drain()
    assert outcome(deployment, "auth0|early", "Clear@example.com") == (
        Status.REJECTED,
        "DUPLICATE",
    )
    erased = as_admin(deployment.backend, c.EraseUser(id=LEGACY))
    deployment.drain()
    assert statuses(deployment.backend, [erased]) == [Status.APPLIED]
    assert outcome(deployment, "auth0|late", "clear@example.com") == (Status.APPLIED, None)
