"""The registry of partner subgraphs: registering their versions
(`subgraphs`), checking a next version without storing it (`checks`), and
what both share: fetching SDL, the current versions and their supergraph
(`sources`)."""

from resolvers.registry.checks import MAX_DAYS, check, check_version, may_check
from resolvers.registry.sources import (
    DEFAULT_REQUIRED,
    LONGEST_SECONDS,
    current_sources,
    fetch_sdl,
    stored_headers,
    supergraph,
)
from resolvers.registry.subgraphs import (
    Registration,
    SubgraphStatus,
    VersionRecord,
    list_subgraphs,
    refresh,
    register,
)

__all__ = [
    "DEFAULT_REQUIRED",
    "LONGEST_SECONDS",
    "MAX_DAYS",
    "Registration",
    "SubgraphStatus",
    "VersionRecord",
    "check",
    "check_version",
    "current_sources",
    "fetch_sdl",
    "list_subgraphs",
    "may_check",
    "refresh",
    "register",
    "stored_headers",
    "supergraph",
]
