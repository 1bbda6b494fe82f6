"""The database made ready for the hub at start-up: created, migrated and
seeded on first run, as the settings allow."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from db.engine import Database
from db.migrate import upgrade
from db.models import Region
from db.seed import seed_reference
from settings import Settings

__all__ = ["prepare_database"]

logger = logging.getLogger("metrohub")


async def prepare_database(settings: Settings, database: Database) -> None:
    """Create and migrate the database, and seed it with the reference data on
    first run (when it holds no regions yet)."""
    if settings.auto_migrate:
        await upgrade(settings.database_url)
    if settings.auto_seed and not await _has_reference_data(database):
        report = await seed_reference(database)
        for line in report.lines():
            logger.info("seed: %s", line)
    if settings.auto_migrate:
        # Planner statistics (SQLite and PostgreSQL alike): without them SQLite
        # reads an initiative's partners by walking every published partner.
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")


async def _has_reference_data(database: Database) -> bool:
    async with database.engine.connect() as connection:
        count = (await connection.execute(select(func.count()).select_from(Region))).scalar_one()
    return bool(count)
