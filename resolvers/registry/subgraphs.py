"""Registering partner subgraphs, and what the registry knows of them.

Staff register a partner's subgraph by name and URL (and the headers its
`_service` wants, if it is protected); the hub fetches its SDL
(`_service { sdl }`), composes it with the hub's schema and every other
registered subgraph's current SDL, and keeps the version with its outcome.
The required composers decide (Apollo's by default: it is what Apollo Gateway
and Router run); the others' rejections are kept as warnings. A rejected
version is kept with the composers' messages and replaces nothing: the
subgraph's last accepted version, if it has one, stays current.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from db.engine import Database
from db.models import Partner, Subgraph, SubgraphVersion
from resolvers.composition import SubgraphSource, Verdict, compose, judge
from resolvers.errors import UserInputError
from resolvers.headers import Header, masked
from resolvers.registry.checks import usage_report
from resolvers.registry.sources import (
    DEFAULT_REQUIRED,
    current_sources,
    fetch_sdl,
    stored_headers,
    supergraph,
    validate,
)

__all__ = [
    "Registration",
    "SubgraphStatus",
    "VersionRecord",
    "list_subgraphs",
    "refresh",
    "register",
]


@dataclass(frozen=True, slots=True)
class Registration:
    """The outcome of registering (or refreshing) a subgraph."""

    name: str
    url: str
    accepted: bool
    # The required composers' errors: why it was rejected.
    messages: list[str]
    # The other composers' errors: kept, deciding nothing.
    warnings: list[str]
    # When the version that is current after this one was fetched (this one
    # when accepted); None when no version has been accepted yet.
    current_since: datetime | None
    # The headers sent with the fetch, masked.
    headers: list[str]
    # Composed, but refused: it breaks fields clients used (see `messages`).
    breaks_usage: bool = False

    @property
    def summary(self) -> str:
        """What happened, in a sentence."""
        if self.breaks_usage:
            return (
                f"rejected: {self.name} breaks fields clients used (report below); "
                "nothing changed. Register it with --force to accept it anyway."
            )
        if self.accepted:
            outcome = f"accepted: {self.name} ({self.url}) composes with the hub"
            return outcome + (
                "; other composers rejected it (warnings below)." if self.warnings else "."
            )
        if self.current_since is None:
            return (
                f"rejected: {self.name} does not compose; no version of this subgraph has "
                "been accepted yet, so gateways do not route to it."
            )
        return (
            f"rejected: {self.name} does not compose; its version accepted at "
            f"{self.current_since.isoformat(timespec='seconds')} stays current."
        )


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One check of a subgraph: when its SDL was fetched and how it went."""

    fetched_at: datetime
    accepted: bool
    messages: list[str]
    warnings: list[str]


@dataclass(frozen=True, slots=True)
class SubgraphStatus:
    name: str
    url: str
    partner: str | None
    current_since: datetime | None
    last_outcome: str
    last_checked: datetime | None
    messages: list[str]
    warnings: list[str]
    headers: list[str]
    # Newest first.
    history: list[VersionRecord]


