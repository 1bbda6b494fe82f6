"""What the import engine asks of each type of file (partners, members,
initiatives, links): its columns, how a row names its record (the natural
key), and, for one import, the records the file's keys name, the row checked
and applied (`Batch`). The engine (`upsert`) does the rest the same way for
every type: the report, duplicates, dry runs, atomic imports, the audit log.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.referencedata import normalise
from resolvers.writes import UserError

__all__ = ["KEY_LENGTH", "Batch", "Entry", "Identity", "Kind", "natural_key", "shown"]

# How long a key may be in a report: a 10,000-character name is reported cut.
KEY_LENGTH = 200

# An audit entry an import makes: action, record type, record id, changes.
Entry = tuple[str, str, int, dict[str, list[Any]]]


@dataclass(frozen=True, slots=True)
class Identity:
    """How a row names its record: its natural key (None when the row gives
    none), the key as the report shows it, and what the row lacks to name one."""

    key: Hashable | None
    shown: str | None
    missing: list[UserError]


class Batch(Protocol):
    """One import's view of the database: the records the file names and the
    records they refer to, read once, and each row checked and applied."""

    def matches(self, key: Hashable) -> list[Any]:
        """The existing records with this natural key (two or more: ambiguous)."""

    def clean(
        self, values: Mapping[str, Any], existing: Any, *, creating: bool
    ) -> tuple[dict[str, Any], list[UserError]]:
        """The row's values checked by the write path's rules; every problem."""

    def change(self, existing: Any, cleaned: Mapping[str, Any]) -> list[Entry]:
        """Apply the cleaned values to an existing record; the audit entries
        (none when nothing changed)."""

    def create(self, cleaned: Mapping[str, Any]) -> Callable[[], list[Entry]]:
        """Add a new record to the session; its audit entries, once flushed."""


class Kind(Protocol):
    """A type of import file."""

    @property
    def name(self) -> str:
        """The list's name in commands and files ("members")."""

    @property
    def noun(self) -> str:
        """One of the list ("member")."""

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns (CSV) or keys (JSON) a file may give, in export order."""

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns a CSV header must name: rows find their record by them."""

    @property
    def key_phrase(self) -> str:
        """How rows find their record, for messages ("name and country")."""

    @property
    def columns_are(self) -> str:
        """What the columns are, for messages ("the API names of a member's fields")."""

    @property
    def example(self) -> str:
        """A JSON item, for the message that refuses a file that is no list."""

    def identify(self, values: Mapping[str, Any]) -> Identity: ...

    async def open(self, session: AsyncSession, keys: set[Hashable]) -> Batch: ...

    async def export_rows(
        self, connection: AsyncConnection, ids: Sequence[int] | None
    ) -> list[dict[str, Any]]:
        """The records with these ids (all of them for None), in this order,
        as rows of an import file."""


def natural_key(name: str) -> str:
    """How a row finds its record by a name: the name `normalise`d (accents,
    case and punctuation folded). `normalise` keeps only a-z and 0-9, so the
    letters it drops (北京, the Ł of Łódź) are added back: otherwise unrelated
    names in other scripts would share a key, and one row would overwrite
    another record."""
    dropped = "".join(
        char
        for char in unicodedata.normalize("NFKD", name.casefold())
        if char.isalnum() and not char.isascii() and not unicodedata.combining(char)
    )
    key = f"{normalise(name)} {dropped}".strip()
    return key or name.strip().casefold()


def shown(value: Any) -> str | None:
    """A row's name as its report shows it: stripped, cut when very long."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    return text if len(text) <= KEY_LENGTH else text[:KEY_LENGTH] + "…"
