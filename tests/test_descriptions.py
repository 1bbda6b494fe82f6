"""One fact, one text: a record type's field, its create and update inputs'
fields, its `...Where` filter and its `...OrderField` sort key describe the
same fact in the same words (schema/descriptions.py). Each may add what is its
own after the fact (a null's meaning, a bound, a default), never say it
differently."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    get_named_type,
)
from strawberry.utils.str_converters import to_camel_case

from schema import schema

# A record type's family: the types that name its fields, by their suffix.
FAMILY = ("", "CreateInput", "UpdateInput", "Where", "OrderField")
# The global ID, a filter on the object itself and an input's ID say three
# different things; relations are lists on the type and quantified on the filter.
NOT_ONE_FACT = {"id"}


def _descriptions(type_: GraphQLNamedType) -> dict[str, str]:
    """The type's fields (or sort keys, by the field they sort by) and their
    descriptions, relations left out."""
    if isinstance(type_, GraphQLEnumType):
        return {
            to_camel_case(name.lower()): value.description or ""
            for name, value in type_.values.items()
        }
    assert isinstance(type_, GraphQLObjectType | GraphQLInputObjectType)
    return {
        name: field.description or ""
        for name, field in type_.fields.items()
        if name not in NOT_ONE_FACT
        and not getattr(field, "args", None)  # a connection
        and not get_named_type(field.type).name.endswith("RelationFilter")
    }


def families() -> dict[str, dict[str, str]]:
    """Per record type and field (`Member.population`), the description each
    member of its family gives (`MemberWhere`: ...)."""
    types = schema._schema.type_map
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for name in sorted(types):
        if not any(name + suffix in types for suffix in FAMILY if suffix):
            continue
        for suffix in FAMILY:
            member = types.get(name + suffix)
            if member is None:
                continue
            for field, text in _descriptions(member).items():
                found[f"{name}.{field}"][name + suffix] = text
    return {field: texts for field, texts in found.items() if len(texts) > 1}


def test_the_families_are_found() -> None:
    # Given the built schema, when the record types' families are gathered
    found = families()

    # Then a member government's population is described by all five of its family
    assert set(found["Member.population"]) == {
        "Member",
        "MemberCreateInput",
        "MemberUpdateInput",
        "MemberWhere",
        "MemberOrderField",
    }
    assert len(found) > 40


def shared_fact(texts: Iterable[str]) -> str | None:
    """The longest whole sentences that every text says first, each text
    saying only that or going on with more sentences; None when there are none."""
    texts = list(texts)
    shortest = min(texts, key=len)
    ends = [i + 1 for i, character in enumerate(shortest) if character == "."]
    for end in reversed(ends):
        fact = shortest[:end]
        if all(text == fact or text.startswith(fact + " ") for text in texts):
            return fact
    return None


def test_the_shared_fact_is_whole_sentences() -> None:
    assert shared_fact(["The year it joined.", "The year it joined. From 1900."]) == (
        "The year it joined."
    )
    assert shared_fact(["Its website, where known.", "Its website (http(s) URL)."]) is None
    assert shared_fact(["The name.", "The names."]) is None


def test_a_field_is_described_in_the_same_words_across_its_family() -> None:
    # Given the descriptions of each field across its record type's family
    found = families()

    # When the fact they all say first is looked for
    drifted = {
        field: texts for field, texts in found.items() if shared_fact(texts.values()) is None
    }

    # Then each field has one: the others only add sentences after it
    assert drifted == {}
