"""Deprecated fields that nobody uses: safe to remove."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from db.engine import Database
from resolvers.usage.store import used_coordinates

__all__ = ["DeprecatedField", "deprecated_fields", "unused_deprecated_fields"]


@dataclass(frozen=True, slots=True)
class DeprecatedField:
    coordinate: str
    reason: str


def deprecated_fields(schema: GraphQLSchema) -> list[DeprecatedField]:
    """The fields of `schema`'s object and interface types marked `@deprecated`."""
    found = []
    for type_name, kind in sorted(schema.type_map.items()):
        if type_name.startswith("__") or not isinstance(
            kind, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for field_name, field in sorted(kind.fields.items()):
            if field.deprecation_reason is not None:
                found.append(DeprecatedField(f"{type_name}.{field_name}", field.deprecation_reason))
    return found


async def unused_deprecated_fields(
    database: Database, schema: GraphQLSchema, days: int
) -> list[DeprecatedField]:
    """The deprecated fields of `schema` that no operation read in the last
    `days` days."""
    used = await used_coordinates(database, days)
    return [field for field in deprecated_fields(schema) if field.coordinate not in used]
