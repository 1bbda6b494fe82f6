"""Reading the data files and resolving the links between their records."""

from __future__ import annotations

import csv
from pathlib import Path

from db.models import Confidence, InitiativeKind, MemberRole, SectionKind
from db.referencedata.facts import (
    ACTION_PLAN,
    DIMENSION_KEYWORDS,
    FOCUS_AREA_KEYWORDS,
    MEMBER_ALIASES,
    NETWORK_NAMES,
    OBJECTIVE_KEYWORDS,
    PARTNER_ALIASES,
    PARTNER_MEMBER_LINKS,
    SECRETARIAT_REGIONS,
)
from db.referencedata.fields import (
    ANNOTATION_PATTERN,
    NameIndex,
    confidence_of,
    joined_year,
    matching_keys,
    member_kind,
    partner_kind,
    partner_role,
    period_years,
    short_name,
    source_urls,
    split_names,
)
from db.referencedata.rows import (
    InitiativeRow,
    MemberLink,
    MemberRow,
    NetworkSizeRow,
    PartnerLink,
    PartnerMemberLink,
    PartnerRow,
    ReferenceData,
    SectionRow,
    Unresolved,
)

__all__ = [
    "DATA_DIR",
    "load_reference",
]

# The data files live beside this package, in `db/reference/`.
DATA_DIR = Path(__file__).resolve().parent.parent / "reference"
PILOT_MARK = " [pilot project]"


