"""GraphiQL works without internet: the page and every file it loads come from the server, the
browser is told to fetch nothing else, and no token is in any of them."""

from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from api import graphiql
from api.app import create_app
from api.identity import BearerIdentity
from infra.auth import verifier_for
from infra.settings import Settings
from infra.sqlite import open_backend
from tests.support.api_server import Server

# Where the browser would fetch from if the page still pointed at a CDN.
CDNS = (
    "unpkg.com",
    "cdn.jsdelivr.net",
    "cdnjs.cloudflare.com",
    "esm.sh/",
    "fonts.googleapis.com",
    "cdn.skypack.dev",
    "jspm.io",
)
JWT = re.compile(r"eyJ[\w-]{10,}\.eyJ[\w-]{10,}")


class Links(HTMLParser):
    """Every URL an HTML page makes the browser fetch: src and href attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def page(server: Server) -> httpx.Response:
    return server.http.get("/graphql", headers={"accept": "text/html"})


@pytest.mark.local_only("GraphiQL's files are the local server's: a Lambda package has none")
def test_the_graphiql_page_and_every_file_it_loads_come_from_the_server(server: Server) -> None:
    reply = page(server)
    assert reply.status_code == 200
    assert "http://" not in reply.text and "https://" not in reply.text
    policy = reply.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    links = Links()
    links.feed(reply.text)
    assets = [url for url in links.urls if not url.startswith("data:")]
    assert len(assets) == 6  # GraphiQL's script and style, React, ReactDOM, ours
    for url in assets:
        assert url.startswith("/graphiql/"), url  # a path on this server, not another host
        asset = server.http.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "text/css")
        assert not [cdn for cdn in CDNS if cdn in asset.text], url
        assert not JWT.search(asset.text)
        if url.endswith(".css"):  # a stylesheet's fonts and images: data: URLs only
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", asset.text), url
            assert "@import" not in asset.text
    assert not JWT.search(reply.text)


@pytest.mark.local_only("GraphiQL's files are the local server's: a Lambda package has none")
def test_only_the_page_files_are_served(server: Server) -> None:
    assert server.http.get("/graphiql/package.json").status_code == 404
    assert server.http.get("/graphiql/..%2F..%2Fpyproject.toml").status_code == 404


def test_without_its_files_the_page_says_how_to_install_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a Lambda with USERMGMT_GRAPHIQL on, or a clone where `npm ci` never ran."""
    gone = tmp_path / "node_modules" / "graphiql" / "graphiql.min.js"
    monkeypatch.setitem(graphiql.ASSETS, "graphiql.min.js", (gone, graphiql.JS))
    backend = open_backend(tmp_path / "data")
    settings = Settings(data_dir=tmp_path / "data")
    app = create_app(backend, BearerIdentity(verifier_for(settings)), settings)

    async def get(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            return await client.get(path, headers={"accept": "text/html"})

    try:
        for path in ("/graphql", "/graphiql/graphiql.min.js"):
            reply = asyncio.run(get(path))
            assert reply.status_code == 503
            assert "npm ci" in reply.text and str(gone) in reply.text
    finally:
        backend.close()
