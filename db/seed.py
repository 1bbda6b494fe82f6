"""Load the reference data into the database, idempotently.

Reference records are matched by their natural key (a member's, partner's or
section's name, an initiative's title) among records of origin `reference`;
a second run finds every record equal and changes nothing. Records that staff
or partners created are never touched.

A later edition of the data updates the records it changed and adds the ones
it adds. Staff edits win field by field: a field that staff changed through
the API (as the audit log records it) keeps their value while the record's
other fields follow the data; a record staff renamed is still found by its
reference name; a link staff added, re-roled or removed stays as they left it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.models import (
    ActionPlan,
    Confidence,
    FocusArea,
    Initiative,
    InitiativeDimension,
    InitiativeFocusArea,
    InitiativeObjective,
    InitiativeStatus,
    Member,
    MemberInitiative,
    MemberSection,
    NetworkSize,
    Objective,
    Partner,
    PartnerInitiative,
    PartnerMember,
    Region,
    UclgSection,
    UnlinkedName,
)
from db.referencedata import (
    ABOUT_US_URL,
    ACTION_PLAN,
    FOCUS_AREAS,
    REGIONS,
    ReferenceData,
    Unresolved,
    load_reference,
)
from db.staffedits import read_staff_edits
from db.upserts import SeedReport, Upserter

__all__ = ["SeedReport", "seed_reference"]


def _provenance(urls: list[str], confidence: Confidence = Confidence.HIGH) -> dict[str, Any]:
    return {"source_urls": urls, "confidence": confidence}


async def seed_reference(database: Database, data: ReferenceData | None = None) -> SeedReport:
    """Load `data` (by default the shipped reference data) in one transaction."""
    data = data or load_reference()
    report = SeedReport(unresolved=list(data.unresolved))
    about = _provenance([ABOUT_US_URL])
    async with database.writer() as session:
        up = Upserter(session, report, await read_staff_edits(session))

        regions = await up.existing(Region, "slug")
        for region in REGIONS:
            values = {"slug": region.slug, "name": region.name, **about}
            up.apply(Region, regions, region.slug, values)

        focus_areas = await up.existing(FocusArea, "slug")
        for area in FOCUS_AREAS:
            values = {"slug": area.slug, "name": area.name, "description": area.description}
            values |= about
            up.apply(FocusArea, focus_areas, area.slug, values)

        plans = await up.existing(ActionPlan, "title")
        plan = up.apply(
            ActionPlan,
            plans,
            ACTION_PLAN.title,
            {
                "title": ACTION_PLAN.title,
                "start_year": ACTION_PLAN.start_year,
                "end_year": ACTION_PLAN.end_year,
                **about,
            },
        )
        await session.flush()

        objectives = await up.existing(Objective, "position")
        objective_rows = []
        for position, text in enumerate(ACTION_PLAN.objectives, start=1):
            values = {"action_plan_id": plan.id, "position": position, "text": text, **about}
            objective_rows.append(up.apply(Objective, objectives, position, values))

        members = await up.existing(Member, "name")
        for m in data.members:
            values = {
                "name": m.name,
                "short_name": m.short_name,
                "country_code": m.country_code,
                "country_name": m.country_name,
                "region_id": regions[m.region_slug].id,
                "secretariat_region": m.secretariat_region,
                "kind": m.kind,
                "joined_year": m.joined_year,
                "statement_year": m.statement_year,
                "evidence": m.evidence,
                "latitude": m.latitude,
                "longitude": m.longitude,
                "population": m.population,
                "geonames_id": m.geonames_id,
                "geocoded_city": m.geocoded_city,
                **_provenance(m.source_urls, m.confidence),
            }
            up.apply(Member, members, m.name, values)
        await session.flush()

        sections = await up.existing(UclgSection, "name")
        for s in data.sections:
            values = {
                "name": s.name,
                "full_name": s.full_name,
                "kind": s.kind,
                "area": s.area,
                "seat_city": s.seat_city,
                "seat_country": s.seat_country,
                "seat_member_id": members[s.seat_member].id if s.seat_member else None,
                "seat_note": s.seat_note,
                **_provenance(s.source_urls, s.confidence),
            }
            up.apply(UclgSection, sections, s.name, values)

        partners = await up.existing(Partner, "name")
        for p in data.partners:
            values = {
                "name": p.name,
                "kind": p.kind,
                "sector": p.sector,
                "description": p.description,
                "period": p.period,
                **_provenance(p.source_urls, p.confidence),
            }
            up.apply(Partner, partners, p.name, values)

        initiatives = await up.existing(Initiative, "title")
        current_year = date.today().year
        for i in data.initiatives:
            finished = i.end_year is not None and i.end_year < current_year
            values = {
                "title": i.title,
                "kind": i.kind,
                "period": i.period,
                "start_year": i.start_year,
                "end_year": i.end_year,
                "status": InitiativeStatus.COMPLETED if finished else InitiativeStatus.UNKNOWN,
                "summary": i.summary,
                **_provenance(i.source_urls),
            }
            up.apply(Initiative, initiatives, i.title, values)
        await session.flush()

        # Editions of the data before 2026-12 state no sizes: then nothing is read
        # (nor needed from a database migrated before the table existed).
        sizes = await up.existing(NetworkSize, "records", "stated_on") if data.network_sizes else {}
        for size in data.network_sizes:
            values = {
                "records": size.records,
                "stated": size.stated,
                "statement": size.statement,
                "source": size.source,
                "stated_on": size.stated_on,
                **_provenance(size.source_urls, size.confidence),
            }
            up.apply(NetworkSize, sizes, (size.records, size.stated_on), values)

        metropolitan = sections[data.metropolitan_section]
        await up.links(
            MemberSection,
            ("member_id", "section_id"),
            (
                {"member_id": members[m.name].id, "section_id": metropolitan.id, **about}
                for m in data.members
            ),
        )
        await up.links(
            MemberInitiative,
            ("member_id", "initiative_id"),
            (
                {
                    "member_id": members[link.member].id,
                    "initiative_id": initiatives[link.initiative].id,
                    "role": link.role,
                    **_provenance(link.source_urls, link.confidence),
                }
                for link in data.member_links
            ),
        )
        await up.links(
            PartnerInitiative,
            ("partner_id", "initiative_id"),
            (
                {
                    "partner_id": partners[link.partner].id,
                    "initiative_id": initiatives[link.initiative].id,
                    "role": link.role,
                    **_provenance(link.source_urls, link.confidence),
                }
                for link in data.partner_links
            ),
        )
        await up.links(
            PartnerMember,
            ("partner_id", "member_id"),
            (
                {
                    "partner_id": partners[link.partner].id,
                    "member_id": members[link.member].id,
                    "relationship_": link.relationship,
                    **_provenance(link.source_urls),
                }
                for link in data.partner_member_links
            ),
        )
        # Classification derived from each initiative's stated topic.
        derived = Confidence.MEDIUM
        await up.links(
            InitiativeFocusArea,
            ("initiative_id", "focus_area_id"),
            (
                {
                    "initiative_id": initiatives[i.title].id,
                    "focus_area_id": focus_areas[slug].id,
                    **_provenance(i.source_urls, derived),
                }
                for i in data.initiatives
                for slug in i.focus_areas
            ),
        )
        await up.links(
            InitiativeDimension,
            ("initiative_id", "dimension"),
            (
                {
                    "initiative_id": initiatives[i.title].id,
                    "dimension": dimension,
                    **_provenance(i.source_urls, derived),
                }
                for i in data.initiatives
                for dimension in i.dimensions
            ),
        )
        await up.links(
            InitiativeObjective,
            ("initiative_id", "objective_id"),
            (
                {
                    "initiative_id": initiatives[i.title].id,
                    "objective_id": objective_rows[position - 1].id,
                    **_provenance(i.source_urls, derived),
                }
                for i in data.initiatives
                for position in i.objectives
            ),
        )
        await _keep_unlinked(session, initiatives, data.unresolved)
        await session.commit()
    return report


async def _keep_unlinked(
    session: AsyncSession, initiatives: Mapping[str, Initiative], unresolved: list[Unresolved]
) -> None:
    """Replace the kept names the data could not link with this run's
    (unchanged ones stay as they are)."""
    wanted = {
        (initiatives[item.initiative].id, item.column, item.name): item
        for item in unresolved
        if item.initiative in initiatives
    }
    kept = {
        (row.initiative_id, row.field, row.name): row
        for row in await session.scalars(select(UnlinkedName))
    }
    gone = [row.id for key, row in kept.items() if key not in wanted]
    if gone:
        await session.execute(delete(UnlinkedName).where(UnlinkedName.id.in_(gone)))
    for key, item in wanted.items():
        row = kept.get(key)
        if row is None:
            session.add(
                UnlinkedName(
                    initiative_id=key[0],
                    field=key[1],
                    name=key[2],
                    written=item.written,
                    reason=item.reason,
                )
            )
        else:
            row.written, row.reason = item.written, item.reason
