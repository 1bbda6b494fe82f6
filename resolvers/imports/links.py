"""Files of links: a member's or a partner's part in an initiative, with its
role (the links `initiativeMemberLink` and `initiativePartnerLink` make).

A row names both ends by their natural keys: the initiative by `initiative`
(its title) and `initiativePeriod`, and either a member by `member` (its
name) and `memberCountry`, or a partner by `partner` (its name). The two ends
are the link's key (an end takes part in an initiative once); `role`,
`sources` and `confidence` are what a row sets. A row whose ends have no link
creates one; a link's changes are in the initiative's history (action
`link`), as the link mutations record them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

import resolvers.writes.validation as v
from db.models import Confidence, Initiative, Origin
from resolvers.imports.formats import BATCH
from resolvers.imports.kinds import Batch, Entry, Identity, natural_key, shown
from resolvers.imports.records import file_value
from resolvers.writes import UserError
from resolvers.writes.fields import LINKS as ENDS

__all__ = ["LINKS", "LinkKind"]

# Per end: the columns that name it, the model's attributes they are, and
# the role's column on the link.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "member": (("member", "memberCountry"), ("name", "country_code")),
    "partner": (("partner",), ("name",)),
}
_INITIATIVE = (("initiative", "initiativePeriod"), ("title", "period"))
_CONFIDENCE = v.enum_value(Confidence)


def _key(parts: Sequence[Any]) -> tuple[str | None, ...]:
    return tuple(natural_key(str(part)) if part is not None else "" for part in parts)


def _initiative_key(parts: Sequence[Any]) -> tuple[str | None, ...]:
    # A row giving no period names the initiative by its title alone.
    title, period = parts
    return (natural_key(str(title)), None if period is None else natural_key(str(period)))


def _shown(parts: Sequence[Any]) -> str:
    first, *others = [str(part).strip() for part in parts if part is not None]
    text = shown(first) or ""
    return f"{text} ({', '.join(other[:40] for other in others)})" if others else text


class LinkKind:
    """A file of links between initiatives and members or partners."""

    name = "links"
    noun = "link"
    columns = (
        "initiative",
        "initiativePeriod",
        "member",
        "memberCountry",
        "partner",
        "role",
        "sources",
        "confidence",
    )
    key_columns = ("initiative",)
    key_phrase = "initiative and initiativePeriod, and member and memberCountry or partner"
    columns_are = "the link's ends, its role and provenance"
    example = '{"initiative": "...", "initiativePeriod": "2015-2017", "partner": "...", '
    example += '"role": "FUNDER"}'

    def identify(self, values: Mapping[str, Any]) -> Identity:
        ends = [end for end in _NAMES if values.get(end) is not None]
        missing = []
        if values.get("initiative") is None:
            message = "`initiative` is required: a link names the initiative by its title."
            missing.append(UserError(("input", "initiative"), message, "REQUIRED"))
        if not ends:
            message = "a link names a `member` (with `memberCountry`) or a `partner`."
            missing.append(UserError(("input", "member"), message, "REQUIRED"))
        elif len(ends) > 1:
            message = "a row links one end: give `member` or `partner`, not both."
            missing.append(UserError(("input", "partner"), message, "INVALID"))
        elif ends == ["member"] and values.get("memberCountry") is None:
            message = "`memberCountry` is required: a member is named by name and country."
            missing.append(UserError(("input", "memberCountry"), message, "REQUIRED"))
        if missing:
            return Identity(None, None, missing)
        [end] = ends
        end_parts = [values.get(column) for column in _NAMES[end][0]]
        initiative_parts = [values.get(column) for column in _INITIATIVE[0]]
        key = (end, _key(end_parts), _initiative_key(initiative_parts))
        return Identity(key, f"{_shown(end_parts)} → {_shown(initiative_parts)}", [])

    async def open(self, session: AsyncSession, keys: set[Hashable]) -> Batch:
        ends: dict[str, dict[tuple[str | None, ...], list[int]]] = {}
        for end, (_, attributes) in {**_NAMES, "initiative": _INITIATIVE}.items():
            model = Initiative if end == "initiative" else ENDS[end][2]
            named = [getattr(model, attribute) for attribute in attributes]
            found: dict[tuple[str | None, ...], list[int]] = {}
            for pk, *parts in await session.execute(select(model.id, *named)):
                found.setdefault(_key(parts), []).append(pk)
                if end == "initiative":
                    found.setdefault((*_key(parts)[:1], None), []).append(pk)
            ends[end] = found
        wanted = sorted(
            {
                pk
                for key in keys
                if isinstance(key, tuple)
                for pk in ends["initiative"].get(key[2], [])
            }
        )
        links: dict[tuple[str, int, int], Any] = {}
        for end in _NAMES:
            link_model, column, _, _ = ENDS[end]
            for start in range(0, len(wanted), BATCH):
                chunk = wanted[start : start + BATCH]
                query = select(link_model).where(link_model.initiative_id.in_(chunk))
                for link in await session.scalars(query):
                    links[(end, getattr(link, column), link.initiative_id)] = link
        return _LinkBatch(session, ends, links)

    async def export_rows(
        self, connection: AsyncConnection, ids: Sequence[int] | None
    ) -> list[dict[str, Any]]:
        """Every link, by initiative, then member or partner (`ids` is unused:
        a links file is the whole network's)."""
        rows: list[dict[str, Any]] = []
        for end, (columns, attributes) in _NAMES.items():
            link_model, column, model, _ = ENDS[end]
            query = (
                select(
                    Initiative.title,
                    Initiative.period,
                    *[getattr(model, attribute) for attribute in attributes],
                    link_model.role,
                    link_model.source_urls,
                    link_model.confidence,
                )
                .join(Initiative, Initiative.id == link_model.initiative_id)
                .join(model, model.id == getattr(link_model, column))
                .order_by(Initiative.title, Initiative.id, model.name, model.id)
            )
            for title, period, *named, role, sources, confidence in await connection.execute(query):
                row: dict[str, Any] = {"initiative": title, "initiativePeriod": period}
                row.update(zip(columns, named, strict=True))
                row.update(
                    role=file_value(role), sources=sources, confidence=file_value(confidence)
                )
                rows.append(row)
        rows.sort(key=lambda row: (row["initiative"], row["initiativePeriod"] or ""))
        return rows


@dataclass(slots=True)
class _LinkBatch:
    session: AsyncSession
    # Per end ("member", "partner", "initiative"): its records' ids by key.
    ends: dict[str, dict[tuple[str | None, ...], list[int]]]
    links: dict[tuple[str, int, int], Any]

    def _ids(self, key: Hashable) -> tuple[str, list[int], list[int]]:
        assert isinstance(key, tuple)
        end, end_key, initiative_key = key
        return end, self.ends[end].get(end_key, []), self.ends["initiative"].get(initiative_key, [])

    def matches(self, key: Hashable) -> list[Any]:
        end, others, initiatives = self._ids(key)
        if len(others) != 1 or len(initiatives) != 1:
            return []  # `clean` says why
        link = self.links.get((end, others[0], initiatives[0]))
        return [] if link is None else [link]

    def clean(
        self, values: Mapping[str, Any], existing: Any, *, creating: bool
    ) -> tuple[dict[str, Any], list[UserError]]:
        identity = LINKS.identify(values)
        if identity.key is None:
            return {}, []  # the engine reports what the row lacks
        errors: list[UserError] = []
        end, others, initiatives = self._ids(identity.key)
        for name, found, what in (
            (end, others, f"{end} named {_shown([values.get(c) for c in _NAMES[end][0]])!r}"),
            (
                "initiative",
                initiatives,
                f"initiative titled {_shown([values.get(c) for c in _INITIATIVE[0]])!r}",
            ),
        ):
            if not found:
                message = f"No {what}: create it first (or check the spelling)."
                errors.append(UserError(("input", name), message, "NOT_FOUND"))
            elif len(found) > 1:
                message = f"{len(found)} records match the {what} (ids {found}): tell them apart."
                errors.append(UserError(("input", name), message, "AMBIGUOUS"))
        cleaned: dict[str, Any] = {}
        rule = ENDS[end][3]
        for column, attribute, check in (
            ("role", "role", rule),
            ("sources", "source_urls", v.urls),
            ("confidence", "confidence", _CONFIDENCE),
        ):
            if column not in values:
                if creating and column == "role":
                    errors.append(UserError(("input", "role"), "`role` is required.", "REQUIRED"))
                continue
            try:
                cleaned[attribute] = check(values[column])
            except v.InvalidError as error:
                message = f"`{column}` {error.message}"
                errors.append(UserError(("input", column), message, error.code))
        if not errors:
            cleaned.update(end=end, other_id=others[0], initiative_id=initiatives[0])
        return cleaned, errors

    def change(self, existing: Any, cleaned: Mapping[str, Any]) -> list[Entry]:
        changes: dict[str, list[Any]] = {}
        for name, attribute in (("role", "role"), ("sources", "source_urls")):
            before, after = getattr(existing, attribute), cleaned.get(attribute)
            if after is not None and before != after:
                changes[name] = [_plain(before), _plain(after)]
                setattr(existing, attribute, after)
        if cleaned.get("confidence") is not None and existing.confidence != cleaned["confidence"]:
            changes["confidence"] = [existing.confidence.value, cleaned["confidence"].value]
            existing.confidence = cleaned["confidence"]
        if not changes:
            return []
        end, other = cleaned["end"], cleaned["other_id"]
        return [("link", "Initiative", cleaned["initiative_id"], {end: [other, other], **changes})]

    def create(self, cleaned: Mapping[str, Any]) -> Callable[[], list[Entry]]:
        end, other, initiative = cleaned["end"], cleaned["other_id"], cleaned["initiative_id"]
        link_model, column, _, _ = ENDS[end]
        values = {k: cleaned[k] for k in ("role", "source_urls", "confidence") if k in cleaned}
        link = link_model(
            **{column: other}, initiative_id=initiative, origin=Origin.STAFF, **values
        )
        self.session.add(link)
        self.links[(end, other, initiative)] = link
        changes = {end: [None, other], "role": [None, cleaned["role"].value]}
        if cleaned.get("source_urls"):
            changes["sources"] = [None, cleaned["source_urls"]]
        return lambda: [("link", "Initiative", initiative, changes)]


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


LINKS = LinkKind()
