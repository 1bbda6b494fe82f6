"""Record links: an example partner subgraph that extends every hub record at once.

The hub's `Node` is an entity interface (`interface Node @key(fields: "id")`):
a subgraph that declares `type Node @key(fields: "id") @interfaceObject`
adds its fields to every type that implements `Node` (members, partners,
initiatives, ...) without naming any of them, and a field of its own that
returns `Node` lets clients ask for any hub field of the records it returns
(`... on Member { name }`): the gateway asks the hub which type each ID is.

Here every record gains `explorerUrl`, the link to its page in the hub's
explorer, and `sharedList(ids:)` returns records by their IDs, as a list
that a partner app shares. It holds no data: a link is made from the ID.

Run: `uvicorn federation.examples.record_links:app --port 8002`
(`EXPLORER_URL` is the explorer's address, by default the local hub's).
"""

from __future__ import annotations

import os
from typing import Annotated
from urllib.parse import quote

import strawberry
from strawberry.asgi import GraphQL

EXPLORER_URL = os.environ.get("EXPLORER_URL", "http://127.0.0.1:8000/explorer")


@strawberry.federation.interface_object(
    keys=["id"], description="Any record of the hub: a member, partner, initiative, ..."
)
class Node:
    id: strawberry.ID = strawberry.field(description="The record's global ID in the hub.")

    @strawberry.field(description="The link to the record's page in the hub's explorer.")
    def explorer_url(self) -> str:
        return f"{EXPLORER_URL}#/node/{quote(self.id, safe='')}"


@strawberry.type(description="Lists of hub records that partner apps share.")
class Query:
    @strawberry.field(
        description="The records with these IDs, in this order (the hub resolves their types)."
    )
    def shared_list(
        self,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Global IDs of hub records.")
        ],
    ) -> list[Node]:
        return [Node(id=id_) for id_ in ids]


schema = strawberry.federation.Schema(query=Query, federation_version="2.9")
app = GraphQL(schema, graphql_ide=None)
