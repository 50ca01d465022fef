"""The console on the local server (local_server/console.py): its files under /console/ with
the app's routes falling back to index.html, config.json from the server's settings, and the
local sign-in token endpoint, which answers only this machine, only in local mode."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():  # starlette asks for httpx2 over httpx; httpx is what is pinned
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient

from infra.settings import Settings
from local_server.bootstrap import local_app
from local_server.console import BUILD_HINT
from tests.e2e.test_graphiql import JWT
from tests.support.api_server import Server

LOCAL = ("127.0.0.1", 50123)
HERE = "http://127.0.0.1:8000"
INDEX = "<!doctype html><title>usermgmt console</title><div id=root></div>"
PRODUCTION = Settings(
    environment="production",
    auth0_domain="tenant.eu.auth0.com",
    auth0_audience="https://api.example.com",
    introspection=False,
    graphiql=False,
    field_suggestions=False,
)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A tiny stand-in for web/dist as Vite builds it."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-3f9a1c.js").write_text("console.log('app')")
    (root / "assets" / "index-77bd20.css").write_text("body{margin:0}")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


@contextmanager
def client(
    tmp_path: Path,
    settings: Settings,
    *,
    address: tuple[str, int] = LOCAL,
    base_url: str = HERE,
) -> Iterator[TestClient]:
    app = local_app(tmp_path / "data", settings)
    with TestClient(app, base_url=base_url, client=address) as test_client:
        yield test_client


@pytest.fixture
def local(tmp_path: Path, dist: Path) -> Iterator[TestClient]:
    with client(tmp_path, Settings(console_dir=dist)) as test_client:
        yield test_client


def test_the_build_is_served_with_its_content_types_and_cache_headers(local: TestClient) -> None:
    page = local.get("/console/")
    assert page.status_code == 200 and page.text == INDEX
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    script = local.get("/console/assets/index-3f9a1c.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "immutable" in script.headers["cache-control"]
    assert script.headers["x-content-type-options"] == "nosniff"
    assert (
        local.get("/console/assets/index-77bd20.css").headers["content-type"].startswith("text/css")
    )
    assert local.get("/console/favicon.svg").headers["content-type"] == "image/svg+xml"
    assert local.head("/console/").status_code == 200


@pytest.mark.parametrize(
    "route", ["/console/users", "/console/users/auth0%7Cada.lovelace", "/console/me", "/console/x/"]
)
def test_the_apps_routes_get_its_page(local: TestClient, route: str) -> None:
    reply = local.get(route)
    assert reply.status_code == 200 and reply.text == INDEX
    assert reply.headers["cache-control"] == "no-cache"


def test_a_missing_build_file_is_a_404_never_the_page(local: TestClient) -> None:
    """A stale page asking for an asset of another build must not get HTML as its script."""
    reply = local.get("/console/assets/index-000000.js")
    assert reply.status_code == 404 and INDEX not in reply.text


def test_nothing_outside_the_build_is_served(local: TestClient) -> None:
    for path in (
        "/console/../secret.txt",
        "/console/%2e%2e/secret.txt",
        "/console/..%2Fsecret.txt",
    ):
        reply = local.get(path)
        assert "outside the build" not in reply.text, path


def test_console_without_the_slash_redirects(local: TestClient) -> None:
    reply = local.get("/console", follow_redirects=False)
    assert reply.status_code == 308 and reply.headers["location"] == "/console/"


def test_the_api_is_still_served_beside_it(local: TestClient) -> None:
    assert local.get("/healthz").json() == {"status": "ok"}
    assert local.post("/graphql", json={"query": "{ me { id } }"}).status_code == 401


def test_without_a_build_the_console_says_how_to_build_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="usermgmt.console"),
        client(tmp_path, Settings(console_dir=tmp_path / "nowhere")) as test_client,
    ):
        reply = test_client.get("/console/users")
        assert reply.status_code == 404 and "text/html" in reply.headers["content-type"]
        assert "npm run build" in reply.text and "make console" in reply.text
        assert BUILD_HINT in caplog.text
        # What does not need the build still works (a Vite dev server proxies to them).
        assert test_client.get("/console/config.json").status_code == 200


def test_config_in_local_mode_offers_local_sign_in(local: TestClient) -> None:
    reply = local.get("/console/config.json")
    assert reply.headers["cache-control"] == "no-cache"
    assert reply.json() == {
        "apiUrl": "/graphql",
        "wsUrl": "ws://127.0.0.1:8000/graphql",
        "auth0": None,
        "localSignIn": True,
    }


def test_config_in_production_names_the_auth0_application(tmp_path: Path, dist: Path) -> None:
    settings = replace(PRODUCTION, console_dir=dist, console_client_id="spa-client-id")
    with client(tmp_path, settings, base_url="https://users.example.com") as test_client:
        reply = test_client.get("/console/config.json")
    assert reply.json() == {
        "apiUrl": "/graphql",
        "wsUrl": "wss://users.example.com/graphql",
        "auth0": {
            "domain": "tenant.eu.auth0.com",
            "clientId": "spa-client-id",
            "audience": "https://api.example.com",
        },
        "localSignIn": False,
    }


# The token endpoint -----------------------------------------------------------------------------


def token(test_client: TestClient, body: object, **headers: str) -> httpx.Response:
    reply: httpx.Response = test_client.post("/console/token", json=body, headers=headers)
    return reply


def graphql_as(test_client: TestClient, jwt: str, query: str) -> dict[str, Any]:
    reply = test_client.post(
        "/graphql", json={"query": query}, headers={"authorization": f"Bearer {jwt}"}
    )
    body: dict[str, Any] = reply.json()
    return body


def test_an_admin_token_works_as_usermgmt_token_admin(local: TestClient) -> None:
    reply = token(local, {"role": "admin"})
    assert reply.status_code == 200 and reply.headers["cache-control"] == "no-store"
    jwt = reply.json()["token"]
    users = graphql_as(local, jwt, "{ users { edges { cursor } } }")
    assert users == {"data": {"users": {"edges": []}}}


def test_a_user_token_carries_the_subject_and_no_admin_right(local: TestClient) -> None:
    jwt = token(local, {"role": "user", "sub": "google-oauth2|grace"}).json()["token"]
    assert graphql_as(local, jwt, "{ me { id } }") == {"data": {"me": None}}
    refused = graphql_as(local, jwt, "{ users { edges { cursor } } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("address", [("192.168.1.20", 40000), ("10.0.0.1", 1), ("testclient", 1)])
def test_a_client_that_is_not_this_machine_is_refused(
    tmp_path: Path, dist: Path, address: tuple[str, int]
) -> None:
    with client(tmp_path, Settings(console_dir=dist), address=address) as test_client:
        reply = token(test_client, {"role": "admin"})
    assert reply.status_code == 403 and "loopback" in reply.json()["error"]
    assert not JWT.search(reply.text)


@pytest.mark.parametrize("address", [("::1", 1), ("::ffff:127.0.0.1", 1), ("127.0.0.1", 1)])
@pytest.mark.parametrize("host", ["localhost:5173", "127.0.0.1", "[::1]:8000", "LOCALHOST"])
def test_every_loopback_client_and_host_is_answered(
    tmp_path: Path, dist: Path, address: tuple[str, int], host: str
) -> None:
    with client(tmp_path, Settings(console_dir=dist), address=address) as test_client:
        reply = token(test_client, {"role": "admin"}, host=host)
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil:80"]
)
def test_a_host_that_is_not_the_loopback_is_refused_dns_rebinding(
    local: TestClient, host: str
) -> None:
    """A page of evil.example whose name was rebound to 127.0.0.1 reaches this server from a
    loopback address, but its requests name evil.example."""
    reply = token(local, {"role": "admin"}, host=host)
    assert reply.status_code == 403 and "Host" in reply.json()["error"]
    assert not JWT.search(reply.text)


def test_a_page_of_another_origin_is_refused(local: TestClient) -> None:
    reply = token(local, {"role": "admin"}, origin="http://evil.example")
    assert reply.status_code == 403 and not JWT.search(reply.text)
    assert token(local, {"role": "admin"}, origin=HERE).status_code == 200


def test_not_in_local_mode_there_is_no_token_endpoint(tmp_path: Path, dist: Path) -> None:
    settings = replace(PRODUCTION, console_dir=dist, console_client_id="spa")
    with client(tmp_path, settings) as test_client:
        reply = token(test_client, {"role": "admin"})
    assert reply.status_code == 404 and not JWT.search(reply.text)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "must be an object"),
        (b'{"role": "root"}', '"role" must be'),
        (b"{}", '"role" must be'),
        (b'{"role": "user"}', '"sub"'),
        (b'{"role": "user", "sub": 7}', '"sub"'),
        (b'{"role": "user", "sub": ""}', "sub must not be empty"),
        (b'{"role": "user", "sub": "two words"}', "whitespace"),
        (b'{"role": "user", "sub": "' + b"x" * 129 + b'"}', "at most 128"),
        (b'{"role": "user", "sub": "m2m@clients"}', "service"),
        (b'{"role": "user", "sub": "auth0|a", "admin": true}', "unknown field"),
        (b'{"role": "admin", "sub": "auth0|a"}', "no other field"),
    ],
)
def test_bad_bodies_are_400_with_a_message(local: TestClient, body: bytes, says: str) -> None:
    reply = local.post("/console/token", content=body, headers={"content-type": "application/json"})
    assert reply.status_code == 400 and says in reply.json()["error"], reply.text
    assert not JWT.search(reply.text)


def test_a_body_that_is_not_json_by_type_is_refused(local: TestClient) -> None:
    """A form post needs no CORS preflight: the endpoint takes JSON only."""
    reply = local.post("/console/token", content=b'{"role": "admin"}')
    assert reply.status_code == 415 and not JWT.search(reply.text)
    assert not JWT.search(local.get("/console/token").text)  # a GET is the app's page


def test_graphiql_still_never_hands_out_a_token(local: TestClient) -> None:
    page = local.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert not JWT.search(page.text) and "/console/token" not in page.text


def test_usermgmt_serve_serves_the_console_of_its_setting_in_every_worker(
    tmp_path: Path, dist: Path
) -> None:
    """The real server, two HTTP worker processes: USERMGMT_CONSOLE_DIR reaches each, and a
    token from the endpoint is one the server accepts."""
    env = {"USERMGMT_CONSOLE_DIR": str(dist)}
    server = Server(tmp_path / "served", env=env, args=("--workers", "2")).start()
    try:
        assert server.http.get("/console/users/auth0%7Cada").text == INDEX
        jwt = server.http.post("/console/token", json={"role": "admin"}).json()["token"]
        assert server.gql("{ users { edges { cursor } } }", jwt) == {"users": {"edges": []}}
    finally:
        server.stop()


def test_the_graphql_lambdas_app_has_no_console(tmp_path: Path, dist: Path) -> None:
    """On AWS the build is in S3 behind CloudFront; the function's app serves none of it and
    hands out no token, whatever its settings say."""
    from api.app import create_app
    from api.identity import AuthorizerIdentity
    from infra.sqlite import open_backend

    backend = open_backend(tmp_path / "lambda")
    settings = replace(PRODUCTION, console_dir=dist, environment="local")
    try:
        app = create_app(backend, AuthorizerIdentity(), settings)
        with TestClient(app, base_url=HERE, client=LOCAL) as test_client:
            for path in ("/console/", "/console/config.json", "/console/users"):
                assert test_client.get(path).status_code == 404, path
            assert token(test_client, {"role": "admin"}).status_code == 404
    finally:
        backend.close()
