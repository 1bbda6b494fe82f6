"""Rate budgets: how much each caller may ask of the hub per window.

Partner keys spend points (each request's static cost) from 5,000 an hour;
anonymous callers make 60 requests a minute per IP address, and a gateway key
sent as a caller's own key as many on its own; an IP address may fail to
authenticate 10 times a minute. Staff keys have no budget. The
windows are the `limits` library's sliding window counters, kept in memory by
default or in Redis (`HUB_REDIS_URL`), so that several hub processes share one
budget. A sliding window counts this window and the last, and weighs the last
by how much of it a moving window would still cover: two counters per caller,
where a moving window keeps an entry per request (or per point) and costs
time in proportion to them on every hit.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from resolvers.access.keys import ANONYMOUS, Principal

__all__ = ["Budgets", "Verdict"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a request fits its budget, and where the budget stands."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # Unix time when the window has room again
    unit: str  # "points" or "requests"

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - time.time()))

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(int(self.reset_at)),
            "X-RateLimit-Resource": self.unit,
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


# Callers come from few distinct addresses at a time.
@functools.lru_cache(maxsize=4096)
def caller(address: str) -> str:
    """Whose budget a request from `address` spends: the address, or for IPv6
    its /64 network, which one host or one home network holds whole (counting
    each of its addresses apart would give it 2^64 budgets, and fill memory)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _budget(name: str, text: str) -> RateLimitItem:
    try:
        return parse(text)
    except ValueError as error:
        raise ValueError(
            f"the {name} budget {text!r} is not a rate: write it as e.g. `5000/hour`."
        ) from error


class Budgets:
    def __init__(
        self,
        storage_url: str | None = None,
        *,
        partner: str = "5000/hour",
        anonymous: str = "60/minute",
        failed_authentication: str = "10/minute",
        namespace: str = "hub",
    ) -> None:
        # Hubs that share a Redis share budgets only within one namespace.
        self.namespace = namespace
        # `redis://…` as redis-py writes it, or limits' own `async+redis://…`.
        if storage_url and not storage_url.startswith("async+"):
            storage_url = f"async+{storage_url}"
        storage = storage_from_string(storage_url or "async+memory://")
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self.partner = _budget("partner", partner)
        self.anonymous = _budget("anonymous", anonymous)
        self.failed_authentication = _budget("failed authentication", failed_authentication)

    async def _hit(self, item: RateLimitItem, key: str, cost: int, unit: str) -> Verdict:
        key = f"{self.namespace}:{key}"
        allowed = await self._limiter.hit(item, key, cost=max(cost, 0)) if cost else True
        stats = await self._limiter.get_window_stats(item, key)
        return Verdict(allowed, item.amount, stats.remaining, stats.reset_time, unit)

    async def spend(self, principal: Principal, cost: int) -> Verdict | None:
        """Charge a partner key `cost` points; None for callers without a point budget."""
        if principal.role != "partner" or principal.key_id is None:
            return None
        return await self._hit(self.partner, f"key:{principal.key_id}", cost, "points")

    async def request(self, address: str, principal: Principal = ANONYMOUS) -> Verdict:
        """Count one request of a caller without data privileges: an anonymous
        one from `address`, or a gateway key asking for itself."""
        return await self._hit(self.anonymous, _requester(principal, address), 1, "requests")

    async def failed(self, address: str) -> Verdict:
        """Count one failed authentication from `address`."""
        return await self._hit(self.failed_authentication, f"auth:{caller(address)}", 1, "requests")

    async def status(self, principal: Principal, address: str) -> Verdict | None:
        """Where the caller's budget stands, without spending any of it."""
        if principal.is_staff:
            return None
        if principal.role == "partner" and principal.key_id is not None:
            return await self._hit(self.partner, f"key:{principal.key_id}", 0, "points")
        return await self._hit(self.anonymous, _requester(principal, address), 0, "requests")


def _requester(principal: Principal, address: str) -> str:
    """Whose request budget: a gateway key asking for itself has its own, apart
    from its address's (which anonymous callers there spend); others, the address's."""
    if principal.is_gateway and principal.key_id is not None:
        return f"key:{principal.key_id}"
    return f"ip:{caller(address)}"
