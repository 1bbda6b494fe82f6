"""The client's address and scheme, as the trusted proxies in front of the hub give them."""

from __future__ import annotations

from starlette.middleware import Middleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

__all__ = ["trusted_proxies"]


def trusted_proxies(trusted: tuple[str, ...]) -> list[Middleware]:
    """The client's address and scheme from `X-Forwarded-For` and `-Proto`, when the
    peer is one of the `trusted` proxies (uvicorn's middleware: it takes the
    rightmost address that no trusted proxy added); none at all when none are."""
    if not trusted:
        return []
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted))]
