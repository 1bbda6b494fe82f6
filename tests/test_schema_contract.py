"""The schema is the documentation: checked in, and described everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    build_schema,
    specified_directives,
)

from schema import schema, sdl
from schema.printed import CLIENT_FILE, SUBGRAPH_FILE, client_sdl, subgraph_file_sdl

# Types and fields that federation adds (described by its specification).
FEDERATION = {"_Service", "_Entity", "_Any", "_FieldSet", "link__Import", "link__Purpose"}
FEDERATION_FIELDS = {"_service", "_entities"}
SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


@pytest.mark.parametrize(
    ("path", "printed"), [(CLIENT_FILE, client_sdl), (SUBGRAPH_FILE, subgraph_file_sdl)]
)
def test_checked_in_sdl_matches_the_code(path: Path, printed: Callable[[], str]) -> None:
    assert path.read_text(encoding="utf-8") == printed(), (
        f"{path.name} is out of date: run `metrohub export-schema` and review the diff"
    )


def test_both_files_are_valid_schemas_on_their_own() -> None:
    # Given the two checked-in files, read by a tool that knows nothing of federation
    client = build_schema(CLIENT_FILE.read_text(encoding="utf-8"))
    subgraph = build_schema(SUBGRAPH_FILE.read_text(encoding="utf-8"))
    # Then the client schema has none of federation's machinery,
    assert not set(client.type_map) & FEDERATION
    assert not set(client.query_type.fields) & FEDERATION_FIELDS  # type: ignore[union-attr]
    assert {d.name for d in client.directives} == {d.name for d in specified_directives}
    # and the subgraph schema is the served one, with the definitions it uses.
    assert SUBGRAPH_FILE.read_text(encoding="utf-8").startswith(sdl())
    assert {"key", "link", "shareable"} <= {d.name for d in subgraph.directives}
    assert set(client.type_map) == set(subgraph.type_map) - FEDERATION


def test_every_type_field_argument_and_enum_value_has_a_description() -> None:
    missing: list[str] = []
    for name, type_ in schema._schema.type_map.items():
        if (
            name.startswith("__")
            or name in FEDERATION
            or name in {"String", "Int", "Float", "Boolean", "ID"}
        ):
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in type_.values.items() if not value.description]
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if field_name in FEDERATION_FIELDS:
                    continue
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


def test_date_times_are_rfc_3339_in_utc_with_their_zone() -> None:
    # Given the DateTime scalar as the schema serialises it
    scalar = schema._schema.get_type("DateTime")
    assert isinstance(scalar, GraphQLScalarType)
    assert scalar.specified_by_url == "https://scalars.graphql.org/andimarek/date-time"
    # Then a moment stored without a zone (the database's UTC) says it is UTC,
    assert scalar.serialize(datetime(2026, 12, 2, 7, 29, 54, 529957)) == "2026-12-02T07:29:54.529Z"
    # a moment in another zone is given in UTC,
    paris = datetime(2026, 12, 2, 8, 29, 54, tzinfo=timezone(timedelta(hours=1)))
    assert scalar.serialize(paris) == "2026-12-02T07:29:54.000Z"
    # and a value without a zone is refused as input, saying what to add
    with pytest.raises(ValueError, match="no time zone"):
        scalar.parse_value("2026-12-02T07:29:54")
    assert scalar.parse_value("2026-12-02T08:29:54+01:00") == datetime(
        2026, 12, 2, 7, 29, 54, tzinfo=UTC
    )