def _utc(moment: datetime) -> datetime:
    """A time read back from the database, in UTC (SQLite keeps no time zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _current_since(database: Database, name: str) -> datetime | None:
    async with database.engine.connect() as connection:
        since = await connection.scalar(
            select(SubgraphVersion.fetched_at)
            .join(Subgraph, Subgraph.id == SubgraphVersion.subgraph_id)
            .where(Subgraph.name == name, SubgraphVersion.accepted.is_(True))
            .order_by(SubgraphVersion.id.desc())
            .limit(1)
        )
    return _utc(since) if since else None


async def register(
    database: Database,
    hub: SubgraphSource,
    name: str,
    url: str,
    *,
    partner_id: int | None = None,
    headers: Sequence[Header] | None = None,
    required: Sequence[str] = DEFAULT_REQUIRED,
    days: int = 30,
    force: bool = False,
) -> Registration:
    """Register (or refresh) subgraph `name` at `url`: fetch, compose, check
    against the usage of the last `days` days, record.

    A version that composes but breaks fields clients used is refused (kept
    with the check's report as its messages) unless `force`; an accepted one
    with breaking changes keeps them as warnings.

    `headers` are sent with the fetch and kept for later ones; None sends
    (and keeps) those stored with the subgraph. Like the URL, a new set
    replaces the stored one when the version is accepted (or on the first
    registration), so a rejected attempt changes nothing that gateways use."""
    validate(name, url)
    if partner_id is not None:
        async with database.engine.connect() as connection:
            found = await connection.scalar(select(Partner.id).where(Partner.id == partner_id))
        if found is None:
            raise UserInputError(f"no partner has the id {partner_id}.", code="NOT_FOUND")
    sending = list(headers) if headers is not None else await stored_headers(database, name)
    sdl = await fetch_sdl(url, sending)
    others = await current_sources(database, except_name=name)
    # Each composition is a node process of its own: run the two at once.
    results, before = await asyncio.gather(
        compose([hub, *others, SubgraphSource(name, url, sdl)]),
        supergraph(database, hub),
    )
    verdict = judge(results, required)
    report = await usage_report(database, hub, name, results, verdict, days, before=before)
    breaks_usage = report.breaks_usage and not report.composition_errors and not force
    if breaks_usage:
        verdict = Verdict(False, report.lines(), verdict.warnings)
    elif report.breaking:
        verdict = Verdict(verdict.accepted, verdict.errors, [*verdict.warnings, *report.lines()])
    async with database.writer() as session:
        subgraph = await session.scalar(select(Subgraph).where(Subgraph.name == name))
        if subgraph is None:
            subgraph = Subgraph(
                name=name, url=url, partner_id=partner_id, headers=[list(h) for h in sending]
            )
            session.add(subgraph)
            await session.flush()
        elif verdict.accepted:
            subgraph.url = url
            subgraph.partner_id = partner_id if partner_id is not None else subgraph.partner_id
            subgraph.headers = [list(header) for header in sending]
        version = SubgraphVersion(
            subgraph_id=subgraph.id,
            sdl=sdl,
            accepted=verdict.accepted,
            messages=verdict.errors,
            warnings=verdict.warnings,
        )
        session.add(version)
        await session.commit()
    return Registration(
        name=name,
        url=url,
        accepted=verdict.accepted,
        messages=verdict.errors,
        warnings=verdict.warnings,
        current_since=(
            version.fetched_at if verdict.accepted else await _current_since(database, name)
        ),
        headers=masked(sending),
        breaks_usage=breaks_usage,
    )


async def refresh(
    database: Database,
    hub: SubgraphSource,
    name: str,
    *,
    required: Sequence[str] = DEFAULT_REQUIRED,
) -> Registration:
    """Fetch a registered subgraph's SDL again, at its URL with its headers,
    and check it as a new registration."""
    async with database.engine.connect() as connection:
        url = await connection.scalar(select(Subgraph.url).where(Subgraph.name == name))
    if url is None:
        raise UserInputError(
            f"no subgraph is registered as {name!r}: register it with its URL first.",
            code="NOT_FOUND",
        )
    return await register(database, hub, name, url, required=required)


async def list_subgraphs(database: Database) -> list[SubgraphStatus]:
    query = (
        select(Subgraph, Partner.name)
        .outerjoin(Partner, Partner.id == Subgraph.partner_id)
        .order_by(Subgraph.name)
    )
    async with database.sessions() as session:
        rows = (await session.execute(query)).all()
        versions = (
            await session.execute(
                select(
                    SubgraphVersion.subgraph_id,
                    SubgraphVersion.fetched_at,
                    SubgraphVersion.accepted,
                    SubgraphVersion.messages,
                    SubgraphVersion.warnings,
                ).order_by(SubgraphVersion.id.desc())
            )
        ).all()
    by_subgraph: dict[int, list[VersionRecord]] = {}
    for subgraph_id, fetched_at, accepted, messages, warnings in versions:
        record = VersionRecord(_utc(fetched_at), accepted, messages, warnings)
        by_subgraph.setdefault(subgraph_id, []).append(record)
    statuses = []
    for subgraph, partner in rows:
        history = by_subgraph.get(subgraph.id, [])
        current = next((version for version in history if version.accepted), None)
        last = history[0] if history else None
        statuses.append(
            SubgraphStatus(
                name=subgraph.name,
                url=subgraph.url,
                partner=partner,
                current_since=current.fetched_at if current else None,
                last_outcome="accepted" if last and last.accepted else "rejected",
                last_checked=last.fetched_at if last else None,
                messages=last.messages if last else [],
                warnings=last.warnings if last else [],
                headers=masked([(header_name, value) for header_name, value in subgraph.headers]),
                history=history,
            )
        )
    return statuses
