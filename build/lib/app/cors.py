"""Cross-origin requests from the pages of the configured origins."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from app.graphql_http import PREFLIGHT_HEADERS

__all__ = ["cors"]


def cors(origins: tuple[str, ...]) -> list[Middleware]:
    """CORS for pages on `origins`, none at all when there are none. No credentials:
    keys travel in the Authorization header, which the allowed headers list."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id", *PREFLIGHT_HEADERS],
            max_age=600,
        )
    ]
