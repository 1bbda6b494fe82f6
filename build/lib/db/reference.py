"""The reference data: real, sourced facts about Metropolis, read from
`db/reference/*.csv` (see `db/reference/SOURCES.md`) and from the network's
"About us" text (regions, focus areas, Action Plan 2015-2017).

Pure parsing: no database here. Links between records are resolved by name
where the data names both ends; names that cannot be resolved, or match more
than one record, are reported rather than guessed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from db.models import (
    Confidence,
    InitiativeKind,
    MemberKind,
    MemberRole,
    PartnerKind,
    PartnerRole,
    SectionKind,
    SustainabilityDimension,
)

__all__ = [
    "ABOUT_US_URL",
    "ACTION_PLAN",
    "FOCUS_AREAS",
    "REGIONS",
    "ReferenceData",
    "Unresolved",
    "load_reference",
]

K = TypeVar("K")

DATA_DIR = Path(__file__).with_name("reference")
ABOUT_US_URL = "https://www.metropolis.org/about-us"


@dataclass(frozen=True, slots=True)
class RegionRow:
    slug: str
    name: str


# The seed's four world regions. The data files use the five regional
# secretariats' names; both Americas secretariats map to one region.
REGIONS = (
    RegionRow("africa", "Africa"),
    RegionRow("americas-caribbean", "Americas & Caribbean"),
    RegionRow("asia-pacific", "Asia & Pacific"),
    RegionRow("europe", "Europe"),
)
SECRETARIAT_REGIONS = {
    "Africa": "africa",
    "Latin America & Caribbean": "americas-caribbean",
    "North America": "americas-caribbean",
    "Asia-Pacific": "asia-pacific",
    "Europe": "europe",
}


@dataclass(frozen=True, slots=True)
class FocusAreaRow:
    slug: str
    name: str
    description: str


# The six missions, quoted from the "About us" text.
FOCUS_AREAS = (
    FocusAreaRow(
        "metropolitan-governance",
        "Metropolitan governance",
        "Understood as the collaboration between metropolitan governments and other levels "
        "of local, regional and state governments; as well as the cooperation with other "
        "public institutions and private organizations.",
    ),
    FocusAreaRow(
        "technical-financial-assistance",
        "Technical/financial assistance",
        "To mobilize new financial resources for investments marked at sustainable and "
        "efficient development.",
    ),
    FocusAreaRow(
        "mutual-learning",
        "Mutual learning",
        "As a result of the transfer of knowledge, practices and experiences between "
        "metropolitan governments and their associates.",
    ),
    FocusAreaRow(
        "innovation",
        "Innovation",
        "Understood as a result of collaboration between city governments and groundbreaking "
        "businesses and entities in the management of urban issues.",
    ),
    FocusAreaRow(
        "international-forums",
        "Presence in international forums",
        "Presence in international forums and the defense of city interests and concerns.",
    ),
    FocusAreaRow(
        "city-trends",
        "Debate on city trends",
        "The debate about ideas on city trends and evolution.",
    ),
)


@dataclass(frozen=True, slots=True)
class ActionPlanRow:
    title: str
    start_year: int
    end_year: int
    objectives: tuple[str, ...]


ACTION_PLAN = ActionPlanRow(
    "Action Plan 2015-2017",
    2015,
    2017,
    (
        "Represent and give international political visibility to metropolitan interests",
        "Promote reflection on trends in the evolution of cities",
        "Find innovative solutions to metropolitan problems",
        "Contribute to metropolitan governance to reduce metropolitan imbalances",
        "Promote financial and technical assistance to metropolitan areas in developing countries",
        "Promote mutual learning, capacity building and training",
    ),
)


@dataclass(frozen=True, slots=True)
class MemberRow:
    name: str
    short_name: str
    country_name: str
    country_code: str
    region_slug: str
    secretariat_region: str
    kind: MemberKind
    joined_year: int | None
    statement_year: int | None
    evidence: str
    latitude: float
    longitude: float
    population: int
    geonames_id: int
    geocoded_city: str
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class SectionRow:
    name: str
    full_name: str
    kind: SectionKind
    area: str
    seat_city: str | None
    seat_country: str | None
    seat_member: str | None
    seat_note: str | None
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class PartnerRow:
    name: str
    kind: PartnerKind
    sector: str
    description: str
    period: str
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class InitiativeRow:
    title: str
    kind: InitiativeKind
    period: str
    start_year: int | None
    end_year: int | None
    summary: str
    source_urls: list[str]
    focus_areas: tuple[str, ...]
    dimensions: tuple[SustainabilityDimension, ...]
    objectives: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class MemberLink:
    """A member's part in an initiative, both named by their reference names."""

    member: str
    initiative: str
    role: MemberRole
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class PartnerLink:
    partner: str
    initiative: str
    role: PartnerRole
    source_urls: list[str]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class PartnerMemberLink:
    partner: str
    member: str
    relationship: str
    source_urls: list[str]


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A name in the data that could not be linked to one record."""

    where: str
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.name!r} {self.reason}"


@dataclass(slots=True)
class ReferenceData:
    members: list[MemberRow]
    sections: list[SectionRow]
    partners: list[PartnerRow]
    initiatives: list[InitiativeRow]
    member_links: list[MemberLink]
    partner_links: list[PartnerLink]
    partner_member_links: list[PartnerMemberLink]
    metropolitan_section: str
    unresolved: list[Unresolved] = field(default_factory=list)


# Names the initiative and section files use for a record that the members and
# partners files spell differently. Each maps to the record's reference name,
# with the confidence of the match.
MEMBER_ALIASES: dict[str, tuple[str, Confidence]] = {
    "São Paulo (State Government)": ("São Paulo (State)", Confidence.HIGH),
    "São Paulo (prefecture)": ("São Paulo (City)", Confidence.HIGH),
    "Barcelona (City Council)": ("Barcelona (Ajuntament / City Council)", Confidence.HIGH),
    "Berlin (Senate Department for Urban Development and the Environment)": (
        "Berlin",
        Confidence.HIGH,
    ),
    "Intendencia de Montevideo": ("Montevideo", Confidence.HIGH),
    "Valle de Aburrá Metropolitan Area": (
        "Valle de Aburrá (Metropolitan Area)",
        Confidence.HIGH,
    ),
    # The member is the region's government; the source names the city.
    "Brussels": ("Brussels-Capital Region", Confidence.MEDIUM),
}
PARTNER_ALIASES: dict[str, str] = {
    "United Nations Global Compact Cities Programme": "UN Global Compact Cities Programme",
    "Institute for Culture and Society, Western Sydney University": (
        "Western Sydney University – Institute for Culture and Society"
    ),
}

# Direct partner-member partnerships the partners file states, with the phrase
# of its relationship column that states it (checked when loading).
PARTNER_MEMBER_LINKS = (
    (
        "Guangzhou International Award for Urban Innovation",
        "Guangzhou",
        "co-promoted with Guangzhou since 2011",
    ),
    (
        "Western Sydney University – Institute for Culture and Society",
        "Berlin",
        "co-runs Policy Transfer Platform with Berlin",
    ),
    (
        "Ajuntament de Barcelona",
        "Barcelona (Ajuntament / City Council)",
        "hosts Secretariat General",
    ),
)

# Classification of initiatives from the topic the source states (title and
# theme): keyword -> focus area / dimension / Action Plan objective. These
# links are derived, so they carry medium confidence.
FOCUS_AREA_KEYWORDS = {
    "metropolitan-governance": ("governance",),
    "technical-financial-assistance": ("financ", "ppp", "public-private"),
    "mutual-learning": (
        "mutual learning",
        "policy transfer",
        "knowledge",
        "training",
        "mentoring",
        "experiences",
        "dialogue",
    ),
    "innovation": ("innovation", "digital", "technolog", "labs"),
    "city-trends": ("indicators", "observatory", "trends"),
}
DIMENSION_KEYWORDS = {
    SustainabilityDimension.ENVIRONMENTAL: ("climate", "energy", "green", "environmental"),
    SustainabilityDimension.ECONOMIC: (
        "econom",
        "growth",
        "financ",
        "ppp",
        "procurement",
        "smes",
        "public-private",
    ),
    SustainabilityDimension.SOCIAL: (
        "social",
        "inclusion",
        "informal settlement",
        "slum",
        "wellbeing",
        "participation",
        "citizen",
    ),
    SustainabilityDimension.CULTURAL: ("cultur",),
}
# Positions (1-based) in ACTION_PLAN.objectives.
OBJECTIVE_KEYWORDS = {
    2: ("indicators", "observatory", "trends"),
    3: ("innovation", "labs", "innovative"),
    4: ("governance",),
    5: ("financ",),
    6: ("mutual learning", "policy transfer", "training", "capacity"),
}

PILOT_MARK = " [pilot project]"
URL_PATTERN = re.compile(r"https?://\S+")
YEAR_PATTERN = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
PERIOD_PATTERN = re.compile(r"^(?P<start>\d{4})(?:\s*-\s*(?P<end>\d{4})?)?")
JOINED_PATTERNS = (
    re.compile(r"member since (\d{4})"),
    re.compile(r"[Jj]oined\b\D*?(\d{4})"),
    re.compile(r"(\d{4}) 'On membership"),
    re.compile(r"welcome .* into our association' \(\w+ (\d{4})\)"),
)
NEW_MEMBER_PATTERN = re.compile(
    r"[Nn]ew member ratified|[Aa]pproved as new member|application approved|ratified \d"
)
ANNOTATION_PATTERN = re.compile(r"\s*\(([^()]*)\)\s*$")
LIST_PREFIXES = ("2012 launch partners incl. ", "focus cities ")


def normalise(name: str) -> str:
    """Accent-, case- and punctuation-insensitive key for matching names."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def source_urls(text: str) -> list[str]:
    urls = [url.rstrip(";,)'\"") for url in URL_PATTERN.findall(text)]
    return list(dict.fromkeys(urls))


