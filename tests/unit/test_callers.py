"""Who may check whose rights (schema/permissions.py may_check), by the kind of caller."""

from __future__ import annotations

import pytest

from schema.context import Caller
from schema.errors import Forbidden
from schema.permissions import may_check

ADMIN = Caller("auth0|boss", admin=True)
USER = Caller("auth0|ada", admin=False)
USER_WITH_CHECK_CLAIM = Caller("auth0|eve", admin=False, check=True)
SERVICE = Caller("pep@clients", admin=False, check=True)
SERVICE_WITHOUT_RIGHT = Caller("pep@clients", admin=False)
ADMIN_SERVICE = Caller("ops@clients", admin=True)


@pytest.mark.parametrize("caller", [ADMIN, SERVICE, ADMIN_SERVICE])
def test_admins_and_services_with_the_check_right_check_anyone(caller: Caller) -> None:
    may_check(caller, ["auth0|ada", "auth0|bob"])
    assert caller.checks_anyone


def test_a_user_checks_only_themselves_whatever_their_token_claims() -> None:
    may_check(USER, ["auth0|ada", "auth0|ada"])
    for caller in (USER, USER_WITH_CHECK_CLAIM):
        with pytest.raises(Forbidden, match="only their own"):
            may_check(caller, [caller.sub, "auth0|bob"])


def test_a_service_without_the_check_right_checks_no_one() -> None:
    with pytest.raises(Forbidden, match="check right"):
        may_check(SERVICE_WITHOUT_RIGHT, ["pep@clients"])


def test_services_act_as_users_only_with_the_admin_right() -> None:
    assert USER.acts_as_user and ADMIN.acts_as_user and ADMIN_SERVICE.acts_as_user
    assert not SERVICE.acts_as_user and not SERVICE_WITHOUT_RIGHT.acts_as_user
