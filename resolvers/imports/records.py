"""Files of records: partners (by name), members (by name and country) and
initiatives (by title and period). Their columns are the API names of the
type's writable fields, checked by the write path's own rules
(`writes.clean`), so a file accepts what `xCreate` and `xUpdate` accept; a
field that refers to another record by id in the API (a member's `region`)
names it in a file.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import Origin, Region
from db.referencedata import normalise
from resolvers.imports.formats import BATCH
from resolvers.imports.kinds import Batch, Entry, Identity, natural_key, shown
from resolvers.writes import WRITABLE, UserError, apply_changes, attributes, clean, created_changes
from resolvers.writes.cleaning import check_years

__all__ = ["INITIATIVES", "MEMBERS", "PARTNERS", "RecordKind", "Reference"]


@dataclass(frozen=True, slots=True)
class Reference:
    """A column that names another record (a member's region by its name or
    slug) where the API takes its id."""

    model: Any
    label: str
    aliases: tuple[str, ...] = ()

    async def labels(self, connection: AsyncConnection | AsyncSession) -> dict[int, str]:
        rows = await connection.execute(select(self.model.id, getattr(self.model, self.label)))
        return {pk: label for pk, label in rows}

    async def ids(self, session: AsyncSession) -> dict[str, int]:
        names = [getattr(self.model, name) for name in (self.label, *self.aliases)]
        found: dict[str, int] = {}
        for pk, *labels in await session.execute(select(self.model.id, *names)):
            found.update((normalise(label), pk) for label in labels if label)
        return found


@dataclass(frozen=True, slots=True)
class RecordKind:
    """A file of records of one writable type."""

    name: str
    type_name: str
    # The fields that name a record, the optional ones last ("period").
    key_fields: tuple[str, ...]
    optional_key_fields: tuple[str, ...] = ()
    references: dict[str, Reference] = field(default_factory=dict)
    example: str = ""

    @property
    def noun(self) -> str:
        return self.type_name.lower()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(attributes(self.type_name))

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.key_fields

    @property
    def key_phrase(self) -> str:
        return " and ".join(self.key_fields + self.optional_key_fields)

    @property
    def columns_are(self) -> str:
        return f"the API names of a {self.noun}'s fields"

    def identify(self, values: Mapping[str, Any]) -> Identity:
        parts = [values.get(name) for name in self.key_fields + self.optional_key_fields]
        missing = [
            UserError(
                ("input", name),
                f"`{name}` is required: a row finds its {self.noun} by {self.key_phrase}.",
                "REQUIRED",
            )
            for name, part in zip(self.key_fields, parts, strict=False)
            if part is None
        ]
        if missing:
            return Identity(None, shown(parts[0]), missing)
        # An optional part the row leaves out matches any value (`_keys_of`).
        key = tuple(natural_key(str(part)) if part is not None else None for part in parts)
        text = shown(parts[0])
        others = [str(part).strip() for part in parts[1:] if part is not None]
        if others:
            text = f"{text} ({', '.join(other[:40] for other in others)})"
        return Identity(key, text, [])

    def _keys_of(self, record: Sequence[Any]) -> list[tuple[str | None, ...]]:
        """The keys rows may name a record by: with every part, and without
        the optional ones (a row giving no period matches on title alone)."""
        key = tuple(natural_key(str(part)) if part is not None else "" for part in record)
        required = len(self.key_fields)
        if required == len(key):
            return [key]
        return [key, key[:required] + (None,) * (len(key) - required)]

    async def open(self, session: AsyncSession, keys: set[Hashable]) -> Batch:
        spec = WRITABLE[self.type_name]
        named = [
            getattr(spec.model, spec.fields[name].attribute)
            for name in self.key_fields + self.optional_key_fields
        ]
        ids: dict[Hashable, list[int]] = {}
        for pk, *parts in await session.execute(select(spec.model.id, *named)):
            for key in self._keys_of(parts):
                if key in keys:
                    ids.setdefault(key, []).append(pk)
        every = sorted({pk for pks in ids.values() for pk in pks})
        by_id: dict[int, Any] = {}
        for start in range(0, len(every), BATCH):
            chunk = every[start : start + BATCH]
            query = select(spec.model).where(spec.model.id.in_(chunk))
            by_id.update((row.id, row) for row in await session.scalars(query))
        existing = {key: [by_id[pk] for pk in pks] for key, pks in ids.items()}
        references = {name: await ref.ids(session) for name, ref in self.references.items()}
        return _RecordBatch(self, session, existing, references)

    async def export_rows(
        self, connection: AsyncConnection, ids: Sequence[int] | None
    ) -> list[dict[str, Any]]:
        spec = WRITABLE[self.type_name]
        columns = attributes(self.type_name)
        selected = [getattr(spec.model, attribute) for attribute in columns.values()]
        labels = {name: await ref.labels(connection) for name, ref in self.references.items()}
        query = select(spec.model.id, *selected).order_by(spec.model.id)
        statements = (
            [query]
            if ids is None
            else [
                query.where(spec.model.id.in_(ids[start : start + BATCH]))
                for start in range(0, len(ids), BATCH)
            ]
        )
        found: dict[int, dict[str, Any]] = {}
        for statement in statements:
            for pk, *values in await connection.execute(statement):
                row = {name: file_value(value) for name, value in zip(columns, values, strict=True)}
                for name, by_id in labels.items():
                    if row.get(name) is not None:
                        row[name] = by_id.get(row[name])
                found[pk] = row
        order = list(found) if ids is None else ids
        return [found[pk] for pk in order if pk in found]


def file_value(value: Any) -> Any:
    # Enums as the API spells them (NGO_FOUNDATION), which the import reads.
    return value.name if isinstance(value, enum.Enum) else value


@dataclass(slots=True)
class _RecordBatch:
    kind: RecordKind
    session: AsyncSession
    existing: dict[Hashable, list[Any]]
    # Per reference column: the normalised names of the records it may name.
    references: dict[str, dict[str, int]]

    def matches(self, key: Hashable) -> list[Any]:
        return self.existing.get(key, [])

    def clean(
        self, values: Mapping[str, Any], existing: Any, *, creating: bool
    ) -> tuple[dict[str, Any], list[UserError]]:
        given = dict(values)
        errors: list[UserError] = []
        unresolved = set()
        for name, ids in self.references.items():
            if name not in given:
                continue
            text = str(given.pop(name))
            pk = ids.get(normalise(text))
            if pk is None:
                reference = self.kind.references[name]
                message = (
                    f"`{name}` {shown(text)!r} names no {reference.model.__name__.lower()}: "
                    f"give its {' or '.join((reference.label, *reference.aliases))}."
                )
                errors.append(UserError(("input", name), message, "NOT_FOUND"))
                unresolved.add(name)
            else:
                given[name] = pk
        cleaned, problems = clean(self.kind.type_name, given, creating=creating)
        # A reference already reported as not found is not also missing.
        errors += [e for e in problems if e.field[1:2] not in {(name,) for name in unresolved}]
        errors += check_years(cleaned, existing)
        return cleaned, errors

    def change(self, existing: Any, cleaned: Mapping[str, Any]) -> list[Entry]:
        changes = apply_changes(self.kind.type_name, existing, cleaned)
        if not changes:
            return []
        existing.version += 1
        return [("import", self.kind.type_name, existing.id, changes)]

    def create(self, cleaned: Mapping[str, Any]) -> Callable[[], list[Entry]]:
        record = WRITABLE[self.kind.type_name].model(**cleaned, origin=Origin.STAFF)
        self.session.add(record)
        changes = created_changes(self.kind.type_name, cleaned)
        return lambda: [("import", self.kind.type_name, record.id, changes)]


PARTNERS = RecordKind(
    "partners",
    "Partner",
    ("name",),
    example='{"name": "...", "kind": "NGO_FOUNDATION"}',
)
MEMBERS = RecordKind(
    "members",
    "Member",
    ("name", "country"),
    references={"region": Reference(Region, "name", ("slug",))},
    example='{"name": "...", "country": "BR", "region": "Americas & Caribbean", "kind": "CITY"}',
)
INITIATIVES = RecordKind(
    "initiatives",
    "Initiative",
    ("title",),
    ("period",),
    example='{"title": "...", "period": "2015-2017", "kind": "PILOT_PROJECT"}',
)
