"""Light, slotted records that reads return instead of ORM entities.

Each record type lists the table columns it is read from, in field order, so a
SQL Core row turns into a record positionally without hydrating the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Row
from sqlalchemy.orm import InstrumentedAttribute

from db.models import (
    ActionPlan,
    AuditEntry,
    Base,
    Confidence,
    FocusArea,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Member,
    MemberKind,
    MemberStatus,
    Objective,
    Origin,
    Partner,
    PartnerKind,
    Publication,
    Region,
    SectionKind,
    UclgSection,
)

__all__ = [
    "RECORD_MODELS",
    "ActionPlanRecord",
    "AuditRecord",
    "FocusAreaRecord",
    "InitiativeRecord",
    "Link",
    "MemberRecord",
    "ObjectiveRecord",
    "PartnerRecord",
    "RegionRecord",
    "SectionRecord",
    "columns",
    "default_order",
    "from_row",
    "partial_from_row",
    "read_names",
]

R = TypeVar("R")
RoleT = TypeVar("RoleT")


@dataclass(slots=True)
class RegionRecord:
    id: int
    slug: str
    name: str
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


@dataclass(slots=True)
class MemberRecord:
    id: int
    name: str
    short_name: str
    country_code: str
    country_name: str
    region_id: int
    secretariat_region: str | None
    kind: MemberKind
    status: MemberStatus
    joined_year: int | None
    statement_year: int | None
    evidence: str | None
    latitude: float | None
    longitude: float | None
    population: int | None
    geonames_id: int | None
    geocoded_city: str | None
    website: str | None
    version: int
    publication: Publication
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


@dataclass(slots=True)
class SectionRecord:
    id: int
    name: str
    full_name: str
    kind: SectionKind
    area: str
    seat_city: str | None
    seat_country: str | None
    seat_member_id: int | None
    seat_note: str | None
    version: int
    publication: Publication
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


@dataclass(slots=True)
class PartnerRecord:
    id: int
    name: str
    kind: PartnerKind
    sector: str | None
    country_code: str | None
    website: str | None
    description: str | None
    period: str | None
    latitude: float | None
    longitude: float | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    version: int
    publication: Publication
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


@dataclass(slots=True)
class InitiativeRecord:
    id: int
    title: str
    kind: InitiativeKind
    period: str | None
    start_year: int | None
    end_year: int | None
    status: InitiativeStatus
    summary: str | None
    version: int
    publication: Publication
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


@dataclass(slots=True)
class FocusAreaRecord:
    id: int
    slug: str
    name: str
    description: str
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


@dataclass(slots=True)
class ActionPlanRecord:
    id: int
    title: str
    start_year: int
    end_year: int
    summary: str | None
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


@dataclass(slots=True)
class ObjectiveRecord:
    id: int
    action_plan_id: int
    position: int
    text: str
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


@dataclass(slots=True)
class AuditRecord:
    """One change to one record."""

    id: int
    at: datetime
    actor: str
    action: str
    record_type: str
    record_id: int
    changes: dict[str, list[Any]]
    request_id: str | None


@dataclass(slots=True)
class Link(Generic[R, RoleT]):
    """An edge of the network graph: its cursor in the list it was read from,
    the node at its far end, the role or relationship the edge states, and the
    edge's own provenance."""

    cursor: str
    node: R
    role: RoleT
    source_urls: list[str]
    confidence: Confidence
    origin: Origin


RECORD_MODELS: dict[type[Any], type[Base]] = {
    AuditRecord: AuditEntry,
    RegionRecord: Region,
    MemberRecord: Member,
    SectionRecord: UclgSection,
    PartnerRecord: Partner,
    InitiativeRecord: Initiative,
    FocusAreaRecord: FocusArea,
    ActionPlanRecord: ActionPlan,
    ObjectiveRecord: Objective,
}


def columns(record: type[Any]) -> list[InstrumentedAttribute[Any]]:
    """The model columns a record type is read from, in its field order."""
    model = RECORD_MODELS[record]
    return [getattr(model, field.name) for field in fields(record)]


def from_row(record: type[R], start: int = 0) -> Callable[[Row[Any]], R]:
    """Builds a record from `row[start:start + len(fields)]`."""
    end = start + len(fields(record))  # type: ignore[arg-type]
    if start == 0:
        return lambda row: record(*row[:end])
    return lambda row: record(*row[start:end])


def read_names(record: type[Any], reads: Any, always: Iterable[str] = ()) -> list[str]:
    """The attributes of `record` a page reads, in field order: those `reads`
    names (a `resolvers.pagination.Reads`), its id and `always`; all of them
    when `reads` is None or names an attribute the record does not have."""
    names = [field.name for field in fields(record)]
    if reads is None or not reads.attributes <= set(names):
        return names
    wanted = reads.attributes | {"id", *always}
    return [name for name in names if name in wanted]


def partial_from_row(record: type[R], names: Sequence[str]) -> Callable[[Sequence[Any]], R]:
    """Builds a record from a row of only some of its columns, `names`, in that
    order: the attributes not read are left unset, so that reading one fails."""
    build: Callable[[Sequence[Any]], R] = _partial_from_row(record, tuple(names))  # type: ignore[arg-type]
    return build


@lru_cache(maxsize=1024)
def _partial_from_row(record: type[Any], names: tuple[str, ...]) -> Callable[[Sequence[Any]], Any]:
    if list(names) == [field.name for field in fields(record)]:
        return lambda row: record(*row[: len(names)])
    # Unrolled, as dataclasses writes its __init__: a loop costs twice as much
    # a row. Assigned as attributes, which the interpreter specialises for
    # slots: half the cost of calling each slot's `__set__`.
    namespace: dict[str, Any] = {"new": record.__new__, "record": record}
    lines = ["def build(row):", "    item = new(record)"]
    lines += [f"    item.{name} = row[{at}]" for at, name in enumerate(names)]
    lines.append("    return item")
    exec("\n".join(lines), namespace)  # the names are the record's own fields
    build: Callable[[Sequence[Any]], R] = namespace["build"]
    return build


def default_order(record: type[Any]) -> tuple[str, ...]:
    """The columns a list of `record` is sorted by: its position, name or title,
    with the id as the tie-breaker."""
    names = {field.name for field in fields(record)}
    for label in ("position", "name", "title"):
        if label in names:
            return (label, "id")
    return ("id",)