def short_name(name: str) -> str:
    return name.split(" (", 1)[0].strip()


def member_kind(name: str) -> MemberKind:
    if re.search(r"\(State\)|\bRegion\b|Provincial Government", name):
        return MemberKind.REGIONAL_GOVERNMENT
    if re.search(r"Metropolitan Area|Métropole|Metropoli\b|GMCA", name):
        return MemberKind.METROPOLITAN_AREA
    return MemberKind.CITY


def joined_year(evidence: str, statement_year: int | None) -> int | None:
    for pattern in JOINED_PATTERNS:
        if match := pattern.search(evidence):
            return int(match.group(1))
    if NEW_MEMBER_PATTERN.search(evidence):
        return statement_year
    return None


def partner_kind(partner_type: str, relationship: str) -> PartnerKind:
    kind = partner_type.lower()
    if "academic / knowledge partner" in relationship.lower():
        return PartnerKind.ACADEMIC
    if kind.startswith("business"):
        return PartnerKind.BUSINESS
    if "development bank" in kind or "development agency" in kind:
        return PartnerKind.DEVELOPMENT_FINANCE
    if kind.startswith(("multilateral", "un ")) or "international organisation" in kind:
        return PartnerKind.MULTILATERAL
    if kind.startswith(("academic", "think tank", "think-tank")):
        return PartnerKind.ACADEMIC
    if any(word in kind for word in ("city network", "local-government", "local government")):
        return PartnerKind.CITY_NETWORK
    if any(word in kind for word in ("city alliance", "coordination mechanism")):
        return PartnerKind.CITY_NETWORK
    if kind in {"ngo", "foundation"}:
        return PartnerKind.NGO_FOUNDATION
    return PartnerKind.OTHER


