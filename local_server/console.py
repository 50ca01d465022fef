"""The console (the SPA in web/) served by the local server and `serve --backend aws`, never by
the GraphQL Lambda (on AWS it is in S3 behind CloudFront: devtools/deploy_console.py).

- `/console/...`: the built files (`web/dist`, or USERMGMT_CONSOLE_DIR), any other path the
  app's `index.html` (its routes live on the History API); `/console` redirects to `/console/`.
- `/console/config.json`: the app's run-time settings, made from the server's.
- `POST /console/token`: a token for one-click sign-in, in local mode only, to a loopback
  client that names the loopback in its Host header (so a page of another site that a DNS
  name rebound to 127.0.0.1 cannot get one). The only place the server hands out a token.
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import mimetypes
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http.websocket_origin import is_same_origin

from cli.commands import ADMIN_SUB
from domain.errors import DomainError
from domain.rules import user_id
from infra.auth import LocalAuthority
from infra.settings import Settings

log = logging.getLogger("usermgmt.console")

PREFIX = "/console"
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "web" / "dist"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
BUILD_HINT = "build it with `make console` (or `cd web && npm ci && npm run build`)"
# Vite names what it builds under assets/ by content hash: cached for good. The rest (the
# page, config.json, unhashed files in public/) are checked again on every load.
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# Explicit, since the system's mime.types differs between machines (or is missing).
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}


def content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0]
    return TYPES.get(path.suffix.lower()) or guessed or "application/octet-stream"


def cache_control(relative: str) -> str:
    return IMMUTABLE if relative.startswith("assets/") else NO_CACHE


class ConsoleFirst:
    """Requests under /console to the console, everything else (the lifespan included) to the
    API app as before: its GraphQL fast path (internals/asgi.py) stays as it is."""

    def __init__(self, console: ASGIApp, app: ASGIApp) -> None:
        self.console = console
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.console(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def with_console(app: ASGIApp, settings: Settings) -> ConsoleFirst:
    """`app` with the console beside it. In local mode the token endpoint signs with the data
    directory's key (made already by the server's root)."""
    authority = LocalAuthority.ensure(settings.data_dir) if settings.local else None
    return ConsoleFirst(console_app(settings, authority), app)


def console_app(settings: Settings, authority: LocalAuthority | None) -> Starlette:
    files = ConsoleFiles(settings.console_dir or DEFAULT_DIR)
    if not files.built:
        log.warning("the console is not built (%s missing): %s", files.index, BUILD_HINT)
    if not settings.local and not (settings.auth0_domain and settings.console_client_id):
        log.warning(
            "the console cannot sign in: set USERMGMT_CONSOLE_CLIENT_ID (the Auth0 SPA "
            "application's client id) beside USERMGMT_AUTH0_DOMAIN"
        )
    tokens = TokenEndpoint(settings, authority)

    async def config(request: Request) -> Response:
        return JSONResponse(console_config(settings, request), headers={"cache-control": NO_CACHE})

    async def redirect(request: Request) -> Response:
        query = request.url.query
        return RedirectResponse(PREFIX + "/" + (f"?{query}" if query else ""), status_code=308)

    return Starlette(
        routes=[
            Route(PREFIX, redirect, methods=["GET", "HEAD"]),
            Route(PREFIX + "/config.json", config, methods=["GET", "HEAD"]),
            Route(PREFIX + "/token", tokens.answer, methods=["POST"]),
            Route(PREFIX + "/{path:path}", files.serve, methods=["GET", "HEAD"]),
        ]
    )


def console_config(settings: Settings, request: Request) -> dict[str, Any]:
    """What the app reads at start: where the API is and how to sign in."""
    scheme = "wss" if request.url.scheme == "https" else "ws"
    host = request.headers.get("host") or request.url.netloc
    auth0 = None
    if settings.auth0_domain and settings.console_client_id and not settings.local:
        auth0 = {
            "domain": settings.auth0_domain,
            "clientId": settings.console_client_id,
            "audience": settings.auth0_audience,
        }
    return {
        "apiUrl": "/graphql",
        "wsUrl": f"{scheme}://{host}/graphql",
        "auth0": auth0,
        "localSignIn": settings.local,
    }


class ConsoleFiles:
    """GET /console/{path}: a file of the build, or its index.html for the app's own routes."""

    def __init__(self, directory: Path) -> None:
        self.root = directory.resolve()
        self.index = self.root / "index.html"

    @property
    def built(self) -> bool:
        return self.index.is_file()

    async def serve(self, request: Request) -> Response:
        if not self.built:
            return not_built(self.index)
        relative = request.path_params["path"]
        found = self._file(relative)
        if found is not None:
            return _file(found, cache_control(relative))
        if relative.startswith("assets/"):  # a build's file that is not there: never the page
            return Response("Not Found", status_code=404, media_type="text/plain")
        return _file(self.index, NO_CACHE)

    def _file(self, relative: str) -> Path | None:
        """The file at `relative` inside the build, or None (a directory, a missing file, or a
        path that leads out of the build)."""
        if not relative:
            return None
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate


