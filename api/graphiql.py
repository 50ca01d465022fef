"""GraphiQL served whole by the server itself, so it works without internet: its page and
script (api/static/), and the built bundles of GraphiQL and React from node_modules, pinned in
package-lock.json (`npm ci` installs them; `make run` does). Every URL of the page is the
server's own, and a Content-Security-Policy keeps the browser from fetching any other. The page
holds no token: the Headers tab takes one that `usermgmt token` printed.

A Lambda package has no node_modules: with USERMGMT_GRAPHIQL on there, the page is a 503 that
says so."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parent / "node_modules"
PREFIX = "/graphiql/"
JS, CSS = "text/javascript; charset=utf-8", "text/css; charset=utf-8"
ASSETS: dict[str, tuple[Path, str]] = {
    "graphiql.min.js": (NODE_MODULES / "graphiql" / "graphiql.min.js", JS),
    "graphiql.min.css": (NODE_MODULES / "graphiql" / "graphiql.min.css", CSS),
    "react.production.min.js": (NODE_MODULES / "react" / "umd" / "react.production.min.js", JS),
    "react-dom.production.min.js": (
        NODE_MODULES / "react-dom" / "umd" / "react-dom.production.min.js",
        JS,
    ),
    "usermgmt-graphiql.js": (HERE / "static" / "graphiql.js", JS),
    "usermgmt-graphiql.css": (HERE / "static" / "graphiql.css", CSS),
}
PAGE = HERE / "static" / "graphiql.html"
# Same origin only; GraphiQL and React set style attributes, so inline styles are allowed.
# 'self' covers the page's own ws:// and wss:// in current browsers; they are named for others.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self' {ws}; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
CACHE = "public, max-age=3600"


def missing() -> list[Path]:
    """The files GraphiQL needs that are not here."""
    return [path for path, _ in ASSETS.values() if not path.is_file()] + (
        [] if PAGE.is_file() else [PAGE]
    )


def page(request: Request) -> Response:
    """The page, or a 503 naming what is missing and how to install it."""
    absent = missing()
    if absent:
        return PlainTextResponse(unavailable(absent), status_code=503)
    host = request.headers.get("host", "")
    ws = f"ws://{host} wss://{host}" if host else ""
    headers = {"content-security-policy": POLICY.format(ws=ws), "cache-control": "no-cache"}
    return FileResponse(PAGE, media_type="text/html; charset=utf-8", headers=headers)


async def asset(request: Request) -> Response:
    """GET /graphiql/{name}: one of the page's files."""
    found = ASSETS.get(request.path_params["name"])
    if found is None:
        return PlainTextResponse("Not Found", status_code=404)
    path, media_type = found
    if not path.is_file():
        return PlainTextResponse(unavailable([path]), status_code=503)
    return FileResponse(path, media_type=media_type, headers={"cache-control": CACHE})


def unavailable(absent: list[Path]) -> str:
    names = ", ".join(str(path) for path in absent)
    return (
        f"GraphiQL is not available here: {names} missing. Its files come from npm: run "
        "`npm ci` in the project's directory (`make run` does it first). A Lambda deployment "
        "carries none of them: use GraphiQL on a local server, or any GraphQL client, with "
        "this deployment's URL.\n"
    )
