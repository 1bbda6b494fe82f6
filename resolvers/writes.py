"""The write path: create, update, archive and restore records, and link them.

Every write is one transaction that takes SQLite's write lock up front (so
concurrent writers wait their turn instead of failing), checks who may do it,
validates every field (reporting all problems as `UserError`s), checks the
caller's `expectedVersion` against the record's, bumps the version and
appends an audit entry with the before and after of each changed field.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.models import (
    Confidence,
    IdempotencyRecord,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Member,
    MemberInitiative,
    MemberKind,
    MemberRole,
    MemberStatus,
    Origin,
    Partner,
    PartnerInitiative,
    PartnerKind,
    PartnerRole,
    Publication,
    Region,
)
from resolvers import validation as v
from resolvers.audit import record_change
from resolvers.keys import Principal
from resolvers.records import InitiativeRecord, MemberRecord, PartnerRecord, columns, from_row

__all__ = [
    "ForbiddenError",
    "UserError",
    "WriteContext",
    "WriteResult",
    "apply_changes",
    "attributes",
    "clean",
    "create",
    "created_changes",
    "link",
    "references",
    "set_publication",
    "unlink",
    "update",
]

R = TypeVar("R")


class ForbiddenError(Exception):
    """The principal may not do this at all (a top-level error, not a userError)."""


@dataclass(frozen=True, slots=True)
class UserError:
    """A problem with the input: where (`field` path), what, and a stable code."""

    field: tuple[str, ...]
    message: str
    code: str


@dataclass(slots=True)
class WriteResult(Generic[R]):
    record: R | None = None
    errors: list[UserError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WriteContext:
    database: Database
    principal: Principal
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Field:
    attribute: str
    rule: v.Rule
    required: bool = False
    # A reference: the model whose row the value (a primary key) must name.
    references: Any = None


@dataclass(frozen=True, slots=True)
class _Writable:
    model: Any
    record: type[Any]
    fields: dict[str, _Field]
    # What a partner key may change on its own partner record.
    partner_editable: frozenset[str] = frozenset()
    # Fields filled from others when left out: field -> (source field, function).
    defaults: dict[str, tuple[str, Callable[[Any], Any]]] = field(default_factory=dict)


def _provenance() -> dict[str, _Field]:
    return {
        "sources": _Field("source_urls", v.urls),
        "confidence": _Field("confidence", v.enum_value(Confidence)),
        "publication": _Field("publication", v.enum_value(Publication)),
    }


WRITABLE: dict[str, _Writable] = {
    "Member": _Writable(
        Member,
        MemberRecord,
        {
            "name": _Field("name", v.text(200, required=True), required=True),
            "shortName": _Field("short_name", v.text(200)),
            "country": _Field("country_code", v.country_code, required=True),
            "countryName": _Field("country_name", v.text(100)),
            "region": _Field("region_id", lambda pk: pk, required=True, references=Region),
            "kind": _Field("kind", v.enum_value(MemberKind, required=True), required=True),
            "status": _Field("status", v.enum_value(MemberStatus)),
            "joinedYear": _Field("joined_year", v.year),
            "latitude": _Field("latitude", v.latitude),
            "longitude": _Field("longitude", v.longitude),
            "population": _Field("population", v.non_negative),
            "website": _Field("website", v.url),
            "evidence": _Field("evidence", v.text(2000)),
            **_provenance(),
        },
        defaults={
            "shortName": ("name", lambda name: name.split(" (", 1)[0]),
            "countryName": ("country", v.country_name),
        },
    ),
    "Partner": _Writable(
        Partner,
        PartnerRecord,
        {
            "name": _Field("name", v.text(200, required=True), required=True),
            "kind": _Field("kind", v.enum_value(PartnerKind, required=True), required=True),
            "sector": _Field("sector", v.text(200)),
            "country": _Field("country_code", v.country_code),
            "website": _Field("website", v.url),
            "description": _Field("description", v.text(5000)),
            "period": _Field("period", v.text(64)),
            "latitude": _Field("latitude", v.latitude),
            "longitude": _Field("longitude", v.longitude),
            "contactName": _Field("contact_name", v.text(200)),
            "contactEmail": _Field("contact_email", v.email),
            "contactPhone": _Field("contact_phone", v.text(64)),
            **_provenance(),
        },
        partner_editable=frozenset(
            {
                "name",
                "sector",
                "country",
                "website",
                "description",
                "latitude",
                "longitude",
                "contactName",
                "contactEmail",
                "contactPhone",
            }
        ),
    ),
    "Initiative": _Writable(
        Initiative,
        InitiativeRecord,
        {
            "title": _Field("title", v.text(300, required=True), required=True),
            "kind": _Field("kind", v.enum_value(InitiativeKind, required=True), required=True),
            "period": _Field("period", v.text(100)),
            "startYear": _Field("start_year", v.year),
            "endYear": _Field("end_year", v.year),
            "status": _Field("status", v.enum_value(InitiativeStatus)),
            "summary": _Field("summary", v.text(5000)),
            **_provenance(),
        },
    ),
}

LINKS: dict[str, tuple[Any, str, Any, v.Rule]] = {
    "member": (MemberInitiative, "member_id", Member, v.enum_value(MemberRole, required=True)),
    "partner": (
        PartnerInitiative,
        "partner_id",
        Partner,
        v.enum_value(PartnerRole, required=True),
    ),
}


def references(type_name: str) -> dict[str, Any]:
    """The fields of a type's audit entries whose values are other records'
    ids, with the model of each: its reference fields (a member's region) and,
    for initiatives, the member or partner a link or unlink names."""
    found = {
        name: item.references
        for name, item in WRITABLE[type_name].fields.items()
        if item.references is not None
    }
    if type_name == "Initiative":
        found.update({kind: model for kind, (_, _, model, _) in LINKS.items()})
    return found


def _denied(message: str) -> ForbiddenError:
    return ForbiddenError(message)


def _check_may_write(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise _denied("Writes need an API key: send `Authorization: Bearer <key>`.")


def _clean(
    spec: _Writable, values: Mapping[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[UserError]]:
    """Validated attribute values, and every problem found."""
    cleaned: dict[str, Any] = {}
    errors: list[UserError] = []
    for name, item in spec.fields.items():
        if name not in values:
            if creating and item.required:
                errors.append(UserError(("input", name), f"`{name}` is required.", "REQUIRED"))
            continue
        try:
            cleaned[item.attribute] = item.rule(values[name])
        except v.InvalidError as error:
            errors.append(UserError(("input", name), f"`{name}` {error.message}", error.code))
        except (TypeError, ValueError) as error:
            errors.append(UserError(("input", name), f"`{name}` is not valid: {error}", "INVALID"))
        else:
            if cleaned[item.attribute] is None and not _nullable(spec, item):
                if creating and not item.required:
                    del cleaned[item.attribute]  # the column's default applies
                else:
                    message = f"`{name}` cannot be empty."
                    errors.append(UserError(("input", name), message, "REQUIRED"))
    for name, (source, derive) in spec.defaults.items():
        attribute, source_attribute = spec.fields[name].attribute, spec.fields[source].attribute
        if creating and cleaned.get(attribute) is None and cleaned.get(source_attribute):
            cleaned[attribute] = derive(cleaned[source_attribute])
    return cleaned, errors


def clean(
    type_name: str, values: Mapping[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[UserError]]:
    """`values` (by API field name) checked as `create` (`creating`) or `update`
    check them: the model's attribute values, and every problem found."""
    return _clean(WRITABLE[type_name], values, creating=creating)


def attributes(type_name: str) -> dict[str, str]:
    """A type's writable fields: API name -> model attribute, in input order."""
    return {name: item.attribute for name, item in WRITABLE[type_name].fields.items()}


def created_changes(type_name: str, cleaned: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The audit log's before (none) and after of each field a new record sets."""
    return {
        name: [None, _plain(cleaned[item.attribute])]
        for name, item in WRITABLE[type_name].fields.items()
        if cleaned.get(item.attribute) is not None
    }


def apply_changes(type_name: str, row: Any, cleaned: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set on `row` the cleaned values that differ from its own; the audit log's
    before and after of each (empty when nothing changed)."""
    changes = {}
    for name, item in WRITABLE[type_name].fields.items():
        if item.attribute in cleaned and getattr(row, item.attribute) != cleaned[item.attribute]:
            changes[name] = [_plain(getattr(row, item.attribute)), _plain(cleaned[item.attribute])]
            setattr(row, item.attribute, cleaned[item.attribute])
    return changes


def _nullable(spec: _Writable, item: _Field) -> bool:
    return bool(spec.model.__table__.c[item.attribute].nullable)


async def _check_references(
    session: AsyncSession, spec: _Writable, cleaned: Mapping[str, Any]
) -> list[UserError]:
    errors = []
    for name, item in spec.fields.items():
        if item.references is None or cleaned.get(item.attribute) is None:
            continue
        if await session.get(item.references, cleaned[item.attribute]) is None:
            errors.append(
                UserError(("input", name), f"`{name}` names no existing record.", "NOT_FOUND")
            )
    return errors


def _check_years(cleaned: Mapping[str, Any], row: Any = None) -> list[UserError]:
    start = cleaned.get("start_year", getattr(row, "start_year", None))
    end = cleaned.get("end_year", getattr(row, "end_year", None))
    if start is not None and end is not None and end < start:
        return [
            UserError(
                ("input", "endYear"),
                f"`endYear` ({end}) is before `startYear` ({start}).",
                "OUT_OF_RANGE",
            )
        ]
    return []


async def _read(session: AsyncSession, spec: _Writable, pk: int) -> Any:
    row = (await session.execute(select(*columns(spec.record)).where(spec.model.id == pk))).one()
    return from_row(spec.record)(row)


def _plain(value: Any) -> Any:
    """A value as it goes into the audit log's JSON."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


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
    _check_may_write(ctx.principal)
    spec = WRITABLE[type_name]
    proposing = not ctx.principal.is_staff
    if proposing and type_name != "Initiative":
        raise _denied(f"Only staff keys may create a {type_name}.")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        error = UserError(
            ("idempotencyKey",), "`idempotencyKey` takes 1 to 200 characters.", "INVALID"
        )
        return WriteResult(errors=[error])
    cleaned, errors = _clean(spec, values, creating=True)
    errors += _check_years(cleaned)
    if proposing:
        cleaned["publication"] = Publication.DRAFT
    operation = f"{type_name}Create"
    async with ctx.database.writer() as session:
        done = await _idempotent(session, ctx, operation, idempotency_key)
        if done is not None:
            # A retry of a create that already applied: answer as the first time.
            return WriteResult(await _read(session, spec, done))
        errors += await _check_references(session, spec, cleaned)
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
        record = await _read(session, spec, row.id)
        await session.commit()
    return WriteResult(record)


async def _load_for_change(
    session: AsyncSession, ctx: WriteContext, spec: _Writable, type_name: str, pk: int
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
    _check_may_write(ctx.principal)
    spec = WRITABLE[type_name]
    if not ctx.principal.is_staff:
        if type_name != "Partner" or pk != ctx.principal.partner_id:
            raise _denied(
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
    cleaned, errors = _clean(spec, values, creating=False)
    async with ctx.database.writer() as session:
        row = await _load_for_change(session, ctx, spec, type_name, pk)
        if row is None:
            return _not_found(type_name)
        errors += _check_years(cleaned, row)
        errors += await _check_references(session, spec, cleaned)
        if errors:
            return WriteResult(errors=errors)
        if row.version != expected_version:
            return _conflict(type_name, expected_version, row.version)
        changes = apply_changes(type_name, row, cleaned)
        if changes:
            row.version += 1
            record_change(session, ctx, "update", type_name, pk, changes)
            await session.flush()
        record = await _read(session, spec, pk)
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
    _check_may_write(ctx.principal)
    if not ctx.principal.is_staff:
        raise _denied(f"Only staff keys may archive or restore a {type_name}.")
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
        record = await _read(session, spec, pk)
        await session.commit()
    return WriteResult(record)


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
    _check_may_write(ctx.principal)
    if not ctx.principal.is_staff:
        raise _denied("Only staff keys may link and unlink initiatives.")
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
        record = await _read(session, spec, initiative_id)
        await session.commit()
    return WriteResult(record)
