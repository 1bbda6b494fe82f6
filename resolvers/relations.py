"""The edges of the network graph, each as one SQL query over all parents.

A relation selects the far end's columns (as its record type), then the
edge's own columns labelled `link_*`, then the near end's id as `parent`.
`fetch_pages` turns that into the same page of every parent's list in one
statement, so a relation costs one statement per level of a query. A page
that knows what its query reads (`Reads`) selects only those columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Select, null, select
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
from resolvers.access.keys import Principal
from resolvers.access.visibility import sees_all, where_visible
from resolvers.pagination import Edge, EdgeBuilder, Reads
from resolvers.records import (
    RECORD_MODELS,
    AuditRecord,
    FocusAreaRecord,
    InitiativeRecord,
    Link,
    MemberRecord,
    ObjectiveRecord,
    PartnerRecord,
    SectionRecord,
    partial_from_row,
    read_names,
)

__all__ = ["RELATIONS", "Relation"]

Column = ColumnElement[Any] | QueryableAttribute[Any]
Reading = tuple[Select[Any], EdgeBuilder[Any]]
# Link attributes after the node: the role, then the edge's provenance.
PROVENANCE = ("source_urls", "confidence", "origin")


@dataclass(frozen=True, slots=True)
class Relation:
    """One direction of an edge: the far end's record, the near end's id
    (`parent`), and for edges with attributes the link table, its join
    condition and its role column."""

    name: str
    record: type[Any]
    parent: Column
    where: ColumnElement[bool] | None = None
    link: Any = None
    on: ColumnElement[bool] | None = None
    role: Column | None = None

    def reading(self, reads: Reads | None, sort: Sequence[str], principal: Principal) -> Reading:
        """The query of this relation's rows that `principal` may see, and the
        edge built from each row: every column, or (given `reads`) the record's
        id, the sort columns and what `reads` names. Built once per relation,
        reads and visibility rule (there are two: all rows, or published ones)."""
        model = RECORD_MODELS[self.record]
        key = (self.name, reads, tuple(sort), sees_all(model, principal))
        found = _READINGS.get(key)
        if found is None:
            if len(_READINGS) >= MAX_READINGS:  # documents choose the reads: bound them
                _READINGS.clear()
            query, build = self._reading(reads, sort)
            found = _READINGS[key] = (where_visible(query, model, principal), build)
        return found

    def _reading(self, reads: Reads | None, sort: Sequence[str]) -> Reading:
        names = read_names(self.record, reads, sort)
        # The edge's provenance: unless the page knows it is not selected.
        provenance = reads is None or len(names) == len(fields(self.record)) or reads.provenance
        model = RECORD_MODELS[self.record]
        selected: list[Any] = [getattr(model, name) for name in names]
        node = partial_from_row(self.record, names)
        if self.link is None:
            query = select(*selected, self.parent.label("parent"))
            if self.where is not None:
                query = query.where(self.where)
            return query, lambda row, cursor: Edge(cursor, node(row))
        role = (self.role if self.role is not None else null()).label("link_role")
        attributes = ["role"]
        selected.append(role)
        if provenance:
            attributes += PROVENANCE
            selected += [getattr(self.link, name).label(f"link_{name}") for name in PROVENANCE]
        assert self.on is not None
        query = select(*selected, self.parent.label("parent")).join(self.link, self.on)
        start, end = len(names), len(names) + len(attributes)
        if provenance:
            return query, lambda row, cursor: Link(cursor, node(row), *row[start:end])
        link = partial_from_row(Link, ["cursor", "node", "role"])
        return query, lambda row, cursor: link((cursor, node(row), row[start]))


_READINGS: dict[tuple[str, Reads | None, tuple[str, ...], bool], Reading] = {}
MAX_READINGS = 1024


def _plain(
    name: str, record: type[Any], parent: Column, where: ColumnElement[bool] | None = None
) -> Relation:
    return Relation(name, record, parent, where)


def _linked(
    name: str,
    record: type[Any],
    link: Any,
    parent: Column,
    on: ColumnElement[bool],
    role: Column | None = None,
) -> Relation:
    return Relation(name, record, parent, link=link, on=on, role=role)


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
