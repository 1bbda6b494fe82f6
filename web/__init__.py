"""Offline front-end assets for Metropolis Hub: GraphiQL served without any CDN.

The JavaScript and CSS come from the npm packages pinned in ``web/package.json``
(installed into ``web/node_modules`` by ``npm ci --prefix web``). Only the files
named in :data:`ASSETS` are ever served, under ``/assets/{name}``, and the page
built by :func:`graphiql_page` loads nothing but those URLs, so GraphiQL works
on a machine with no network access at all.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = [
    "ASSETS",
    "ASSET_URL_PREFIX",
    "MISSING_ASSETS_MESSAGE",
    "NODE_MODULES",
    "Tab",
    "asset_routes",
    "asset_url",
    "graphiql_page",
]

WEB_DIR: Final[Path] = Path(__file__).resolve().parent
"""The ``web/`` directory holding ``package.json`` and ``node_modules``."""

NODE_MODULES: Final[Path] = WEB_DIR / "node_modules"
"""Where ``npm ci --prefix web`` installs the front-end packages."""

ASSET_URL_PREFIX: Final[str] = "/assets/"

# Where the explorer keeps its staff key in a tab's session storage
# (explorer/src/api.js): GraphiQL opened in that tab sends the same key.
STAFF_KEY_STORAGE: Final[str] = "metrohub.staffKey"
"""URL path (from the site root) under which :data:`ASSETS` are served."""

MISSING_ASSETS_MESSAGE: Final[str] = (
    "front-end assets are not installed: run `make run` or `npm ci --prefix web`"
)
"""Body of the 503 answer given when an allowed asset is not on disk."""


@dataclass(frozen=True, slots=True)
class Tab:
    """An example operation the playground opens in a tab of its own."""

    query: str
    variables: str = ""
    """The tab's variables, as JSON text (empty: none)."""


_GRAPHIQL_DIR: Final[Path] = NODE_MODULES / "graphiql"
_REACT_UMD_DIR: Final[Path] = NODE_MODULES / "react" / "umd"
_REACT_DOM_UMD_DIR: Final[Path] = NODE_MODULES / "react-dom" / "umd"

ASSETS: dict[str, Path] = {
    "graphiql.min.js": _GRAPHIQL_DIR / "graphiql.min.js",
    "graphiql.min.css": _GRAPHIQL_DIR / "graphiql.min.css",
    # graphiql.min.js ends with ``//# sourceMappingURL=index.umd.js.map``;
    # serving it keeps browser developer tools free of a 404.
    "index.umd.js.map": _GRAPHIQL_DIR / "graphiql.min.js.map",
    "react.production.min.js": _REACT_UMD_DIR / "react.production.min.js",
    "react-dom.production.min.js": _REACT_DOM_UMD_DIR / "react-dom.production.min.js",
}
"""Allow-list: public file name under ``/assets/`` -> file in ``web/node_modules``."""

_CONTENT_TYPES: Final[dict[str, str]] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
}

_CACHE_CONTROL: Final[str] = "public, max-age=31536000, immutable"


