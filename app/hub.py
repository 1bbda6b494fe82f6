"""The process's services, built once when the app is created and shared by
every request: the view, the middlewares and the routes take the `Hub`
rather than each service on its own."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from db.engine import Database
from db.versions import DataVersion
from exports import EXPORTS_AT_ONCE
from metrics import watch_engine
from resolvers.access.budgets import Budgets
from resolvers.access.connections import Connections
from resolvers.changes import ChangeFeed, ChangeSignal, change_signal
from resolvers.federation_check import FederationCheck
from resolvers.graph import GraphCache
from resolvers.responses import ResponseCache
from resolvers.usage import UsageRecorder
from settings import Settings

__all__ = ["Hub"]


@dataclass(frozen=True)
class Hub:
    settings: Settings
    database: Database
    # The data version, which the network graph and the response cache check.
    versions: DataVersion
    # The network graph, rebuilt when the data changes.
    graphs: GraphCache
    # Rate budgets by key and by address.
    budgets: Budgets
    # Wakes the change feed, which reads the audit log for every change stream.
    changes: ChangeSignal
    feed: ChangeFeed
    # The caps on WebSocket connections, in total, by address and by key.
    connections: Connections
    # Anonymous query results; None when the settings turn the cache off.
    responses: ResponseCache | None
    # GeoJSON exports take turns (see `exports.EXPORTS_AT_ONCE`).
    export_turns: asyncio.Semaphore
    # The hub's schema against the registered subgraphs, checked at start-up.
    federation: FederationCheck
    # Operations and fields per client, written in batches; None when
    # HUB_USAGE_DAYS is 0.
    usage: UsageRecorder | None

    @classmethod
    def build(cls, settings: Settings) -> Hub:
        database = Database(settings.database_url, synchronous=settings.sqlite_synchronous)
        versions = DataVersion(database)
        graphs = GraphCache(database, versions, centrality_seconds=settings.centrality_seconds)
        changes = change_signal(
            settings.redis_url, settings.budget_namespace, settings.changes_poll_seconds
        )
        watch_engine(database.engine)
        return cls(
            settings=settings,
            database=database,
            versions=versions,
            graphs=graphs,
            budgets=Budgets(
                settings.redis_url,
                partner=settings.partner_budget,
                anonymous=settings.anonymous_budget,
                failed_authentication=settings.failed_auth_budget,
                namespace=settings.budget_namespace,
            ),
            changes=changes,
            feed=ChangeFeed(database, changes),
            connections=Connections(
                database,
                total=settings.max_websockets,
                per_address=settings.max_websockets_per_address,
                per_key=settings.max_websockets_per_key,
                key_check_seconds=settings.key_check_seconds,
            ),
            responses=(
                ResponseCache(
                    versions,
                    settings.response_cache_mb * 1024 * 1024,
                    settings.response_cache_entries,
                )
                if settings.response_cache_mb and settings.response_cache_entries
                else None
            ),
            export_turns=asyncio.Semaphore(EXPORTS_AT_ONCE),
            federation=FederationCheck(database, settings.required_composers),
            usage=(
                UsageRecorder(database, settings.usage_days, settings.usage_flush_seconds)
                if settings.usage_days
                else None
            ),
        )

    async def close(self) -> None:
        """Closes the services, the database last: the others may still use it."""
        await self.federation.close()
        # Before the database goes: the counts held are written now.
        if self.usage is not None:
            await self.usage.close()
        await self.connections.close()
        await self.feed.close()
        await self.changes.close()
        await self.graphs.close()
        await self.versions.close()
        await self.database.dispose()
