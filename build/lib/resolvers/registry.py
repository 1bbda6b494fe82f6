"""The registry of partner subgraphs.

Staff register a partner's subgraph by name and URL; the hub fetches its SDL
(`_service { sdl }`), composes it with the hub's schema and every other
registered subgraph's current SDL under all three composers, and keeps the
version with its outcome. A version that fails composition is kept with the
composers' messages and replaces nothing: the last good supergraph stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import select

from db.engine import Database
from db.models import Partner, Subgraph, SubgraphVersion
from resolvers.composition import Composition, SubgraphSource, compose
from resolvers.errors import UserInputError

__all__ = [
    "Registration",
    "SubgraphStatus",
    "current_sources",
    "fetch_sdl",
    "list_subgraphs",
    "register",
    "supergraph",
]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
FETCH_TIMEOUT_SECONDS = 10.0
SERVICE_QUERY = "query SubgraphSdl { _service { sdl } }"


@dataclass(frozen=True, slots=True)
class Registration:
    """The outcome of registering (or refreshing) a subgraph."""

    name: str
    url: str
    accepted: bool
    messages: list[str]


@dataclass(frozen=True, slots=True)
class SubgraphStatus:
    name: str
    url: str
    partner: str | None
    current_since: datetime | None
    last_outcome: str
    last_checked: datetime | None
    messages: list[str]


async def fetch_sdl(url: str) -> str:
    """Ask a subgraph for its SDL, as a gateway would."""
    try:
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as client:
            response = await client.post(url, json={"query": SERVICE_QUERY})
        response.raise_for_status()
        sdl = response.json()["data"]["_service"]["sdl"]
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


def _messages(results: list[Composition]) -> list[str]:
    return [f"{result.composer}: {error}" for result in results for error in result.errors]


async def register(
    database: Database,
    hub: SubgraphSource,
    name: str,
    url: str,
    *,
    partner_id: int | None = None,
) -> Registration:
    """Register (or refresh) subgraph `name` at `url`: fetch, compose, record."""
    _validate(name, url)
    if partner_id is not None:
        async with database.engine.connect() as connection:
            found = await connection.scalar(select(Partner.id).where(Partner.id == partner_id))
        if found is None:
            raise UserInputError(f"no partner has the id {partner_id}.", code="NOT_FOUND")
    sdl = await fetch_sdl(url)
    others = await current_sources(database, except_name=name)
    results = await compose([hub, *others, SubgraphSource(name, url, sdl)])
    accepted = all(result.ok for result in results)
    messages = _messages(results)
    async with database.writer() as session:
        subgraph = await session.scalar(select(Subgraph).where(Subgraph.name == name))
        if subgraph is None:
            subgraph = Subgraph(name=name, url=url, partner_id=partner_id)
            session.add(subgraph)
            await session.flush()
        elif accepted:
            subgraph.url = url
            subgraph.partner_id = partner_id if partner_id is not None else subgraph.partner_id
        session.add(
            SubgraphVersion(subgraph_id=subgraph.id, sdl=sdl, accepted=accepted, messages=messages)
        )
        await session.commit()
    return Registration(name, url, accepted, messages)


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
            await session.scalars(select(SubgraphVersion).order_by(SubgraphVersion.id))
        ).all()
    by_subgraph: dict[int, list[SubgraphVersion]] = {}
    for version in versions:
        by_subgraph.setdefault(version.subgraph_id, []).append(version)
    statuses = []
    for subgraph, partner in rows:
        history = by_subgraph.get(subgraph.id, [])
        accepted = [v for v in history if v.accepted]
        last = history[-1] if history else None
        statuses.append(
            SubgraphStatus(
                name=subgraph.name,
                url=subgraph.url,
                partner=partner,
                current_since=accepted[-1].fetched_at if accepted else None,
                last_outcome="accepted" if last and last.accepted else "rejected",
                last_checked=last.fetched_at if last else None,
                messages=last.messages if last else [],
            )
        )
    return statuses
