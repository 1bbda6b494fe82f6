"""What the registry's registrations and checks share: subgraph names and
URLs, fetching a subgraph's SDL as a gateway would, and the current
versions of the registered subgraphs with the supergraph they compose into."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import httpx
from sqlalchemy import select

from db.engine import Database
from db.models import Subgraph, SubgraphVersion
from resolvers.composition import TIMEOUT_SECONDS, Composition, SubgraphSource, compose
from resolvers.errors import UserInputError
from resolvers.headers import Header

__all__ = [
    "DEFAULT_REQUIRED",
    "LONGEST_SECONDS",
    "current_sources",
    "fetch_sdl",
    "stored_headers",
    "supergraph",
    "validate",
    "validate_name",
]

NAME_PATTERN: Final = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
FETCH_TIMEOUT_SECONDS: Final = 10.0
# The longest registering or checking a version can take: fetching its SDL,
# then composing, each bounded by a timeout of its own, which a busy machine
# can take past a request's ordinary time budget.
LONGEST_SECONDS: Final = FETCH_TIMEOUT_SECONDS + TIMEOUT_SECONDS
SERVICE_QUERY: Final = "query SubgraphSdl { _service { sdl } }"
DEFAULT_REQUIRED: Final = ("apollo",)


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


def validate_name(name: str) -> None:
    """Refuse a subgraph name that is not valid, or the hub's own."""
    if not NAME_PATTERN.match(name):
        raise UserInputError(
            f"subgraph name {name!r} is not valid: use 2-63 lower-case letters, digits and "
            "hyphens, starting with a letter (e.g. `city-indicators`).",
            code="INVALID_SUBGRAPH_NAME",
        )
    if name == "hub":
        raise UserInputError("the name `hub` is the hub's own subgraph.", code="RESERVED_NAME")


def validate(name: str, url: str) -> None:
    """Refuse a subgraph name or URL that is not valid."""
    validate_name(name)
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


async def supergraph(database: Database, hub: SubgraphSource) -> Composition:
    """The supergraph of the hub and every registered subgraph's current SDL
    (Apollo's composer: its output is what Apollo Router and Hive Gateway read)."""
    [result] = await compose([hub, *await current_sources(database)], composers=("apollo",))
    return result