def _package_versions() -> dict[str, str]:
    """Return the exact versions pinned in ``web/package.json`` (empty if unreadable)."""
    try:
        manifest = json.loads((WEB_DIR / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    deps = manifest.get("dependencies") if isinstance(manifest, dict) else None
    if not isinstance(deps, dict):
        return {}
    return {str(name): str(version) for name, version in deps.items()}


_VERSIONS: Final[dict[str, str]] = _package_versions()


def _package_of(path: Path) -> str:
    """Return the npm package name owning ``path`` inside :data:`NODE_MODULES`."""
    parts = path.relative_to(NODE_MODULES).parts
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


def asset_url(name: str) -> str:
    """Return the site-root URL of asset ``name``, versioned to bust long caches.

    The query string carries the pinned package version, so upgrading a package
    in ``web/package.json`` changes the URL and browsers drop the cached copy.
    """
    if name not in ASSETS:
        raise KeyError(f"unknown asset: {name!r}")
    version = _VERSIONS.get(_package_of(ASSETS[name]))
    url = ASSET_URL_PREFIX + name
    return f"{url}?v={version}" if version else url


async def _serve_asset(request: Request) -> Response:
    """Serve one allow-listed asset; 404 for other names, 503 if not installed."""
    name = request.path_params["name"]
    path = ASSETS.get(name)
    if path is None:
        return PlainTextResponse("not found", status_code=404)
    if not path.is_file():
        return PlainTextResponse(
            MISSING_ASSETS_MESSAGE,
            status_code=503,
            headers={"Cache-Control": "no-store"},
        )
    return FileResponse(
        path,
        media_type=_CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
        headers={
            "Cache-Control": _CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
        },
    )


def asset_routes() -> list[BaseRoute]:
    """Return the Starlette routes serving :data:`ASSETS` under ``/assets/{name}``."""
    return [
        Route(
            ASSET_URL_PREFIX + "{name}",
            endpoint=_serve_asset,
            methods=["GET", "HEAD"],
            name="assets",
        )
    ]


def _script_json(value: object) -> str:
    """Encode ``value`` as JSON that is safe to embed inside an HTML ``<script>``.

    ``json.dumps`` already escapes non-ASCII (including U+2028/U+2029); the HTML
    metacharacters are escaped too so no ``</script>`` or ``<!--`` can close or
    confuse the script element.
    """
    return (
        json.dumps(value, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


_PAGE_TEMPLATE: Final[str] = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Metropolis Hub — GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
<style>
html, body {{ height: 100%; margin: 0; }}
#graphiql {{ height: 100vh; }}
</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
<script>
(function () {{
  "use strict";
  var config = {config};
  var endpoint = GraphiQL.createFetcher({{ url: config.endpoint }});
  // Docs and autocomplete come from the client schema, which everyone may read
  // (in production only staff keys may introspect) and which leaves out
  // federation's machinery (`_entities`, `_Any`, ...).
  function fetcher(params, options) {{
    if (params && params.operationName === "IntrospectionQuery") {{
      return fetch(config.schema, {{ headers: {{ accept: "application/json" }} }})
        .then(function (response) {{ return response.json(); }});
    }}
    return endpoint(params, options);
  }}
  var props = {{
    fetcher: fetcher,
    defaultQuery: config.defaultQuery,
    defaultTabs: config.defaultTabs
  }};
  // `/graphql#query=...` opens that document (links from docs and the explorer);
  // a fragment, since `?query=` on a GET runs the query instead.
  // In staff mode the explorer keeps its key in this tab's session storage:
  // GraphiQL opened from it sends the same key.
  var staffKey = null;
  try {{ staffKey = window.sessionStorage.getItem(config.staffKeyStorage); }} catch (error) {{}}
  if (staffKey) {{
    props.headers = props.defaultHeaders = JSON.stringify(
      {{ Authorization: "Bearer " + staffKey }}, null, 2);
    props.shouldPersistHeaders = false;
  }}
  var params = new URLSearchParams(window.location.hash.slice(1));
  if (params.get("query")) {{ props.query = params.get("query"); }}
  if (params.get("variables")) {{ props.variables = params.get("variables"); }}
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, props));
}})();
</script>
</body>
</html>
"""


def graphiql_page(endpoint: str, schema: str, tabs: Sequence[Tab]) -> str:
    """Return the complete GraphiQL HTML page.

    Args:
        endpoint: URL of the GraphQL endpoint the page queries (e.g. ``/graphql``).
        schema: URL of the client schema's introspection result (``/schema.json``),
            which the page's docs and autocomplete are built from.
        tabs: the example operations the playground opens with, one tab each
            (the first is also the default query). A ``query`` (and
            ``variables``) in the page URL's fragment opens that document instead.

    The page loads only :data:`ASSETS` URLs relative to the site root and names
    no external host.
    """
    config = _script_json(
        {
            "endpoint": endpoint,
            "schema": schema,
            "staffKeyStorage": STAFF_KEY_STORAGE,
            "defaultQuery": tabs[0].query if tabs else "",
            "defaultTabs": [
                {"query": tab.query, "variables": tab.variables or None} for tab in tabs
            ],
        }
    )
    return _PAGE_TEMPLATE.format(
        css=html.escape(asset_url("graphiql.min.css")),
        react=html.escape(asset_url("react.production.min.js")),
        react_dom=html.escape(asset_url("react-dom.production.min.js")),
        graphiql=html.escape(asset_url("graphiql.min.js")),
        config=config,
    )
