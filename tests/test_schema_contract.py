"""The schema is the documentation: checked in, and described everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from schema import schema, sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"

# Types and fields that federation adds (described by its specification).
FEDERATION = {"_Service", "_Entity", "_Any", "_FieldSet", "link__Import", "link__Purpose"}
FEDERATION_FIELDS = {"_service", "_entities"}
SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def test_checked_in_sdl_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == sdl(), (
        "schema/schema.graphql is out of date: run `metrohub export-schema` and review the diff"
    )


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
