"""How the data files' text fields are read: names matched regardless of
spelling, and years, kinds, roles and source links derived from free text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TypeVar

from db.models import Confidence, MemberKind, PartnerKind, PartnerRole

__all__ = [
    "ANNOTATION_PATTERN",
    "NameIndex",
    "confidence_of",
    "joined_year",
    "matching_keys",
    "member_kind",
    "normalise",
    "partner_kind",
    "partner_role",
    "period_years",
    "short_name",
    "source_urls",
    "split_names",
]

K = TypeVar("K")
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
# Prefixes that open a list of names joined by "and" inside one entry.
LIST_PREFIXES = ("2012 launch partners incl. ", "26-27 partners incl. ", "focus cities ")


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


def matching_keys(text: str, table: Mapping[K, tuple[str, ...]]) -> list[K]:
    lowered = text.lower()
    return [key for key, words in table.items() if any(word in lowered for word in words)]


def confidence_of(text: str) -> Confidence:
    return Confidence.MEDIUM if text.strip().lower().startswith("medium") else Confidence.HIGH


class NameIndex:
    """Finds one record by any of its spellings: the full name, the name without
    its parenthesised qualifier, or a listed alias of a record the files hold."""

    def __init__(self, names: Iterable[str], aliases: dict[str, tuple[str, Confidence]]) -> None:
        self._keys: dict[str, set[str]] = {}
        held = set()
        for name in names:
            held.add(name)
            self._add(name, name)
            self._add(short_name(name), name)
        self._aliases = {
            normalise(alias): target for alias, target in aliases.items() if target[0] in held
        }

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


def split_names(text: str) -> list[tuple[str, str, str | None]]:
    """Split a `;`-separated list into (as written, name, annotation) triples."""
    items: list[tuple[str, str, str | None]] = []
    for raw in text.split(";"):
        written = raw.strip()
        item = written
        for prefix in LIST_PREFIXES:
            item = item.removeprefix(prefix)
        listed = item != written
        annotation = None
        if match := ANNOTATION_PATTERN.search(item):
            annotation = match.group(1)
            item = item[: match.start()].strip()
        names = item.split(" and ") if listed else [item]
        items.extend((written, name.strip(), annotation) for name in names if name.strip())
    return items


def partner_role(annotation: str | None, relationship: str, kind: PartnerKind) -> PartnerRole:
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
