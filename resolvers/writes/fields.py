"""The writable types: for each, its model and record, its fields with the
rule that checks each and the record it references, what a partner key may
change, and the defaults derived from other fields; and the links between
initiatives and members or partners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import resolvers.writes.validation as v
from db.models import (
    Confidence,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Member,
    MemberInitiative,
    MemberKind,
    MemberRole,
    MemberStatus,
    Partner,
    PartnerInitiative,
    PartnerKind,
    PartnerRole,
    Publication,
    Region,
)
from resolvers.records import InitiativeRecord, MemberRecord, PartnerRecord, columns, from_row

__all__ = ["LINKS", "WRITABLE", "Field", "Writable", "read_record", "references"]


@dataclass(frozen=True, slots=True)
class Field:
    """A writable field: the model attribute it sets and the rule that checks it."""

    attribute: str
    rule: v.Rule
    required: bool = False
    # A reference: the model whose row the value (a primary key) must name.
    references: Any = None


@dataclass(frozen=True, slots=True)
class Writable:
    """A writable type: its model, its record, and its fields by API name."""

    model: Any
    record: type[Any]
    fields: dict[str, Field]
    # What a partner key may change on its own partner record.
    partner_editable: frozenset[str] = frozenset()
    # Fields filled from others when left out: field -> (source field, function).
    defaults: dict[str, tuple[str, Callable[[Any], Any]]] = field(default_factory=dict)


def _provenance() -> dict[str, Field]:
    return {
        "sources": Field("source_urls", v.urls),
        "confidence": Field("confidence", v.enum_value(Confidence)),
        "publication": Field("publication", v.enum_value(Publication)),
    }


WRITABLE: dict[str, Writable] = {
    "Member": Writable(
        Member,
        MemberRecord,
        {
            "name": Field("name", v.text(200, required=True), required=True),
            "shortName": Field("short_name", v.text(200)),
            "country": Field("country_code", v.country_code, required=True),
            "countryName": Field("country_name", v.text(100)),
            "region": Field("region_id", lambda pk: pk, required=True, references=Region),
            "kind": Field("kind", v.enum_value(MemberKind, required=True), required=True),
            "status": Field("status", v.enum_value(MemberStatus)),
            "joinedYear": Field("joined_year", v.year),
            "latitude": Field("latitude", v.latitude),
            "longitude": Field("longitude", v.longitude),
            "population": Field("population", v.non_negative),
            "website": Field("website", v.url),
            "evidence": Field("evidence", v.text(2000)),
            **_provenance(),
        },
        defaults={
            "shortName": ("name", lambda name: name.split(" (", 1)[0]),
            "countryName": ("country", v.country_name),
        },
    ),
    "Partner": Writable(
        Partner,
        PartnerRecord,
        {
            "name": Field("name", v.text(200, required=True), required=True),
            "kind": Field("kind", v.enum_value(PartnerKind, required=True), required=True),
            "sector": Field("sector", v.text(200)),
            "country": Field("country_code", v.country_code),
            "website": Field("website", v.url),
            "description": Field("description", v.text(5000)),
            "period": Field("period", v.text(64)),
            "latitude": Field("latitude", v.latitude),
            "longitude": Field("longitude", v.longitude),
            "contactName": Field("contact_name", v.text(200)),
            "contactEmail": Field("contact_email", v.email),
            "contactPhone": Field("contact_phone", v.text(64)),
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
    "Initiative": Writable(
        Initiative,
        InitiativeRecord,
        {
            "title": Field("title", v.text(300, required=True), required=True),
            "kind": Field("kind", v.enum_value(InitiativeKind, required=True), required=True),
            "period": Field("period", v.text(200)),
            "startYear": Field("start_year", v.year),
            "endYear": Field("end_year", v.year),
            "status": Field("status", v.enum_value(InitiativeStatus)),
            "summary": Field("summary", v.text(5000)),
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


async def read_record(session: AsyncSession, spec: Writable, pk: int) -> Any:
    """The record as the write answers with it, read in the write's transaction."""
    row = (await session.execute(select(*columns(spec.record)).where(spec.model.id == pk))).one()
    return from_row(spec.record)(row)
