"""`metrohub serve`: the hub under uvicorn, with one worker or several."""

from __future__ import annotations

import argparse
import logging.config

from cli.arguments import Commands, at_least

__all__ = ["register"]


def register(commands: Commands) -> None:
    serve = commands.add_parser(
        "serve", help="run the hub (creates, migrates and seeds the database on first run)"
    )
    serve.add_argument("--host", help="address to listen on (default: HUB_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: HUB_PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=_positive_int,
        help="worker processes (default: HUB_WORKERS or 1); with more than one, set "
        "HUB_REDIS_URL so that they share rate budgets and change notifications",
    )
    serve.set_defaults(run=_serve)


def _positive_int(value: str) -> int:
    return at_least(1, value)


def _serve(args: argparse.Namespace) -> int:
    import os
    import tempfile

    import uvicorn

    import logs
    from cli.running import run_with_database
    from connections import uvicorn_options
    from settings import Settings

    # The app reads its settings in each worker: `--host` and `--port` reach it
    # as the environment, so that its public URL names where it listens.
    if args.host:
        os.environ["HUB_HOST"] = args.host
    if args.port:
        os.environ["HUB_PORT"] = str(args.port)
    settings = Settings.from_env()
    host, port = settings.host, settings.port
    workers = args.workers or settings.workers
    log_config = logs.logging_config(json=settings.log_format == "json")
    logging.config.dictConfig(log_config)
    if workers > 1:
        from db.prepare import prepare_database

        # Migrate and seed once, here, rather than in N workers at once.
        run_with_database(lambda database: prepare_database(settings, database), settings)
        os.environ["HUB_AUTO_MIGRATE"] = os.environ["HUB_AUTO_SEED"] = "false"
        # The workers' metrics add up in files here (see metrics.py).
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="metrohub-"))
    uvicorn.run(
        "server:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=settings.shutdown_seconds,
        # Forwarded addresses are the app's to believe, from HUB_TRUSTED_PROXIES
        # only (app/proxies.py); uvicorn's own default believes any local peer.
        proxy_headers=False,
        # One JSON line per request comes from the hub (logs.RequestLog), with its id.
        access_log=False,
        log_config=log_config,
        **uvicorn_options(settings),
    )
    return 0
