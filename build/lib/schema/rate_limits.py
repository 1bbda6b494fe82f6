"""The caller's rate budget, as GitHub's `rateLimit` shows it."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from schema.context import Info

__all__ = ["RateLimit", "rate_limit"]


@strawberry.type(
    description="Your rate budget: points an hour for partner keys (each request costs its "
    "`extensions.cost.requestedQueryCost`), requests a minute for anonymous callers. Staff "
    "keys have none."
)
class RateLimit:
    unit: str = strawberry.field(description="`points` or `requests`.")
    cost: int = strawberry.field(description="What this request cost.")
    limit: int = strawberry.field(description="The budget per window.")
    remaining: int = strawberry.field(description="What is left in the current window.")
    reset_at: datetime = strawberry.field(description="When the window has room again (UTC).")


async def rate_limit(info: Info) -> RateLimit | None:
    context = info.context
    if context.budgets is None:
        return None
    address = context.request.client.host if context.request and context.request.client else ""
    verdict = await context.budgets.status(context.principal, address)
    if verdict is None:
        return None
    return RateLimit(
        unit=verdict.unit,
        cost=context.cost if verdict.unit == "points" else 1,
        limit=verdict.limit,
        remaining=verdict.remaining,
        reset_at=datetime.fromtimestamp(verdict.reset_at, UTC),
    )