def _file(path: Path, cache: str) -> Response:
    headers = {"cache-control": cache, "x-content-type-options": "nosniff"}
    return FileResponse(path, media_type=content_type(path), headers=headers)


def not_built(index: Path) -> Response:
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Console not built</title>"
        "<h1>The console is not built</h1>"
        f"<p>{html.escape(str(index))} is missing: {html.escape(BUILD_HINT)}, then reload. "
        "<code>make run</code> builds it before starting the server.</p></html>"
    )
    return HTMLResponse(page, status_code=404, headers={"cache-control": NO_CACHE})


class TokenEndpoint:
    """POST /console/token: {"role": "admin"} or {"role": "user", "sub": ...} -> {"token"}: the
    tokens `usermgmt token --admin` / `--sub SUB` print."""

    def __init__(self, settings: Settings, authority: LocalAuthority | None) -> None:
        self.settings = settings
        self.authority = authority

    async def answer(self, request: Request) -> Response:
        if self.authority is None:  # production: there is no such endpoint
            return _refusal(404, "Not Found")
        if refused := _not_from_this_machine(request):
            log.warning("refused a console token: %s", refused)
            return _refusal(403, refused)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _refusal(415, "send a JSON body (Content-Type: application/json)")
        try:
            sub, admin = _wanted(await request.body())
        except ValueError as error:
            return _refusal(400, str(error))
        token = self.authority.mint(
            sub,
            admin_claim=self.settings.admin_claim if admin else None,
            admin_value=self.settings.admin_value,
        )
        return JSONResponse({"token": token}, headers={"cache-control": "no-store"})


def _not_from_this_machine(request: Request) -> str | None:
    """Why the request may not have a token, or None: it must come from a loopback address,
    name the loopback in Host (DNS rebinding), and if it says where it comes from, from here."""
    client = request.client.host if request.client else ""
    if not _loopback(client):
        return "the console's token endpoint answers only this machine (a loopback client)"
    host = request.headers.get("host", "")
    if _hostname(host) not in LOOPBACK_HOSTS:
        return "the Host header must name the loopback (localhost, 127.0.0.1 or [::1])"
    origin = request.headers.get("origin")
    if origin is not None and not is_same_origin(origin, host):
        return "a page of another origin may not ask for a token"
    return None


def _loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def _hostname(host: str) -> str:
    """The Host header without its port, lower-cased; an IPv6 literal keeps its brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _wanted(body: bytes) -> tuple[str, bool]:
    """(sub, admin) from the body; ValueError says what is wrong with it."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise ValueError(
            'the body must be an object: {"role": "admin"} or {"role": "user", "sub": "..."}'
        )
    role = data.get("role")
    if role == "admin" and set(data) <= {"role"}:
        return ADMIN_SUB, True
    if role == "admin":
        raise ValueError('an admin token takes no other field than "role"')
    if role != "user":
        raise ValueError('"role" must be "admin" or "user"')
    sub = data.get("sub")
    if not isinstance(sub, str):
        raise ValueError('a user token needs "sub": the user\'s subject, e.g. "auth0|ada"')
    if extra := set(data) - {"role", "sub"}:
        raise ValueError(f"unknown field(s): {', '.join(sorted(extra))}")
    if sub.endswith("@clients"):  # how Auth0 names a service: `usermgmt token --service`
        raise ValueError('"sub" names a person, not a service (…@clients)')
    try:
        return user_id(sub, "sub"), False
    except DomainError as error:
        raise ValueError(error.message) from None


def _refusal(status: int, message: str) -> Response:
    return JSONResponse(
        {"error": message}, status_code=status, headers={"cache-control": "no-store"}
    )
