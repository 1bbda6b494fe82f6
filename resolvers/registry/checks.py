"""Checking a subgraph's next version, storing nothing: does it compose with
the hub and the other subgraphs' current versions (the required composers
decide), what does it change in the supergraph's API schema, and which
clients' recorded operations does it break (`resolvers.schema_checks`).

`check_version` is the one way in, for `metrohub subgraphs check` and the
`subgraphCheck` mutation alike; `may_check` says who may ask through the API;
`usage_report` is also how a registration judges its version."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Final

from graphql import GraphQLError, parse
from sqlalchemy import select

from db.engine import Database
from db.models import Subgraph
from resolvers.access.keys import Principal
from resolvers.composition import Composition, SubgraphSource, Verdict, compose, judge
from resolvers.errors import UserInputError
from resolvers.headers import Header
from resolvers.registry.sources import (
    DEFAULT_REQUIRED,
    current_sources,
    fetch_sdl,
    stored_headers,
    supergraph,
    validate,
    validate_name,
)
from resolvers.schema_checks import CheckReport, check_schemas, read_schema
from resolvers.writes import ForbiddenError

__all__ = ["MAX_DAYS", "check", "check_version", "may_check", "usage_report"]

# Usage is kept HUB_USAGE_DAYS (30 by default); a year is the most worth asking for.
MAX_DAYS: Final = 366
# Where a checked SDL would be served: it is composed, never routed to.
CHECKED_URL: Final = "http://subgraph.check"


async def may_check(
    database: Database, principal: Principal, name: str, url: str | None = None
) -> None:
    """Refuse a check unless the caller holds a staff key, or the key of the
    partner the registered subgraph `name` belongs to; a partner's check
    fetches SDL from the subgraph's registered URL only (or is given it), so
    that a partner key never has the hub send requests elsewhere."""
    if principal.is_staff:
        return
    if principal.partner_id is None:
        raise ForbiddenError(
            "Checking a subgraph needs a staff key, or the key of the partner that runs it: "
            "send `Authorization: Bearer <key>`."
        )
    async with database.engine.connect() as connection:
        registered = (
            await connection.execute(
                select(Subgraph.partner_id, Subgraph.url).where(Subgraph.name == name)
            )
        ).first()
    if registered is None or registered.partner_id != principal.partner_id:
        raise ForbiddenError(
            f"A partner key may check only its own partner's subgraphs, and {name!r} is not "
            "registered to it: ask Metropolis staff to register it with your partner."
        )
    if url is not None and url != registered.url:
        raise ForbiddenError(
            f"A partner key checks SDL fetched from its subgraph's registered URL "
            f"({registered.url}) only: send the SDL of a version served elsewhere as `sdl`."
        )


async def check_version(
    database: Database,
    hub: SubgraphSource,
    name: str,
    *,
    url: str | None = None,
    sdl: str | None = None,
    headers: Sequence[Header] | None = None,
    days: int = 30,
    required: Sequence[str] = DEFAULT_REQUIRED,
) -> CheckReport:
    """Check subgraph `name`'s next version: `sdl` as given, or the SDL the
    subgraph at `url` serves (fetched with `headers`, by default those stored
    with it). Exactly one of `url` and `sdl`."""
    if (url is None) == (sdl is None):
        raise UserInputError(
            "give either the subgraph's URL (to fetch its SDL from) or its SDL: one of the two.",
            code="URL_OR_SDL",
        )
    if not 1 <= days <= MAX_DAYS:
        raise UserInputError(
            f"`days` must be between 1 and {MAX_DAYS}, got {days}.", code="INVALID_DAYS"
        )
    if sdl is None:
        assert url is not None  # one of the two, as checked above
        validate(name, url)
        sending = list(headers) if headers is not None else await stored_headers(database, name)
        sdl = await fetch_sdl(url, sending)
    return await check(database, hub, name, sdl, days=days, required=required)


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
    validate_name(name)
    try:
        parse(sdl)
    except GraphQLError as error:
        raise UserInputError(
            f"the SDL for {name} is not valid GraphQL: {error.message}", code="INVALID_SDL"
        ) from error
    others = await current_sources(database, except_name=name)
    # The required composers only: a check reports no other composer's warnings.
    deciding = tuple(dict.fromkeys(("apollo", *required)))
    # Each composition is a node process of its own: run the two at once.
    after, before = await asyncio.gather(
        compose([hub, *others, SubgraphSource(name, CHECKED_URL, sdl)], deciding),
        supergraph(database, hub),
    )
    return await usage_report(
        database, hub, name, after, judge(after, required), days, before=before
    )


async def usage_report(
    database: Database,
    hub: SubgraphSource,
    name: str,
    results: Sequence[Composition],
    verdict: Verdict,
    days: int,
    *,
    before: Composition | None = None,
) -> CheckReport:
    """The check of a composition's outcome: its errors, or the changes from
    the current supergraph's API schema (`before`, composed here when not
    given) to its own, with their usage."""
    subject = f"subgraph {name}"
    proposed = next((r for r in results if r.composer == "apollo" and r.ok), None)
    if not verdict.accepted or proposed is None or proposed.supergraph_sdl is None:
        errors = verdict.errors or ["apollo: no supergraph"]
        return CheckReport(subject, days, composition_errors=errors)
    before = before or await supergraph(database, hub)
    old = read_schema(before.supergraph_sdl or "", "the current supergraph")
    new = read_schema(proposed.supergraph_sdl, "the proposed supergraph")
    return await check_schemas(database, subject, old, new, days)