def _read(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _members(directory: Path) -> list[MemberRow]:
    rows = []
    geonames = {(r["city"], r["country_code"]): r for r in _read(directory, "members_geonames.csv")}
    provenance = {
        (r["city"], r["country_code"]): r for r in _read(directory, "members_provenance.csv")
    }
    for row in _read(directory, "members.csv"):
        key = (row["city"], row["country_code"])
        geo, prov = geonames[key], provenance[key]
        year = int(row["source_year"]) if row["source_year"] else None
        rows.append(
            MemberRow(
                name=row["city"],
                short_name=short_name(row["city"]),
                country_name=row["country"],
                country_code=row["country_code"],
                region_slug=SECRETARIAT_REGIONS[row["metropolis_region"]],
                secretariat_region=row["metropolis_region"],
                kind=member_kind(row["city"]),
                joined_year=joined_year(prov["evidence"], year),
                statement_year=year,
                evidence=prov["evidence"],
                latitude=float(geo["latitude"]),
                longitude=float(geo["longitude"]),
                population=int(geo["population"]),
                geonames_id=int(geo["geonameid"]),
                geocoded_city=geo["geonames_name"],
                source_urls=source_urls(prov["source_urls"]),
                confidence=confidence_of(prov["confidence"]),
            )
        )
    return rows


def _sections(directory: Path, members: NameIndex) -> list[SectionRow]:
    rows = []
    for row in _read(directory, "uclg_sections.csv"):
        seat = row["seat_city"] or None
        seat_member = None
        if seat:
            found, _ = members.find(seat)
            seat_member = found[0] if len(found) == 1 else None
        note = ANNOTATION_PATTERN.search(row["confidence"])
        rows.append(
            SectionRow(
                name=row["section"],
                full_name=row["full_name"],
                kind=SectionKind(row["section_type"]),
                area=row["area"],
                seat_city=seat,
                seat_country=row["seat_country"] or None,
                seat_member=seat_member,
                seat_note=note.group(1) if note else None,
                source_urls=source_urls(row["source"]),
                confidence=confidence_of(row["confidence"]),
            )
        )
    return rows


def _partners(directory: Path) -> list[PartnerRow]:
    return [
        PartnerRow(
            name=row["name"],
            kind=partner_kind(row["partner_type"], row["relationship"]),
            sector=row["partner_type"],
            description=row["relationship"],
            period=row["year"],
            source_urls=source_urls(row["source"]),
            confidence=confidence_of(row["confidence"]),
        )
        for row in _read(directory, "partners.csv")
    ]


def _initiatives(
    directory: Path,
    members: NameIndex,
    partners: dict[str, PartnerRow],
    unresolved: list[Unresolved],
) -> tuple[list[InitiativeRow], list[MemberLink], list[PartnerLink]]:
    partner_index = NameIndex(
        partners, {alias: (name, Confidence.HIGH) for alias, name in PARTNER_ALIASES.items()}
    )
    initiatives: list[InitiativeRow] = []
    member_links: dict[tuple[str, str], MemberLink] = {}
    partner_links: dict[tuple[str, str], PartnerLink] = {}
    for row in _read(directory, "initiatives.csv"):
        title = row["name"].removesuffix(PILOT_MARK)
        kind = (
            InitiativeKind.PILOT_PROJECT
            if row["name"].endswith(PILOT_MARK)
            else (InitiativeKind.INITIATIVE)
        )
        urls = source_urls(row["source"])
        start, end = period_years(row["period"])
        topic = f"{title} {row['theme']}"
        in_plan = start is not None and start <= ACTION_PLAN.end_year
        in_plan = in_plan and (end or start or 0) >= ACTION_PLAN.start_year
        initiatives.append(
            InitiativeRow(
                title=title,
                kind=kind,
                period=row["period"],
                start_year=start,
                end_year=end,
                summary=row["theme"],
                source_urls=urls,
                focus_areas=tuple(matching_keys(topic, FOCUS_AREA_KEYWORDS)),
                dimensions=tuple(matching_keys(topic, DIMENSION_KEYWORDS)),
                objectives=tuple(matching_keys(topic, OBJECTIVE_KEYWORDS)) if in_plan else (),
            )
        )
        all_lead = row["partners"].strip().endswith("(lead organisations)")
        parties: list[tuple[str, str, str | None, str]] = [
            (written, name, "lead", "lead_city")
            for written, name, _ in split_names(row["lead_city"])
        ]
        parties += [
            (written, name, "lead" if all_lead else note, "partners")
            for written, name, note in split_names(row["partners"])
        ]
        for written, name, note, column in parties:
            if name in NETWORK_NAMES:
                continue
            where = f"initiative {title!r} ({column})"
            found_partner, _ = partner_index.find(written, name)
            if len(found_partner) == 1 and column == "partners":
                partner = partners[found_partner[0]]
                role = partner_role(note, partner.description, partner.kind)
                partner_links.setdefault(
                    (partner.name, title),
                    PartnerLink(partner.name, title, role, urls, Confidence.HIGH),
                )
                continue
            found, confidence = members.find(written, name)
            if len(found) == 1:
                member_role = MemberRole.LEAD if column == "lead_city" else MemberRole.PARTICIPANT
                link = MemberLink(found[0], title, member_role, urls, confidence)
                existing = member_links.get((found[0], title))
                if existing is None or member_role is MemberRole.LEAD:
                    member_links[(found[0], title)] = link
            else:
                reason = (
                    f"is ambiguous: {', '.join(found)}"
                    if found
                    else "is not a member or partner on record"
                )
                unresolved.append(Unresolved(where, name, reason, title, column, written))
    return initiatives, list(member_links.values()), list(partner_links.values())


def _network_sizes(directory: Path) -> list[NetworkSizeRow]:
    # Editions of the data before 2026-12 state no sizes.
    if not (directory / "network_size.csv").exists():
        return []
    return [
        NetworkSizeRow(
            records=row["records"],
            stated=int(row["stated"]),
            statement=row["statement"],
            source=row["source"],
            source_urls=source_urls(row["source_url"]),
            stated_on=row["stated_on"],
            confidence=confidence_of(row["confidence"]),
        )
        for row in _read(directory, "network_size.csv")
    ]


def _partner_member_links(
    partners: dict[str, PartnerRow], members: set[str]
) -> list[PartnerMemberLink]:
    links = []
    for partner_name, member, phrase in PARTNER_MEMBER_LINKS:
        partner = partners[partner_name]
        if phrase not in partner.description or member not in members:
            raise ValueError(f"partner-member link {partner_name} -> {member} is not in the data")
        links.append(PartnerMemberLink(partner_name, member, phrase, partner.source_urls))
    return links


def load_reference(directory: Path = DATA_DIR) -> ReferenceData:
    """Read and resolve all reference data: the shipped files, or the same
    files in `directory` (an earlier edition of them, say)."""
    unresolved: list[Unresolved] = []
    members = _members(directory)
    member_index = NameIndex((m.name for m in members), MEMBER_ALIASES)
    sections = _sections(directory, member_index)
    partners = {p.name: p for p in _partners(directory)}
    initiatives, member_links, partner_links = _initiatives(
        directory, member_index, partners, unresolved
    )
    metropolitan = next(s.name for s in sections if s.kind is SectionKind.METROPOLITAN)
    return ReferenceData(
        members=members,
        sections=sections,
        partners=list(partners.values()),
        initiatives=initiatives,
        member_links=member_links,
        partner_links=partner_links,
        partner_member_links=_partner_member_links(partners, {m.name for m in members}),
        metropolitan_section=metropolitan,
        unresolved=unresolved,
        network_sizes=_network_sizes(directory),
    )
