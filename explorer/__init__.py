"""The explorer: the hub's web UI for Metropolis staff, served at ``/explorer``.

The page is built from ``explorer/src`` by esbuild (``npm run build --prefix
explorer``, run by ``make assets``) into ``explorer/dist``; only the files in
:data:`FILES` are served, under ``/explorer/{name}``. The page's scripts and
styles come from the hub's own origin, and its Content-Security-Policy keeps
every request it makes there too: the explorer talks only to ``/graphql``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["DIST", "FILES", "MISSING_BUILD_MESSAGE", "PATH", "page", "routes"]

PATH: Final[str] = "/explorer"
"""Where the hub serves the explorer."""

DIST: Final[Path] = Path(__file__).resolve().parent / "dist"
"""Where ``npm run build --prefix explorer`` writes the built page assets."""

FILES: Final[dict[str, str]] = {
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.js.map": "application/json; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
}
"""Allow-list: the built files served under ``/explorer/``, with their media types."""

MISSING_BUILD_MESSAGE: Final[str] = (
    "the explorer is not built: run `make assets` (or `npm ci --prefix explorer && "
    "npm run build --prefix explorer`)"
)

# Everything from the hub's origin; inline style attributes for the graph and charts.
CONTENT_SECURITY_POLICY: Final[str] = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_PAGE: Final[str] = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Metropolis Hub — Explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
</head>
<body>
<header class="site-header">
<div class="bar">
<p class="brand"><a href="#/home"><span class="brand-name">Metropolis Hub</span>
<span class="brand-tag">The network of the World Association of the Major Metropolises</span>
</a></p>
<div id="key-panel" aria-label="Staff key" role="region"></div>
</div>
<nav id="nav" aria-label="Views"></nav>
</header>
<main id="main"><noscript>The explorer needs JavaScript.</noscript></main>
<footer class="site-footer">
<p><strong>Metropolis</strong> (World Association of the Major Metropolises, founded 1985)
gathers the governments of major cities and metropolitan areas: a network of initiatives
among metropolitan governments and their partners for urban sustainability.</p>
<p><a href="/graphql">GraphiQL</a> · <a href="/">About the hub</a></p>
</footer>
<script type="module" src="{js}"></script>
</body>
</html>
"""


def _versioned(name: str) -> str:
    """The file's URL, with its modification time so a rebuild is fetched anew."""
    path = DIST / name
    version = int(path.stat().st_mtime) if path.is_file() else 0
    return f"{PATH}/{name}?v={version}"


def page() -> str:
    """The explorer's HTML page: a frame the script fills, from the hub's origin only."""
    return _PAGE.format(
        css=html.escape(_versioned("explorer.css")), js=html.escape(_versioned("explorer.js"))
    )


async def _page(_request: Request) -> Response:
    if not (DIST / "explorer.js").is_file():
        return PlainTextResponse(MISSING_BUILD_MESSAGE, status_code=503)
    return HTMLResponse(
        page(),
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"},
    )


async def _file(request: Request) -> Response:
    name = request.path_params["name"]
    media_type = FILES.get(name)
    if media_type is None:
        return PlainTextResponse("not found", status_code=404)
    path = DIST / name
    if not path.is_file():
        return PlainTextResponse(MISSING_BUILD_MESSAGE, status_code=503)
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def routes() -> list[BaseRoute]:
    """The routes serving the explorer's page and its built files."""
    return [
        Route(PATH, _page, methods=["GET", "HEAD"], name="explorer"),
        Route(PATH + "/{name}", _file, methods=["GET", "HEAD"], name="explorer-files"),
    ]