def period_years(period: str) -> tuple[int | None, int | None]:
    match = PERIOD_PATTERN.match(period)
    if not match:
        return None, None
    start = int(match.group("start"))
    end = match.group("end")
    if end is not None:
        return start, int(end)
    # "2014 (...)" is one year; "2016- (...)" is open-ended.
    return (start, None) if period[4:].lstrip().startswith("-") else (start, start)


def _keywords(text: str, table: Mapping[K, tuple[str, ...]]) -> list[K]:
    lowered = text.lower()
    return [key for key, words in table.items() if any(word in lowered for word in words)]


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _confidence(text: str) -> Confidence:
    return Confidence.MEDIUM if text.strip().lower().startswith("medium") else Confidence.HIGH


class NameIndex:
    """Finds one record by any of its spellings: the full name, the name without
    its parenthesised qualifier, or a listed alias."""

    def __init__(self, names: Iterable[str], aliases: dict[str, tuple[str, Confidence]]) -> None:
        self._keys: dict[str, set[str]] = {}
        for name in names:
            self._add(name, name)
            self._add(short_name(name), name)
        self._aliases = {normalise(alias): target for alias, target in aliases.items()}

    def _add(self, key: str, name: str) -> None:
        self._keys.setdefault(normalise(key), set()).add(name)

    def find(self, *spellings: str) -> tuple[list[str], Confidence]:
        """The records the first spelling that matches anything names."""
        for spelling in spellings:
            key = normalise(spelling)
            if key in self._aliases:
                target, confidence = self._aliases[key]
                return [target], confidence
            if key in self._keys:
                return sorted(self._keys[key]), Confidence.HIGH
        return [], Confidence.HIGH


