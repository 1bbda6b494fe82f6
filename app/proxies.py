"""The client's address and scheme, as the trusted proxies in front of the hub
give them; and the entry of `X-Forwarded-For` that a gateway hop's gateway added."""

from __future__ import annotations

import functools
import ipaddress

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

__all__ = ["gateway_entry", "trusted_proxies"]

# Where the socket peer's address is kept in a request's state.
SOCKET_PEER = "socket_peer"


def trusted_proxies(trusted: tuple[str, ...]) -> list[Middleware]:
    """The client's address and scheme from `X-Forwarded-For` and `-Proto`, when the
    peer is one of the `trusted` proxies (uvicorn's middleware: it takes the
    rightmost address that no trusted proxy added); none at all when none are."""
    if not trusted:
        return []
    return [
        Middleware(_KeepSocketPeer),
        Middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted)),
    ]


class _KeepSocketPeer:
    """Keeps the socket peer's address before the proxies' client replaces it:
    `gateway_entry` needs to know whether the trusted proxies added entries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"} and scope.get("client"):
            # A new state, as in `app.gateway.GatewayHop`.
            scope["state"] = {**scope.get("state", {}), SOCKET_PEER: scope["client"][0]}
        await self.app(scope, receive, send)


def gateway_entry(scope: Scope, trusted: tuple[str, ...]) -> str | None:
    """The entry of `X-Forwarded-For` that the gateway of a gateway hop added,
    its client's address: the last one; behind the hub's trusted proxies, the
    one before those they added (their own peers' addresses, down to the
    gateway's). None when there is none: the gateway forwarded no address.
    Entries before it are whatever its client sent, and never read."""
    headers = Headers(scope=scope)
    entries = [
        entry.strip()
        for value in headers.getlist("x-forwarded-for")
        for entry in value.split(",")
        if entry.strip()
    ]
    client = scope.get("client")
    peer = scope.get("state", {}).get(SOCKET_PEER, client[0] if client else None)
    if peer is not None and _is_trusted(peer, trusted):
        while entries and _is_trusted(_host(entries[-1]), trusted):
            entries.pop()
        if entries:
            entries.pop()  # the gateway's address, as the nearest trusted proxy saw it
    return _host(entries[-1]) if entries else None


def _host(entry: str) -> str:
    """The address of an entry that may carry a port (`1.2.3.4:80`, `[::1]:80`)."""
    if entry.startswith("[") and "]" in entry:
        return entry[1 : entry.index("]")]
    if entry.count(":") == 1:
        return entry.partition(":")[0]
    return entry


@functools.lru_cache(maxsize=4096)
def _is_trusted(host: str, trusted: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in trusted)
