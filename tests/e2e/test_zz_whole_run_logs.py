"""No email in anything the local server printed during the whole end-to-end run so far. This
file's name sorts last, so on each local deployment (the session's server serves every e2e
test) it runs after all the others: every sign-up, update, duplicate, filter, export and
erasure the suite made with its many distinct emails is behind it. (On AWS the functions log
into the test process; tests/e2e/test_api_logs.py follows one person's lifecycle there.)"""

from __future__ import annotations

import re

import pytest

from tests.support.api_server import Server

EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(\.[\w\-]+)+")


def test_the_whole_runs_log_holds_no_email(server: Server) -> None:
    if server.output is None:
        pytest.skip("the functions' log lines go through this process, not a server's output")
    printed = server.output.text
    assert "\n" in printed  # the suite's requests were logged
    assert [m.group(0) for m in EMAIL.finditer(printed)] == []
