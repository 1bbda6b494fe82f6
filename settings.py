"""Settings, read once from the environment, with safe defaults for the embedded run."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from resolvers.composition import COMPOSERS

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "SettingsError"]

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'hub.db'}"


@dataclass(frozen=True, slots=True)
class Settings:
    """How the hub runs. Every field has an environment variable `HUB_<FIELD>`."""

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    # Where gateways reach this hub's GraphQL endpoint (the subgraph's routing URL).
    public_url: str = "http://127.0.0.1:8000/graphql"
    # Serve GraphiQL at GET /graphql.
    graphiql: bool = True
    # Development mode: introspection, the subgraph SDL and field suggestions
    # for everyone. Production (the default) keeps them for staff keys.
    development: bool = False
    # Create, migrate and seed the database when the app starts.
    auto_migrate: bool = True
    auto_seed: bool = True
    # Rate budgets (sliding windows, "amount/period"); shared through Redis
    # between processes when `redis_url` is set, else kept in memory.
    redis_url: str | None = None
    partner_budget: str = "5000/hour"
    anonymous_budget: str = "60/minute"
    failed_auth_budget: str = "10/minute"
    # The prefix of the hub's keys and channels in Redis.
    budget_namespace: str = "hub"
    # The most one request may cost (engine/limits.py); raise it for trusted
    # batch work only.
    max_cost: int = 1000
    # The most federation representations (`_entities`) one request may name,
    # however its cost is spread: a gateway batches every reference of a query
    # plan step into one request.
    max_representations: int = 2000
    # The compiled read path (engine/execution.py); `false` sends every field
    # through the standard path.
    compiled: bool = True
    # Megabytes of anonymous queries and their encoded answers kept until the
    # data changes (resolvers/responses.py), and the most answers kept; 0 keeps none.
    response_cache_mb: int = 64
    response_cache_entries: int = 10_000
    # Origins whose pages may call the API from a browser (CORS), e.g.
    # `https://app.example.org`; `*` for any. Empty: no CORS headers at all.
    cors_origins: tuple[str, ...] = ()
    # Peers whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed
    # (addresses or networks, e.g. `10.0.0.0/8`): the reverse proxies in front,
    # not the federation gateway, which a gateway key vouches for (app/gateway.py).
    # Budgets count the address a request comes from; with none trusted, a
    # forwarded address is ignored, whoever sends it (but a gateway hop's).
    trusted_proxies: tuple[str, ...] = ()
    # Larger request bodies are refused (413) before they are parsed; gateway
    # hops (a live key in `Hub-Gateway-Key`, app/gateway.py) have their own limit.
    max_body_bytes: int = 64 * 1024
    max_gateway_body_bytes: int = 1024 * 1024
    # Slow clients (connections.py): a request head must arrive within
    # `header_timeout_seconds`, a body within `body_timeout_seconds` (else
    # 408 and the connection closes); an idle kept-alive connection closes
    # after `keep_alive_seconds`; past `max_connections` held at once (per
    # process), requests get 503.
    header_timeout_seconds: int = 10
    body_timeout_seconds: int = 30
    keep_alive_seconds: int = 5
    max_connections: int = 1000
    # Live change subscriptions one WebSocket connection may hold at a time.
    max_subscriptions: int = 10
    # WebSocket connections one process holds at most: in all (fewer than
    # `max_connections`, which they count in, so that requests still get
    # through), from one address, and with one key.
    max_websockets: int = 500
    max_websockets_per_address: int = 20
    max_websockets_per_key: int = 20
    # How often the keys of open WebSocket connections are checked again: a
    # revoked or rotated key's connections close within this time.
    key_check_seconds: int = 30
    # How often the change feed reads the audit log when no notification came
    # (changes made outside the API, by `metrohub import`, send none).
    changes_poll_seconds: int = 5
    # On SIGTERM, how long requests in flight get to finish before the process stops.
    shutdown_seconds: int = 30
    # Processes serving requests (`metrohub serve`); with more than one, set
    # `redis_url` so that they share rate budgets and change notifications.
    workers: int = 1
    # Logs as JSON lines (`json`) or as plain text (`text`); from the
    # environment, text in development mode and JSON otherwise.
    log_format: str = "json"
    # SQLite's `PRAGMA synchronous`: NORMAL survives the hub's process dying
    # (kill -9) without losing a committed write; FULL also survives the OS
    # crashing or the power failing, for fewer writes a second.
    sqlite_synchronous: str = "NORMAL"
    # Centrality rankings (`mostConnected`) are computed in the background at
    # most once per this many seconds, and answers may lag writes by that much;
    # 0: whenever asked after a change, one computation at a time.
    centrality_seconds: int = 60
    # The composers whose verdict decides whether a partner subgraph is
    # accepted (resolvers/composition.py); the others' rejections are kept
    # as warnings. Apollo's is always among them: it writes the supergraph.
    required_composers: tuple[str, ...] = ("apollo",)
    # Days of usage (operations and fields per client) kept; 0 records none.
    usage_days: int = 30
    # How often usage counted in memory is written to the database (and at shutdown).
    usage_flush_seconds: int = 5

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        host = env.get("HUB_HOST", defaults.host)
        port = int(env.get("HUB_PORT", defaults.port))
        development = _flag(env.get("HUB_DEVELOPMENT"), defaults.development)
        return cls(
            database_url=env.get("HUB_DATABASE_URL", defaults.database_url),
            host=host,
            port=port,
            public_url=env.get("HUB_PUBLIC_URL", f"http://{host}:{port}/graphql"),
            graphiql=_flag(env.get("HUB_GRAPHIQL"), defaults.graphiql),
            development=development,
            auto_migrate=_flag(env.get("HUB_AUTO_MIGRATE"), defaults.auto_migrate),
            auto_seed=_flag(env.get("HUB_AUTO_SEED"), defaults.auto_seed),
            redis_url=env.get("HUB_REDIS_URL") or None,
            partner_budget=env.get("HUB_PARTNER_BUDGET", defaults.partner_budget),
            anonymous_budget=env.get("HUB_ANONYMOUS_BUDGET", defaults.anonymous_budget),
            failed_auth_budget=env.get("HUB_FAILED_AUTH_BUDGET", defaults.failed_auth_budget),
            budget_namespace=env.get("HUB_BUDGET_NAMESPACE", defaults.budget_namespace),
            max_cost=int(env.get("HUB_MAX_COST", defaults.max_cost)),
            max_representations=_positive(
                env.get("HUB_MAX_REPRESENTATIONS"), defaults.max_representations
            ),
            compiled=_flag(env.get("HUB_COMPILED_PATH"), defaults.compiled),
            response_cache_mb=_count(env.get("HUB_RESPONSE_CACHE_MB"), defaults.response_cache_mb),
            response_cache_entries=_count(
                env.get("HUB_RESPONSE_CACHE_ENTRIES"), defaults.response_cache_entries
            ),
            cors_origins=_origins(env.get("HUB_CORS_ORIGINS", "")),
            trusted_proxies=_networks(env.get("HUB_TRUSTED_PROXIES", "")),
            max_body_bytes=_positive(env.get("HUB_MAX_BODY_BYTES"), defaults.max_body_bytes),
            max_gateway_body_bytes=_positive(
                env.get("HUB_MAX_GATEWAY_BODY_BYTES"), defaults.max_gateway_body_bytes
            ),
            header_timeout_seconds=_positive(
                env.get("HUB_HEADER_TIMEOUT_SECONDS"), defaults.header_timeout_seconds
            ),
            body_timeout_seconds=_positive(
                env.get("HUB_BODY_TIMEOUT_SECONDS"), defaults.body_timeout_seconds
            ),
            keep_alive_seconds=_positive(
                env.get("HUB_KEEP_ALIVE_SECONDS"), defaults.keep_alive_seconds
            ),
            max_connections=_positive(env.get("HUB_MAX_CONNECTIONS"), defaults.max_connections),
            max_subscriptions=_positive(
                env.get("HUB_MAX_SUBSCRIPTIONS"), defaults.max_subscriptions
            ),
            max_websockets=_positive(env.get("HUB_MAX_WEBSOCKETS"), defaults.max_websockets),
            max_websockets_per_address=_positive(
                env.get("HUB_MAX_WEBSOCKETS_PER_ADDRESS"), defaults.max_websockets_per_address
            ),
            max_websockets_per_key=_positive(
                env.get("HUB_MAX_WEBSOCKETS_PER_KEY"), defaults.max_websockets_per_key
            ),
            key_check_seconds=_positive(
                env.get("HUB_KEY_CHECK_SECONDS"), defaults.key_check_seconds
            ),
            changes_poll_seconds=_positive(
                env.get("HUB_CHANGES_POLL_SECONDS"), defaults.changes_poll_seconds
            ),
            shutdown_seconds=_positive(env.get("HUB_SHUTDOWN_SECONDS"), defaults.shutdown_seconds),
            workers=_positive(env.get("HUB_WORKERS"), defaults.workers),
            # Text for a person at a terminal in development; JSON for log collectors.
            log_format=_choice(
                env.get("HUB_LOG_FORMAT"), ("json", "text"), "text" if development else "json"
            ),
            sqlite_synchronous=_synchronous(
                env.get("HUB_SQLITE_SYNCHRONOUS"), defaults.sqlite_synchronous
            ),
            centrality_seconds=_count(
                env.get("HUB_CENTRALITY_SECONDS"), defaults.centrality_seconds
            ),
            required_composers=_composers(
                env.get("HUB_REQUIRED_COMPOSERS"), defaults.required_composers
            ),
            usage_days=_count(env.get("HUB_USAGE_DAYS"), defaults.usage_days),
            usage_flush_seconds=_positive(
                env.get("HUB_USAGE_FLUSH_SECONDS"), defaults.usage_flush_seconds
            ),
        )


class SettingsError(ValueError):
    """A setting the hub cannot start with; the message names the variable."""


def _composers(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None or value.strip() == "":
        return default
    names = tuple(dict.fromkeys(name.strip().lower() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in COMPOSERS]
    if unknown:
        raise SettingsError(
            f"HUB_REQUIRED_COMPOSERS: unknown composer {', '.join(map(repr, unknown))}; "
            f"the composers are {', '.join(COMPOSERS)} (e.g. `apollo,guild`)."
        )
    if "apollo" not in names:
        raise SettingsError(
            f"HUB_REQUIRED_COMPOSERS={value!r} leaves out apollo: Apollo's composer writes "
            "the supergraph that gateways run, so it is always required (e.g. `apollo,guild`)."
        )
    return names


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


def _origins(value: str) -> tuple[str, ...]:
    origins = tuple(origin.strip() for origin in value.split(",") if origin.strip())
    for origin in origins:
        # Browsers send `Origin` as scheme://host[:port]; anything else never matches.
        parts = urlsplit(origin)
        if origin != "*" and (
            parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query
        ):
            raise ValueError(f"expected origins like https://app.example.org, got {origin!r}")
    return origins


def _networks(value: str) -> tuple[str, ...]:
    networks = tuple(item.strip() for item in value.split(",") if item.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as error:
            raise ValueError(
                f"expected IP addresses or networks like 10.0.0.0/8, got {network!r}"
            ) from error
    return networks


def _synchronous(value: str | None, default: str) -> str:
    if value is None or value == "":
        return default
    if value.upper() not in {"NORMAL", "FULL"}:
        raise ValueError(f"expected NORMAL or FULL, got {value!r}")
    return value.upper()


def _positive(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    number = int(value)
    if number <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return number


def _count(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    number = int(value)
    if number < 0:
        raise ValueError(f"expected a number of 0 or more, got {value!r}")
    return number


def _choice(value: str | None, choices: tuple[str, ...], default: str) -> str:
    if value is None or value == "":
        return default
    if value.lower() not in choices:
        raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
    return value.lower()
