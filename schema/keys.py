"""API keys as admins see them: every key, its role and partner, never its
secret. (The mutations that issue and revoke keys: `schema.mutations.keys`.)"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from resolvers.access.key_list import key_page
from resolvers.access.keys import KeyInfo
from resolvers.pagination import page_args
from resolvers.records import PartnerRecord
from schema.context import Info
from schema.descriptions import ApiKeyFields
from schema.nodes import load_record
from schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First
from schema.partners import Partner
from schema.permissions import AdminOnly

__all__ = ["ApiKey", "KeyQueries", "api_key"]


@strawberry.type(description="An API key, without its secret.")
class ApiKey:
    id: int = strawberry.field(
        description="The key's number: what `apiKeyRotate`, `apiKeyRevoke` and `metrohub keys "
        "rotate|revoke` take."
    )
    name: str = strawberry.field(description=ApiKeyFields.NAME)
    role: str = strawberry.field(description=ApiKeyFields.ROLE)
    hint: str = strawberry.field(
        description="The key's first characters (`mh_live_` and four more), to recognise it: "
        "the rest is never stored."
    )
    created_at: datetime = strawberry.field(description="When it was issued.")
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked or rotated; null while it is live."
    )
    replaced_by: int | None = strawberry.field(
        description="The number of the key that replaced it, when it was rotated."
    )
    partner_id: strawberry.Private[int | None]

    @strawberry.field(description="The partner a `partner` key acts for; null for other roles.")
    async def partner(self, info: Info) -> Partner | None:
        if self.partner_id is None:
            return None
        return cast(Partner | None, await load_record(info, PartnerRecord, self.partner_id))


def api_key(details: KeyInfo) -> ApiKey:
    return ApiKey(
        id=details.id,
        name=details.name,
        role=str(details.role),
        hint=details.hint,
        created_at=details.created_at,
        revoked_at=details.revoked_at,
        replaced_by=details.replaced_by_id,
        partner_id=details.partner_id,
    )


@strawberry.type
class KeyQueries:
    """The API key queries, part of `Query`."""

    @strawberry.field(
        description="Every API key, revoked ones too, oldest first: never the keys themselves. "
        "Admin keys only.",
        permission_classes=[AdminOnly],
    )
    async def api_keys(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[ApiKey] | None:
        page = await key_page(info.context.database, page_args(first, after))
        for edge in page.edges:
            edge.node = api_key(edge.node)  # type: ignore[assignment]
        return cast(Connection[ApiKey], page)
