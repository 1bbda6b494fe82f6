"""The edges of the network graph, each as one SQL query over all parents.

A relation selects the far end's columns (as its record type), then the
edge's own columns labelled `link_*`, then the near end's id as `parent`.
`fetch_pages` turns that into the same page of every parent's list in one
statement, so a relation costs one statement per level of a query.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Select, null, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import QueryableAttribute

from db.models import (
    AuditEntry,
    FocusArea,
    Initiative,
    InitiativeFocusArea,
    InitiativeObjective,
    Member,
    MemberInitiative,
    MemberSection,
    Objective,
    Partner,
    PartnerFocusArea,
    PartnerInitiative,
    PartnerMember,
    UclgSection,
)
from resolvers.pagination import Edge, EdgeBuilder
from resolvers.records import (
    AuditRecord,
    FocusAreaRecord,
    InitiativeRecord,
    Link,
    MemberRecord,
    ObjectiveRecord,
    PartnerRecord,
    SectionRecord,
    columns,
    from_row,
)

__all__ = ["RELATIONS", "Relation"]

Column = ColumnElement[Any] | QueryableAttribute[Any]


@dataclass(frozen=True, slots=True)
class Relation:
    """One direction of an edge: its query, sort order and row builder."""

    name: str
    record: type[Any]
    query: Select[Any]
    build: EdgeBuilder[Any]
    role: Column | None = None


def _plain(
    name: str, record: type[Any], parent: Column, where: ColumnElement[bool] | None = None
) -> Relation:
    query = select(*columns(record), parent.label("parent"))
    if where is not None:
        query = query.where(where)
    node = from_row(record)
    return Relation(name, record, query, lambda row, cursor: Edge(cursor, node(row)))


def _linked(
    name: str,
    record: type[Any],
    link: Any,
    parent: Column,
    on: ColumnElement[bool],
    role: Column | None = None,
) -> Relation:
    link_columns = [
        (role if role is not None else null()).label("link_role"),
        link.source_urls.label("link_source_urls"),
        link.confidence.label("link_confidence"),
        link.origin.label("link_origin"),
    ]
    query = select(*columns(record), *link_columns, parent.label("parent")).join(link, on)
    node = from_row(record)
    start = len(fields(record))

    def build(row: Row[Any], cursor: str) -> Link[Any, Any]:
        return Link(cursor, node(row), *row[start : start + 4])

    return Relation(name, record, query, build, role)


RELATIONS: dict[str, Relation] = {
    relation.name: relation
    for relation in (
        _plain("region.members", MemberRecord, Member.region_id),
        _linked(
            "section.members",
            MemberRecord,
            MemberSection,
            MemberSection.section_id,
            MemberSection.member_id == Member.id,
        ),
        _linked(
            "member.sections",
            SectionRecord,
            MemberSection,
            MemberSection.member_id,
            MemberSection.section_id == UclgSection.id,
        ),
        _linked(
            "member.initiatives",
            InitiativeRecord,
            MemberInitiative,
            MemberInitiative.member_id,
            MemberInitiative.initiative_id == Initiative.id,
            MemberInitiative.role,
        ),
        _linked(
            "initiative.members",
            MemberRecord,
            MemberInitiative,
            MemberInitiative.initiative_id,
            MemberInitiative.member_id == Member.id,
            MemberInitiative.role,
        ),
        _linked(
            "initiative.partners",
            PartnerRecord,
            PartnerInitiative,
            PartnerInitiative.initiative_id,
            PartnerInitiative.partner_id == Partner.id,
            PartnerInitiative.role,
        ),
        _linked(
            "partner.initiatives",
            InitiativeRecord,
            PartnerInitiative,
            PartnerInitiative.partner_id,
            PartnerInitiative.initiative_id == Initiative.id,
            PartnerInitiative.role,
        ),
        _linked(
            "partner.members",
            MemberRecord,
            PartnerMember,
            PartnerMember.partner_id,
            PartnerMember.member_id == Member.id,
            PartnerMember.relationship_,
        ),
        _linked(
            "member.partners",
            PartnerRecord,
            PartnerMember,
            PartnerMember.member_id,
            PartnerMember.partner_id == Partner.id,
            PartnerMember.relationship_,
        ),
        _linked(
            "initiative.focusAreas",
            FocusAreaRecord,
            InitiativeFocusArea,
            InitiativeFocusArea.initiative_id,
            InitiativeFocusArea.focus_area_id == FocusArea.id,
        ),
        _linked(
            "focusArea.initiatives",
            InitiativeRecord,
            InitiativeFocusArea,
            InitiativeFocusArea.focus_area_id,
            InitiativeFocusArea.initiative_id == Initiative.id,
        ),
        _linked(
            "partner.focusAreas",
            FocusAreaRecord,
            PartnerFocusArea,
            PartnerFocusArea.partner_id,
            PartnerFocusArea.focus_area_id == FocusArea.id,
        ),
        _linked(
            "focusArea.partners",
            PartnerRecord,
            PartnerFocusArea,
            PartnerFocusArea.focus_area_id,
            PartnerFocusArea.partner_id == Partner.id,
        ),
        _linked(
            "initiative.objectives",
            ObjectiveRecord,
            InitiativeObjective,
            InitiativeObjective.initiative_id,
            InitiativeObjective.objective_id == Objective.id,
        ),
        _linked(
            "objective.initiatives",
            InitiativeRecord,
            InitiativeObjective,
            InitiativeObjective.objective_id,
            InitiativeObjective.initiative_id == Initiative.id,
        ),
        _plain("actionPlan.objectives", ObjectiveRecord, Objective.action_plan_id),
        *(
            _plain(
                f"{type_name[0].lower()}{type_name[1:]}.history",
                AuditRecord,
                AuditEntry.record_id,
                AuditEntry.record_type == type_name,
            )
            for type_name in ("Member", "Partner", "Initiative")
        ),
    )
}
