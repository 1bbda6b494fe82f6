"""History: the audit log of changes, per record and as one feed (staff only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from resolvers.records import InitiativeRecord, MemberRecord, PartnerRecord
from schema.context import Info
from schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First, related
from schema.permissions import StaffOnly

__all__ = ["Change", "FieldChange", "Historic", "field_changes", "global_id"]

HISTORIES = {
    MemberRecord: "member.history",
    PartnerRecord: "partner.history",
    InitiativeRecord: "initiative.history",
}


@strawberry.type(description="One field's value before and after a change.")
class FieldChange:
    field: str = strawberry.field(description="The field, by its API name.")
    before: JSON | None = strawberry.field(description="The value before (null: none).")
    after: JSON | None = strawberry.field(description="The value after (null: none).")


@strawberry.type(description="One change to one record, from the append-only audit log.")
class Change:
    id: int = strawberry.field(description="The change's number: later changes have larger ones.")
    at: datetime = strawberry.field(description="When it was made (UTC).")
    actor: str = strawberry.field(
        description="The name of the API key that made it, or of the CLI and its user."
    )
    action: str = strawberry.field(
        description="What was done: create, update, import, archive, restore, link or unlink."
    )
    record_type: str = strawberry.field(description="The changed record's type.")
    record_id: strawberry.Private[int]
    changes: strawberry.Private[dict[str, list[Any]]]
    request_id: str | None = strawberry.field(
        description="The request that made it (also in the server's logs)."
    )

    @strawberry.field(description="The changed record's global ID.")
    def record(self) -> strawberry.ID:
        return global_id(self.record_type, self.record_id)

    @strawberry.field(name="fields", description="What changed, field by field.")
    def field_changes(self) -> list[FieldChange]:
        return field_changes(self.changes)


def global_id(record_type: str, record_id: int) -> strawberry.ID:
    return strawberry.ID(str(relay.GlobalID(record_type, str(record_id))))


def field_changes(changes: dict[str, list[Any]]) -> list[FieldChange]:
    return [
        FieldChange(field=name, before=before, after=after)
        for name, (before, after) in changes.items()
    ]


@strawberry.type
class Historic:
    """Base of editable record types: their `history`."""

    @strawberry.field(
        description="Every change to this record, oldest first. Staff keys only.",
        permission_classes=[StaffOnly],
    )
    def history(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Change] | None:
        # `self` is the record this type is read from (see schema/nodes.py).
        relation = HISTORIES[type(self)]
        return related(info, relation, self.id, first, after)  # type: ignore[attr-defined]
