"""Each GraphQL enum has the storage enum's members, name for name and value for
value: records read from the database serialise as they are, and an enum value
added to one and not the other fails here rather than in a request."""

from __future__ import annotations

import enum

import pytest

from db import models
from db.models import enums as storage_enums
from schema import enums
from schema.mutations import KeyRole


@pytest.mark.parametrize("name", enums.__all__)
def test_the_graphql_enum_has_the_storage_enums_members(name: str) -> None:
    graphql: type[enum.Enum] = getattr(enums, name)
    storage: type[enum.Enum] = getattr(models, name)
    assert {member.name: member.value for member in graphql} == {
        member.name: member.value for member in storage
    }


def test_the_key_role_has_the_storage_roles() -> None:
    assert {member.name: str(member.value) for member in KeyRole} == {
        member.name: member.value for member in models.Role
    }


def test_every_storage_enum_has_a_graphql_enum() -> None:
    storage = {
        name
        for name, value in vars(storage_enums).items()
        if isinstance(value, type)
        and issubclass(value, enum.Enum)
        and value.__module__ == storage_enums.__name__
    }
    # API keys' roles are `KeyRole`, beside the key mutations.
    assert storage - set(enums.__all__) == {"Role"}
