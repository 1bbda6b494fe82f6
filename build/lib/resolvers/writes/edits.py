"""Creating, updating, archiving and restoring records: each one transaction
that checks who may do it, validates every field, checks `expectedVersion`,
bumps the version and appends an audit entry (see `resolvers.writes`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IdempotencyRecord, Origin, PartnerInitiative, PartnerRole, Publication
from resolvers.writes.audit import record_change
from resolvers.writes.cleaning import (
    apply_changes,
    check_references,
    check_years,
    clean_fields,
    created_changes,
)
from resolvers.writes.fields import WRITABLE, Writable, read_record
from resolvers.writes.model import (
    ForbiddenError,
    UserError,
    WriteContext,
    WriteResult,
    check_may_write,
)

__all__ = ["create", "set_publication", "update"]


async def _idempotent(
    session: AsyncSession, ctx: WriteContext, operation: str, key: str | None
) -> int | None:
    if key is None:
        return None
    return await session.scalar(
        select(IdempotencyRecord.record_id).where(
            IdempotencyRecord.key_id == ctx.principal.key_id,
            IdempotencyRecord.operation == operation,
            IdempotencyRecord.idempotency_key == key,
        )
    )


async def create(
    ctx: WriteContext,
    type_name: str,
    values: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
    partner_role: PartnerRole = PartnerRole.COLLABORATOR,
) -> WriteResult[Any]:
    """Create a record. Staff create anything; a partner key may only propose
    an initiative, which becomes a draft with the partner linked to it."""
    check_may_write(ctx.principal)
    spec = WRITABLE[type_name]
    proposing = not ctx.principal.is_staff
    if proposing and type_name != "Initiative":
        raise ForbiddenError(f"Only staff keys may create a {type_name}.")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        error = UserError(
            ("idempotencyKey",), "`idempotencyKey` takes 1 to 200 characters.", "INVALID"
        )
        return WriteResult(errors=[error])
    cleaned, errors = clean_fields(spec, values, creating=True)
    errors += check_years(cleaned)
    if proposing:
        cleaned["publication"] = Publication.DRAFT
    operation = f"{type_name}Create"
    async with ctx.database.writer() as session:
        done = await _idempotent(session, ctx, operation, idempotency_key)
        if done is not None:
            # A retry of a create that already applied: answer as the first time.
            return WriteResult(await read_record(session, spec, done))
        errors += await check_references(session, spec, cleaned)
        if errors:
            return WriteResult(errors=errors)
        origin = Origin.STAFF if ctx.principal.is_staff else Origin.PARTNER
        row = spec.model(**cleaned, origin=origin)
        session.add(row)
        await session.flush()
        changes = created_changes(type_name, cleaned)
        record_change(session, ctx, "create", type_name, row.id, changes)
        if proposing:
            assert ctx.principal.partner_id is not None
            session.add(
                PartnerInitiative(
                    partner_id=ctx.principal.partner_id,
                    initiative_id=row.id,
                    role=partner_role,
                    origin=Origin.PARTNER,
                )
            )
            record_change(
                session,
                ctx,
                "link",
                type_name,
                row.id,
                {"partner": [None, ctx.principal.partner_id], "role": [None, partner_role.value]},
            )
        if idempotency_key is not None:
            session.add(
                IdempotencyRecord(
                    key_id=ctx.principal.key_id,
                    idempotency_key=idempotency_key,
                    operation=operation,
                    record_id=row.id,
                )
            )
        record = await read_record(session, spec, row.id)
        await session.commit()
    return WriteResult(record)


async def _load_for_change(
    session: AsyncSession, ctx: WriteContext, spec: Writable, type_name: str, pk: int
) -> Any:
    # Locked until the commit (on PostgreSQL; SQLite's writer holds the whole
    # database): a concurrent edit waits, then sees this one's new version.
    row = await session.get(spec.model, pk, with_for_update=True)
    hidden = (
        row is not None
        and not ctx.principal.is_staff
        and row.publication is not Publication.PUBLISHED
        and not (type_name == "Partner" and row.id == ctx.principal.partner_id)
    )
    return None if hidden else row


def _not_found(type_name: str) -> WriteResult[Any]:
    return WriteResult(
        errors=[UserError(("input", "id"), f"No {type_name} has this ID.", "NOT_FOUND")]
    )


def _conflict(type_name: str, expected: int, current: int) -> WriteResult[Any]:
    message = (
        f"The {type_name} was changed by someone else: you sent expectedVersion {expected}, it "
        f"is now at version {current}. Reload it, reapply your change, and send version {current}."
    )
    return WriteResult(
        errors=[UserError(("input", "expectedVersion"), message, "VERSION_CONFLICT")]
    )


async def update(
    ctx: WriteContext,
    type_name: str,
    pk: int,
    expected_version: int,
    values: Mapping[str, Any],
) -> WriteResult[Any]:
    """Change the fields in `values` if the record is still at `expected_version`."""
    check_may_write(ctx.principal)
    spec = WRITABLE[type_name]
    if not ctx.principal.is_staff:
        if type_name != "Partner" or pk != ctx.principal.partner_id:
            raise ForbiddenError(
                "A partner key may update its own partner profile only."
                if ctx.principal.partner_id
                else f"Only staff keys may update a {type_name}."
            )
        refused = sorted(set(values) - spec.partner_editable)
        if refused:
            return WriteResult(
                errors=[
                    UserError(("input", name), f"`{name}` is changed by staff only.", "FORBIDDEN")
                    for name in refused
                ]
            )
    cleaned, errors = clean_fields(spec, values, creating=False)
    async with ctx.database.writer() as session:
        row = await _load_for_change(session, ctx, spec, type_name, pk)
        if row is None:
            return _not_found(type_name)
        errors += check_years(cleaned, row)
        errors += await check_references(session, spec, cleaned)
        if errors:
            return WriteResult(errors=errors)
        if row.version != expected_version:
            return _conflict(type_name, expected_version, row.version)
        changes = apply_changes(type_name, row, cleaned)
        if changes:
            row.version += 1
            record_change(session, ctx, "update", type_name, pk, changes)
            await session.flush()
        record = await read_record(session, spec, pk)
        await session.commit()
    return WriteResult(record)


async def set_publication(
    ctx: WriteContext,
    type_name: str,
    pk: int,
    expected_version: int,
    publication: Publication,
) -> WriteResult[Any]:
    """Archive (or restore, or publish) a record: staff only."""
    check_may_write(ctx.principal)
    if not ctx.principal.is_staff:
        raise ForbiddenError(f"Only staff keys may archive or restore a {type_name}.")
    action = {Publication.ARCHIVED: "archive", Publication.PUBLISHED: "restore"}.get(
        publication, "update"
    )
    spec = WRITABLE[type_name]
    async with ctx.database.writer() as session:
        row = await session.get(spec.model, pk, with_for_update=True)
        if row is None:
            return _not_found(type_name)
        if row.version != expected_version:
            return _conflict(type_name, expected_version, row.version)
        if row.publication is not publication:
            changes = {"publication": [row.publication.value, publication.value]}
            row.publication = publication
            row.version += 1
            record_change(session, ctx, action, type_name, pk, changes)
            await session.flush()
        record = await read_record(session, spec, pk)
        await session.commit()
    return WriteResult(record)
