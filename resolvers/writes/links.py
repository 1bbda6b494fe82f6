"""Linking members and partners to initiatives, with a role, and unlinking
them: staff only, one transaction each, audited on the initiative."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

import resolvers.writes.validation as v
from db.models import Initiative, Origin
from resolvers.writes.audit import record_change
from resolvers.writes.fields import LINKS, WRITABLE, read_record
from resolvers.writes.model import (
    ForbiddenError,
    UserError,
    WriteContext,
    WriteResult,
    check_may_write,
)

__all__ = ["link", "unlink"]


async def link(
    ctx: WriteContext, kind: str, initiative_id: int, other_id: int, role: Any
) -> WriteResult[Any]:
    """Add (or change the role of) a member's or partner's part in an initiative."""
    return await _change_link(ctx, kind, initiative_id, other_id, role)


async def unlink(
    ctx: WriteContext, kind: str, initiative_id: int, other_id: int
) -> WriteResult[Any]:
    """Remove a member's or partner's part in an initiative."""
    return await _change_link(ctx, kind, initiative_id, other_id, None)


async def _change_link(
    ctx: WriteContext, kind: str, initiative_id: int, other_id: int, role: Any
) -> WriteResult[Any]:
    check_may_write(ctx.principal)
    if not ctx.principal.is_staff:
        raise ForbiddenError("Only staff keys may link and unlink initiatives.")
    link_model, column, other_model, rule = LINKS[kind]
    removing = role is None
    if not removing:
        try:
            role = rule(role)
        except v.InvalidError as error:
            return WriteResult(errors=[UserError(("input", "role"), error.message, error.code)])
    spec = WRITABLE["Initiative"]
    async with ctx.database.writer() as session:
        errors = []
        # Locked: concurrent links to one initiative take turns (PostgreSQL).
        if await session.get(Initiative, initiative_id, with_for_update=True) is None:
            errors.append(UserError(("input", "initiativeId"), "No such initiative.", "NOT_FOUND"))
        if await session.get(other_model, other_id) is None:
            errors.append(UserError(("input", f"{kind}Id"), f"No such {kind}.", "NOT_FOUND"))
        if errors:
            return WriteResult(errors=errors)
        existing = await session.get(link_model, {column: other_id, "initiative_id": initiative_id})
        if removing:
            if existing is None:
                missing = UserError(
                    ("input", f"{kind}Id"), f"The {kind} is not linked to it.", "NOT_FOUND"
                )
                return WriteResult(errors=[missing])
            changes = {kind: [other_id, None], "role": [existing.role.value, None]}
            await session.execute(
                delete(link_model).where(
                    getattr(link_model, column) == other_id,
                    link_model.initiative_id == initiative_id,
                )
            )
            record_change(session, ctx, "unlink", "Initiative", initiative_id, changes)
        elif existing is None or existing.role is not role:
            before = existing.role.value if existing is not None else None
            if existing is None:
                session.add(
                    link_model(
                        **{column: other_id},
                        initiative_id=initiative_id,
                        role=role,
                        origin=Origin.STAFF,
                    )
                )
            else:
                existing.role = role
            changes = {kind: [None if existing is None else other_id, other_id]}
            changes["role"] = [before, role.value]
            record_change(session, ctx, "link", "Initiative", initiative_id, changes)
        await session.flush()
        record = await read_record(session, spec, initiative_id)
        await session.commit()
    return WriteResult(record)
