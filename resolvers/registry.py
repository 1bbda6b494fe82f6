"""The registry of partner subgraphs.

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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from graphql import GraphQLError, parse
from sqlalchemy import select

from db.engine import Database
from db.models import Partner, Subgraph, SubgraphVersion
from resolvers.composition import Composition, SubgraphSource, Verdict, compose, judge
from resolvers.errors import UserInputError
from resolvers.headers import Header, masked
from resolvers.schema_checks import CheckReport, check_schemas, read_schema

__all__ = [
    "Registration",
    "SubgraphStatus",
    "VersionRecord",
    "check",
    "current_sources",
    "fetch_sdl",
    "list_subgraphs",
    "refresh",
    "register",
    "stored_headers",
    "supergraph",
]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
FETCH_TIMEOUT_SECONDS = 10.0
SERVICE_QUERY = "query SubgraphSdl { _service { sdl } }"
DEFAULT_REQUIRED = ("apollo",)


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


async def fetch_sdl(url: str, headers: Sequence[Header] = ()) -> str:
    """Ask a subgraph for its SDL, as a gateway would, with its headers."""
    try:
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as client:
            response = await client.post(url, json={"query": SERVICE_QUERY}, headers=list(headers))
        response.raise_for_status()
        sdl = response.json()["data"]["_service"]["sdl"]
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        hint = (
            " It wants credentials: pass the header it expects (--header "
            "'Authorization: Bearer <token>'), or check the one given."
            if status in {401, 403}
            else ""
        )
        raise UserInputError(
            f"could not read the subgraph's SDL from {url}: it answered HTTP {status}.{hint}",
            code="SUBGRAPH_UNREACHABLE",
        ) from error
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        raise UserInputError(
            f"could not read the subgraph's SDL from {url}: {error}. Check that it is a "
            "federation subgraph answering `{ _service { sdl } }` at that URL.",
            code="SUBGRAPH_UNREACHABLE",
        ) from error
    if not isinstance(sdl, str) or not sdl.strip():
        raise UserInputError(f"{url} answered `_service` with no SDL.", code="SUBGRAPH_UNREACHABLE")
    return sdl


def _validate(name: str, url: str) -> None:
    if not NAME_PATTERN.match(name):
        raise UserInputError(
            f"subgraph name {name!r} is not valid: use 2-63 lower-case letters, digits and "
            "hyphens, starting with a letter (e.g. `city-indicators`).",
            code="INVALID_SUBGRAPH_NAME",
        )
    if name == "hub":
        raise UserInputError("the name `hub` is the hub's own subgraph.", code="RESERVED_NAME")
    if not re.match(r"^https?://[^\s/]+", url):
        raise UserInputError(
            f"subgraph URL {url!r} is not an http(s) URL.", code="INVALID_SUBGRAPH_URL"
        )


async def current_sources(
    database: Database, *, except_name: str | None = None
) -> list[SubgraphSource]:
    """Every registered subgraph's newest accepted SDL, by name."""
    async with database.engine.connect() as connection:
        rows = (
            await connection.execute(
                select(Subgraph.name, Subgraph.url, SubgraphVersion.sdl, SubgraphVersion.id)
                .join(SubgraphVersion, SubgraphVersion.subgraph_id == Subgraph.id)
                .where(SubgraphVersion.accepted.is_(True))
                .order_by(Subgraph.name, SubgraphVersion.id.desc())
            )
        ).all()
    sources: dict[str, SubgraphSource] = {}
    for name, url, sdl, _ in rows:
        if name != except_name and name not in sources:
            sources[name] = SubgraphSource(name, url, sdl)
    return list(sources.values())


async def stored_headers(database: Database, name: str) -> list[Header]:
    async with database.engine.connect() as connection:
        stored = await connection.scalar(select(Subgraph.headers).where(Subgraph.name == name))
    return [(header_name, value) for header_name, value in stored or []]


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
    _validate(name, url)
    if partner_id is not None:
        async with database.engine.connect() as connection:
            found = await connection.scalar(select(Partner.id).where(Partner.id == partner_id))
        if found is None:
            raise UserInputError(f"no partner has the id {partner_id}.", code="NOT_FOUND")
    sending = list(headers) if headers is not None else await stored_headers(database, name)
    sdl = await fetch_sdl(url, sending)
    others = await current_sources(database, except_name=name)
    results = await compose([hub, *others, SubgraphSource(name, url, sdl)])
    verdict = judge(results, required)
    report = await _usage_report(database, hub, name, results, verdict, days)
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


async def supergraph(database: Database, hub: SubgraphSource) -> Composition:
    """The supergraph of the hub and every registered subgraph's current SDL
    (Apollo's composer: its output is what Apollo Router and Hive Gateway read)."""
    [result] = await compose([hub, *await current_sources(database)], composers=("apollo",))
    return result


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


async def check(
    database: Database,
    hub: SubgraphSource,
    name: str,
    sdl: str,
    *,
    days: int = 30,
    required: Sequence[str] = DEFAULT_REQUIRED,
) -> CheckReport:
    """Check `sdl` as subgraph `name`'s next version, storing nothing: compose
    it with the hub and the other current versions (the required composers
    decide), then diff the supergraph's API schema before and after against
    the usage of the last `days` days."""
    if name == "hub" or not NAME_PATTERN.match(name):
        _validate(name, "http://subgraph")
    try:
        parse(sdl)
    except GraphQLError as error:
        raise UserInputError(
            f"the SDL for {name} is not valid GraphQL: {error.message}", code="INVALID_SDL"
        ) from error
    others = await current_sources(database, except_name=name)
    after = await compose([hub, *others, SubgraphSource(name, "http://subgraph.check", sdl)])
    return await _usage_report(database, hub, name, after, judge(after, required), days)


async def _usage_report(
    database: Database,
    hub: SubgraphSource,
    name: str,
    results: Sequence[Composition],
    verdict: Verdict,
    days: int,
) -> CheckReport:
    """The check of a composition's outcome: its errors, or the changes from
    the current supergraph's API schema to its own, with their usage."""
    subject = f"subgraph {name}"
    proposed = next((r for r in results if r.composer == "apollo" and r.ok), None)
    if not verdict.accepted or proposed is None or proposed.supergraph_sdl is None:
        errors = verdict.errors or ["apollo: no supergraph"]
        return CheckReport(subject, days, composition_errors=errors)
    before = await supergraph(database, hub)
    old = read_schema(before.supergraph_sdl or "", "the current supergraph")
    new = read_schema(proposed.supergraph_sdl, "the proposed supergraph")
    return await check_schemas(database, subject, old, new, days)
