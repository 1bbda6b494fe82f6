"""Live changes: the audit log read as a stream, resumable from a cursor.

The audit log is the only source of events; notifications carry nothing but
"the log has grown" (resolvers/signals.py). One reader per process, the change
feed (resolvers/feed.py), reads the log after each notification and every
`poll_seconds` in any case (for writes made where no notification is sent,
such as `metrohub import`), and hands what it read to every stream. Events
come out in the order of their audit entry ids, each once: a stream's cursor
only moves forward, so a reconnect with the last cursor received misses
nothing and repeats nothing. An entry seen before an earlier id has committed
waits for it (see `feed.settled`).

Each stream shows its principal what its queries would: changes to records it
may see now, and only those that name no record it may not see (a link to a
draft partner is not streamed to those who cannot see the draft), with
contact details for partner and staff keys and the actor for staff.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry
from resolvers.access.keys import Principal
from resolvers.access.visibility import audience, sees_all, where_visible
from resolvers.errors import UserInputError
from resolvers.feed import BATCH, ChangeFeed, read_entries
from resolvers.signals import ChangeSignal, LocalSignal, RedisSignal, change_signal
from resolvers.writes import WRITABLE, references

__all__ = [
    "CHANGE_TYPES",
    "ChangeEvent",
    "ChangeFeed",
    "ChangeSignal",
    "LocalSignal",
    "RedisSignal",
    "change_signal",
    "change_stream",
    "parse_cursor",
    "parse_types",
]

# The record types whose changes are streamed.
CHANGE_TYPES = tuple(WRITABLE)
# Fields of a change that only partner and staff keys may read (as on `Partner.contact`).
CONTACT_FIELDS = frozenset({"contactName", "contactEmail", "contactPhone"})


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One audit entry as a subscriber may see it."""

    id: int
    at: datetime
    action: str
    record_type: str
    record_id: int
    changes: dict[str, list[Any]]
    actor: str | None
    request_id: str | None

    @property
    def cursor(self) -> str:
        return str(self.id)


def parse_cursor(since: str | None) -> int:
    """The audit entry id a cursor stands for; 0 (from the start) for none."""
    if since is None:
        return 0
    if not since.isdigit() or len(since) > 18:
        raise UserInputError(
            f"`since` {since[:40]!r} is not a cursor: pass the `cursor` of the last change "
            "received, or leave it out to start from the oldest change.",
            code="INVALID_CURSOR",
        )
    return int(since)


def parse_types(types: Iterable[str] | None) -> tuple[str, ...]:
    """The record types asked for, checked; all of them for none."""
    chosen = tuple(dict.fromkeys(types or ()))
    unknown = [name for name in chosen if name not in CHANGE_TYPES]
    if unknown:
        raise UserInputError(
            f"No changes are recorded for {', '.join(map(repr, unknown))}: "
            f"choose from {', '.join(CHANGE_TYPES)}.",
            code="INVALID_TYPE",
        )
    return chosen or CHANGE_TYPES


async def change_stream(
    feed: ChangeFeed, principal: Principal, types: tuple[str, ...], after: int
) -> AsyncGenerator[ChangeEvent, None]:
    """The changes to records of `types` after audit entry `after` that
    `principal` may see, oldest first, then each new one as it is made."""
    database = feed.database
    cursor = after
    while True:
        async with feed.subscribe() as subscription:
            # From the log, up to where the feed stood when this stream joined it.
            while cursor < subscription.joined:
                entries = await read_entries(database, cursor, upto=subscription.joined)
                cursor = entries[-1].id if len(entries) == BATCH else subscription.joined
                wanted = [entry for entry in entries if entry.record_type in types]
                if wanted:
                    hidden = await _hidden(database, principal, wanted)
                    for event in _events(wanted, hidden, principal):
                        yield event
            # Then from the feed, which hands out every entry after that.
            async for batch in subscription:
                entries = [entry for entry in batch.entries if entry.id > cursor]
                if not entries:
                    continue
                cursor = entries[-1].id
                wanted = [entry for entry in entries if entry.record_type in types]
                if not wanted:
                    continue
                # Worked out once per batch for every stream that sees as this one does.
                hidden = await batch.shared(
                    (_hidden, audience(principal)),
                    functools.partial(_hidden, database, principal, batch.entries),
                )
                for event in _events(wanted, hidden, principal):
                    yield event
        # The feed let this stream go, for falling behind: it catches up again.


def _named(entry: AuditEntry) -> Iterable[tuple[Any, int]]:
    """The records an entry names, by model and id: its own, and each record a
    field of the change refers to (the partner a link adds, a member's region)."""
    yield WRITABLE[entry.record_type].model, entry.record_id
    for name, model in references(entry.record_type).items():
        for value in entry.changes.get(name) or ():
            if isinstance(value, int) and not isinstance(value, bool):
                yield model, value


async def _hidden(
    database: Database, principal: Principal, entries: list[AuditEntry]
) -> frozenset[tuple[Any, int]]:
    """The records named in `entries` that `principal` may not see now (the rule
    of every read)."""
    named: dict[Any, set[int]] = defaultdict(set)
    for entry in entries:
        for model, pk in _named(entry):
            named[model].add(pk)
    queries = [
        (model, ids, where_visible(select(model.id).where(model.id.in_(ids)), model, principal))
        for model, ids in named.items()
        if not sees_all(model, principal)
    ]
    if not queries:
        return frozenset()
    hidden: set[tuple[Any, int]] = set()
    async with database.engine.connect() as connection:
        for model, ids, query in queries:
            seen = set((await connection.execute(query)).scalars())
            hidden.update((model, pk) for pk in ids - seen)
    return frozenset(hidden)


def _events(
    entries: list[AuditEntry], hidden: frozenset[tuple[Any, int]], principal: Principal
) -> list[ChangeEvent]:
    """The entries as `principal` may see them: none that names a hidden record
    (a link without its partner would say nothing true), contact details for
    partner and staff keys only, the actor for staff."""
    return [
        ChangeEvent(
            id=entry.id,
            at=entry.at,
            action=entry.action,
            record_type=entry.record_type,
            record_id=entry.record_id,
            changes={
                name: values
                for name, values in entry.changes.items()
                if principal.is_partner_or_staff or name not in CONTACT_FIELDS
            },
            actor=entry.actor if principal.is_staff else None,
            request_id=entry.request_id if principal.is_staff else None,
        )
        for entry in entries
        if not hidden or hidden.isdisjoint(_named(entry))
    ]
