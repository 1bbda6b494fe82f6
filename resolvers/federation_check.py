"""The hub's own schema checked against the registered partner subgraphs.

A subgraph accepted yesterday composed with yesterday's hub. When the hub
starts with a schema of its own that no longer composes with the subgraphs'
accepted versions (a field a partner also defines, with another type), the
supergraph the gateways need cannot be built; the hub says so on `/ready`
and in its log. The check runs in the background, within a bound: the hub
serves its own clients meanwhile, as it can whatever the check finds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from db.engine import Database
from resolvers.composition import CompositionUnavailableError, SubgraphSource, compose, judge
from resolvers.registry import current_sources

__all__ = ["FederationCheck", "FederationStatus"]

logger = logging.getLogger("metrohub.federation")

# Composition of the hub and a few subgraphs takes seconds; past this, the
# check gives up and says so rather than keep a node process running.
CHECK_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class FederationStatus:
    """How the check stands: `checking`, `composes`, `broken` (the hub's
    schema and the subgraphs' accepted versions do not compose) or
    `unchecked` (the check could not run; `problems` says why)."""

    status: str
    subgraphs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "subgraphs": self.subgraphs, "problems": self.problems}


class FederationCheck:
    """Composes the hub's schema with every registered subgraph's accepted
    version once, in the background, under the required composers."""

    def __init__(
        self,
        database: Database,
        required: Sequence[str],
        *,
        timeout_seconds: float = CHECK_SECONDS,
    ) -> None:
        self._database = database
        self._required = tuple(required)
        self._timeout_seconds = timeout_seconds
        self._task: asyncio.Task[None] | None = None
        self.status = FederationStatus("checking")

    async def start(self, hub: SubgraphSource) -> None:
        """Read the registry (one statement, before the hub serves), then
        compose in the background; `status` says how the check stands."""
        try:
            sources = await current_sources(self._database)
        except SQLAlchemyError as error:
            # An unmigrated database, say: /ready says what is wrong with it.
            logger.warning(
                "federation check: the registry could not be read: %s",
                error.args[0] if error.args else error,
            )
            self.status = FederationStatus(
                "unchecked", problems=["the registry of subgraphs could not be read"]
            )
            return
        if not sources:
            self.status = FederationStatus("composes")
            return
        self.status = FederationStatus("checking", [source.name for source in sources])
        self._task = asyncio.create_task(self._run(hub, sources), name="federation-check")

    async def wait(self) -> FederationStatus:
        """The status once the check has finished."""
        if self._task is not None:
            await asyncio.shield(self._task)
        return self.status

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self, hub: SubgraphSource, sources: list[SubgraphSource]) -> None:
        names = [source.name for source in sources]
        try:
            results = await compose(
                [hub, *sources], self._required, timeout_seconds=self._timeout_seconds
            )
        except CompositionUnavailableError as error:
            logger.warning("federation check: could not compose: %s", error)
            self.status = FederationStatus("unchecked", names, [f"could not compose: {error}"])
            return
        verdict = judge(results, self._required)
        if verdict.accepted:
            logger.info("federation check: the hub composes with %s", ", ".join(names))
            self.status = FederationStatus("composes", names)
            return
        logger.error(
            "federation check: the hub's schema does not compose with the accepted versions "
            "of %s; gateways cannot build a supergraph until the hub or the subgraphs "
            "change: %s",
            ", ".join(names),
            " | ".join(verdict.errors),
        )
        self.status = FederationStatus("broken", names, verdict.errors)