def _members() -> list[MemberRow]:
    rows = []
    geonames = {(r["city"], r["country_code"]): r for r in _read("members_geonames.csv")}
    provenance = {(r["city"], r["country_code"]): r for r in _read("members_provenance.csv")}
    for row in _read("members.csv"):
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
                confidence=_confidence(prov["confidence"]),
            )
        )
    return rows


def _sections(members: NameIndex) -> list[SectionRow]:
    rows = []
    for row in _read("uclg_sections.csv"):
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
                confidence=_confidence(row["confidence"]),
            )
        )
    return rows


def _partners() -> list[PartnerRow]:
    return [
        PartnerRow(
            name=row["name"],
            kind=partner_kind(row["partner_type"], row["relationship"]),
            sector=row["partner_type"],
            description=row["relationship"],
            period=row["year"],
            source_urls=source_urls(row["source"]),
            confidence=_confidence(row["confidence"]),
        )
        for row in _read("partners.csv")
    ]


def _split_names(text: str) -> list[tuple[str, str, str | None]]:
    """Split a `;`-separated list into (as written, name, annotation) triples."""
    items: list[tuple[str, str, str | None]] = []
    for raw in text.split(";"):
        written = raw.strip()
        item = written
        for prefix in LIST_PREFIXES:
            item = item.removeprefix(prefix)
        annotation = None
        if match := ANNOTATION_PATTERN.search(item):
            annotation = match.group(1)
            item = item[: match.start()].strip()
        names = item.split(" and ") if written.startswith("focus cities") else [item]
        items.extend((written, name.strip(), annotation) for name in names if name.strip())
    return items


def _partner_role(annotation: str | None, relationship: str, kind: PartnerKind) -> PartnerRole:
    note = (annotation or "").lower()
    if note.startswith("lead") and "not stated" not in note:
        return PartnerRole.LEAD
    if "technical" in note or "technical secretariat" in relationship.lower():
        return PartnerRole.TECHNICAL_PARTNER
    if re.search(r"\b(co-)?lead of\b", relationship.lower()):
        return PartnerRole.LEAD
    if kind is PartnerKind.ACADEMIC:
        return PartnerRole.KNOWLEDGE_PARTNER
    return PartnerRole.COLLABORATOR


def _initiatives(
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
    for row in _read("initiatives.csv"):
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
                focus_areas=tuple(_keywords(topic, FOCUS_AREA_KEYWORDS)),
                dimensions=tuple(_keywords(topic, DIMENSION_KEYWORDS)),
                objectives=tuple(_keywords(topic, OBJECTIVE_KEYWORDS)) if in_plan else (),
            )
        )
        all_lead = row["partners"].strip().endswith("(lead organisations)")
        parties: list[tuple[str, str, str | None, str]] = [
            (written, name, "lead", "lead_city")
            for written, name, _ in _split_names(row["lead_city"])
        ]
        parties += [
            (written, name, "lead" if all_lead else note, "partners")
            for written, name, note in _split_names(row["partners"])
        ]
        for written, name, note, column in parties:
            where = f"initiative {title!r} ({column})"
            found_partner, _ = partner_index.find(written, name)
            if len(found_partner) == 1 and column == "partners":
                partner = partners[found_partner[0]]
                role = _partner_role(note, partner.description, partner.kind)
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
            elif found:
                unresolved.append(Unresolved(where, name, f"is ambiguous: {', '.join(found)}"))
            else:
                unresolved.append(Unresolved(where, name, "is not a member or partner on record"))
    return initiatives, list(member_links.values()), list(partner_links.values())


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


def load_reference() -> ReferenceData:
    """Read and resolve all reference data."""
    unresolved: list[Unresolved] = []
    members = _members()
    member_index = NameIndex((m.name for m in members), MEMBER_ALIASES)
    sections = _sections(member_index)
    partners = {p.name: p for p in _partners()}
    initiatives, member_links, partner_links = _initiatives(member_index, partners, unresolved)
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
    )
