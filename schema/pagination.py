"""Connections: every list in the API is a cursor-paginated connection."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar, cast

import strawberry

from engine.compiled.declarations import itself, record_list, relation_pages
from resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageArgs, page_args
from resolvers.relations import PROVENANCE
from schema.context import Info
from schema.filters import to_filter, to_order
from schema.provenance import Provenance

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "After",
    "Connection",
    "ConnectionFields",
    "Edge",
    "First",
    "LinkFields",
    "PageInfo",
    "listed",
    "page_request",
    "paged",
    "related",
]

NodeT = TypeVar("NodeT")
F = TypeVar("F", bound=Callable[..., Any])

First = Annotated[
    int | None,
    strawberry.argument(description=f"How many items to return, from 1 to {MAX_PAGE_SIZE}."),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Return the items after this cursor: a previous page's `pageInfo.endCursor`."
    ),
]


# Shareable: other subgraphs (any Relay-style one) define the same PageInfo.
@strawberry.federation.type(
    shareable=True, description="Where a page sits in its list, and the cursors to move on."
)
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Whether items come before this page (true when `after` was given)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first item on this page; null when it is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item on this page: pass it as `after` for the "
        "next page. Null when the page is empty."
    )


@strawberry.type
class ConnectionFields:
    """Fields every connection has; read from a `resolvers.pagination.Page`."""

    total_count: int = strawberry.field(
        description="How many items the whole list has, across all pages."
    )

    @strawberry.field(description="Where this page sits in the list.")
    @itself()
    def page_info(self) -> PageInfo:
        # The page itself carries the four PageInfo attributes.
        return cast(PageInfo, self)


@strawberry.type
class LinkFields:
    """Fields every edge with attributes has; read from a `resolvers.records.Link`."""

    cursor: str = strawberry.field(description="Points at this item; pass it as `after`.")

    @strawberry.field(description="Where the fact this edge states comes from.")
    @itself(*PROVENANCE)
    def provenance(self) -> Provenance:
        return cast(Provenance, self)


@strawberry.type(description="An item of a list, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Points at this item; pass it as `after`.")
    node: NodeT = strawberry.field(description="The item.")

    @strawberry.field(
        description="Where the fact this edge states comes from; null when the edge is an "
        "attribute of the node itself rather than a recorded link."
    )
    def provenance(self) -> Provenance | None:
        return cast(Provenance, self) if hasattr(self, "source_urls") else None


@strawberry.type(description="A page of a list.")
class Connection(ConnectionFields, Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items on this page.")


def page_request(
    first: int | None = DEFAULT_PAGE_SIZE,
    after: str | None = None,
    where: Any = None,
    order_by: list[Any] | None = None,
    roles: Sequence[enum.Enum] | None = None,
) -> PageArgs:
    """The page a connection field's arguments ask for (`UserInputError` when
    they are wrong), as the field's resolver and the compiled path see it."""
    return page_args(
        first,
        after,
        where=to_filter(where),
        order=to_order(order_by),
        roles=[role.value for role in roles or ()],
    )


def paged(relation: str) -> Callable[[F], F]:
    """Declares a field that returns `related(info, relation, ...)`, for the
    compiled path (`engine.compiled.declarations`)."""
    return relation_pages(relation, page_request)


def listed(record: type[Any]) -> Callable[[F], F]:
    """Declares a top-level list of `record`, for the compiled path."""
    return record_list(record, page_request)


def related(
    info: Info,
    relation: str,
    parent: int,
    first: int | None,
    after: str | None,
    *,
    where: Any = None,
    order_by: list[Any] | None = None,
    roles: Sequence[enum.Enum] | None = None,
) -> Any:
    """A page of `relation` (see `resolvers.relations`) for one parent, batched
    with every other parent the query asks for at this level: the loader's
    future, which the resolver returns as it is. A coroutine around it would
    hold its frames, and Strawberry's async wrappers, for every item of the
    level until the batch is read."""
    args = page_request(first, after, where, order_by, roles)
    return info.context.loaders.relation(relation).load((parent, args))
