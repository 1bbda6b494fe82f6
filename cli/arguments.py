"""The parser's shared parts: subcommands with subcommands of their own,
whole numbers with a floor, and records named by their global ID or number."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from db.engine import Database

__all__ = [
    "Commands",
    "RecordId",
    "add_days_argument",
    "at_least",
    "command_group",
    "existing",
    "record_id",
]

# What `add_subparsers` returns (generic only to type checkers).
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def command_group(commands: Commands, name: str, help: str, dest: str) -> Commands:
    """The subcommand `name` (e.g. `keys`), to which its own subcommands are
    added (`keys create`); which one was given is in `dest`."""
    group = commands.add_parser(name, help=help)
    return group.add_subparsers(dest=dest, required=True)


def at_least(minimum: int, value: str) -> int:
    """`value` as a whole number no smaller than `minimum`, for an argument's
    type; argparse names the calling function when `value` is no number."""
    number = int(value)
    if number < minimum:
        raise argparse.ArgumentTypeError(f"expected {minimum} or more, got {number}")
    return number


def add_days_argument(parser: argparse.ArgumentParser) -> None:
    """`--days`: how much recorded usage a schema check looks at."""
    parser.add_argument(
        "--days",
        type=lambda value: at_least(1, value),
        default=30,
        help="how many days of recorded usage to look at (default: 30)",
    )


@dataclass(frozen=True, slots=True)
class RecordId:
    """A record an option names: its type, its primary key, and the text given."""

    type_name: str
    pk: int
    given: str

    @property
    def described(self) -> str:
        return f"the number {self.given}" if self.given.isdecimal() else f"the ID {self.given!r}"


def record_id(type_name: str) -> Callable[[str], RecordId]:
    """An argument type for an option naming a record of `type_name`: its
    global ID, as the API shows it (`UGFydG5lcjoxMQ==`), or its number. A bad
    ID is refused as the API refuses it, and argparse names the option."""

    def parse(value: str) -> RecordId:
        given = value.strip()
        if given.isascii() and given.isdecimal():
            return RecordId(type_name, int(given), given)
        # Read as the API reads IDs; importing the schema registers the types
        # an ID may name, so it waits until an ID is given.
        from resolvers.errors import UserInputError
        from schema.nodes import parse_id

        try:
            _, _, pk = parse_id(given, type_name)
        except UserInputError as error:
            if error.code == "WRONG_ID_TYPE":
                raise argparse.ArgumentTypeError(error.message) from None
            raise argparse.ArgumentTypeError(
                f"{given!r} is neither a {type_name}'s global ID (as the API shows it, e.g. "
                f"in `id`) nor its number."
            ) from None
        return RecordId(type_name, pk, given)

    parse.__name__ = f"{type_name} ID"
    return parse


async def existing(database: Database, option: str, record: RecordId | None) -> int | None:
    """The primary key of the record `option` names (None when it names none);
    a record that does not exist is refused in one line naming the option."""
    if record is None:
        return None
    from sqlalchemy import select

    from resolvers.errors import UserInputError
    from resolvers.records import RECORD_MODELS
    from schema.nodes import NODE_RECORDS

    key = RECORD_MODELS[NODE_RECORDS[record.type_name]].__table__.c["id"]
    async with database.engine.connect() as connection:
        found = await connection.scalar(select(key).where(key == record.pk))
    if found is None:
        raise UserInputError(
            f"{option}: no {record.type_name} has {record.described}.", code="NOT_FOUND"
        )
    return record.pk
