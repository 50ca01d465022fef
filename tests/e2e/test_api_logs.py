"""No personal data in a log line: a person's whole lifecycle through the API (sign-up
refused and accepted, updates, a duplicate, a block, the reads, the export, the erasure) with
distinctive values, then every line the server printed (locally) or logged (the Lambda
functions, into this process) is searched for them in any case and encoding."""

from __future__ import annotations

import io
import logging

from tests.e2e.test_api_lifecycle import BLOCK, ERASE, EXPORT_USER, HISTORY, USER, applied
from tests.support.api_server import Server, new_user
from tests.support.byte_scan import found_in

EMAIL = "Quintessa.Loglessly@Example.com"
NAMES = ("Quintessa", "Loglessly", "Unloggable")
REASON = "Quintessa's disputed refunds"
UPDATE = "mutation($input: UpdateUserInput!) { updateUser(input: $input) { commandId } }"


def test_no_log_line_holds_a_persons_data(server: Server, admin: str) -> None:
    before = server.output.text if server.output is not None else ""
    # The Lambda functions log in this process, through the service's logger: a copy of each
    # line, formatted as the functions' own handler formats it.
    service = logging.getLogger("usermgmt")
    copy = io.StringIO()
    handler = logging.StreamHandler(copy)
    if service.handlers:
        handler.setFormatter(service.handlers[0].formatter)
    service.addHandler(handler)
    try:
        _lifecycle(server, admin)
    finally:
        service.removeHandler(handler)

    logged = server.output.text[len(before) :] if server.output is not None else copy.getvalue()
    assert "\n" in logged  # the run was logged: commands, events, requests
    assert found_in(logged.encode(), (EMAIL, *NAMES, REASON)) == set()


def _lifecycle(server: Server, admin: str) -> None:
    user = new_user(server, admin, email=EMAIL, firstName=NAMES[0], lastName=NAMES[1])
    twin = server.run(UPDATE, admin, input={"id": new_user(server, admin), "email": EMAIL})
    assert twin["status"] == "REJECTED"  # DUPLICATE: its message names the field only
    applied(server, UPDATE, admin, input={"id": user, "lastName": NAMES[2]})
    applied(server, BLOCK, admin, id=user, reason=REASON)
    server.gql(USER, admin, id=user)
    server.gql(HISTORY, admin, id=user)
    server.gql(EXPORT_USER, admin, id=user)
    applied(server, ERASE, admin, id=user)
