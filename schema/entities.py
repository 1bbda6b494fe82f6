"""Federation `_entities`: the records a gateway asks for by reference.

A gateway sends representations, `{"__typename": "Member", "id": ...}`, in
the order it wants them answered. Each is checked on its own: a malformed one,
or one of a type that is not an entity here, gets null and an error at its
position, and the others are answered. Representations of the `Node` entity
interface (`{"__typename": "Node", "id": ...}`, what a partner's
`@interfaceObject` sends) resolve to the record the ID names, whatever its
type. Records are read through the per-request loaders, which read each
record once however many positions name it: one statement per type.
"""

from __future__ import annotations

import asyncio
from typing import Any

from resolvers.errors import UserInputError
from schema.context import Info
from schema.nodes import NODE_INTERFACE, NODE_RECORDS, find_node

__all__ = ["resolve_entities"]


async def resolve_entities(info: Info, representations: list[Any]) -> list[Any]:
    """The record of each representation, in order: None for an unknown ID,
    an error for a representation that names no record of this hub."""
    most = info.context.max_representations
    if len(representations) > most:
        # Checked before execution too (engine/cost.py); a context made by hand may skip that.
        raise UserInputError(
            f"This request names {len(representations):,} federation representations; a "
            f"request may name at most {most:,}. Split the references over several requests.",
            code="TOO_MANY_REPRESENTATIONS",
        )

    async def one(index: int, representation: Any) -> Any:
        # An error is that position's answer alone.
        try:
            type_name, id_ = _reference(index, representation)
            return await find_node(info, id_, None if type_name == NODE_INTERFACE else type_name)
        except UserInputError as error:
            return error

    # Concurrently, so that the loaders batch every reference of a type together.
    return await asyncio.gather(*(one(i, r) for i, r in enumerate(representations)))


def _reference(index: int, representation: Any) -> tuple[str, str]:
    """The `__typename` and `id` of a representation, checked."""
    if not isinstance(representation, dict):
        raise UserInputError(
            f"Representation {index} is not an object: send "
            '`{"__typename": "<entity type>", "id": "<global ID>"}`.',
            code="INVALID_REPRESENTATION",
        )
    type_name = representation.get("__typename")
    if not isinstance(type_name, str) or not (
        type_name in NODE_RECORDS or type_name == NODE_INTERFACE
    ):
        entities = ", ".join(sorted(NODE_RECORDS))
        raise UserInputError(
            f"Representation {index} has `__typename` {type_name!r}, which is not an entity "
            f"of this subgraph: use {NODE_INTERFACE} or one of {entities}.",
            code="UNKNOWN_ENTITY_TYPE",
        )
    id_ = representation.get("id")
    if not isinstance(id_, str):
        raise UserInputError(
            f"Representation {index} ({type_name}) has no `id` string: the key of every "
            "entity here is its global `id`.",
            code="INVALID_REPRESENTATION",
        )
    return type_name, id_
