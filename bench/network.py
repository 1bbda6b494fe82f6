"""The benchmark's databases: the seed data, and a generated network the size
of Metropolis at full scale.

Full scale is 137 members (the 75 of the seed and 62 generated ones), 300
initiatives, 3,000 partners, ~2,000 member-initiative and ~6,000
partner-initiative links: the seed topped up by `metrohub seed --demo 3000`
after the generated members. Every generated row is flagged `origin=demo`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, insert, select

from db.demo import ensure_demo
from db.engine import IMMEDIATE, Database
from db.migrate import upgrade
from db.models import Confidence, Member, MemberKind, Origin, Region
from db.seed import seed_reference

__all__ = ["FULL_MEMBERS", "FULL_PARTNERS", "prepare"]

FULL_MEMBERS = 137
FULL_PARTNERS = 3000
# Countries for the generated members, cycled through.
_COUNTRIES = (("BR", "Brazil"), ("IN", "India"), ("NG", "Nigeria"), ("FR", "France"))


async def prepare(path: Path, *, full: bool) -> None:
    """Migrate and seed the database at `path`; at full scale, add the
    generated members and demo partners too. Idempotent."""
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    database = Database(url)
    try:
        await seed_reference(database)
        if full:
            await _ensure_members(database, FULL_MEMBERS)
            await ensure_demo(database, FULL_PARTNERS)
        # Planner statistics, as the hub gathers them at start-up: without
        # them SQLite walks every published partner to find one initiative's.
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await database.dispose()


async def _ensure_members(database: Database, total: int) -> None:
    async with database.engine.connect() as connection:
        connection = await connection.execution_options(**IMMEDIATE)
        async with connection.begin():
            have = (await connection.execute(select(func.count()).select_from(Member))).scalar_one()
            regions = list(
                (await connection.execute(select(Region.id).order_by(Region.id))).scalars()
            )
            rows = []
            for index in range(have, total):
                code, country = _COUNTRIES[index % len(_COUNTRIES)]
                rows.append(
                    {
                        "name": f"Demo Metropolis {index:03d}",
                        "short_name": f"Demo Metropolis {index:03d}",
                        "country_code": code,
                        "country_name": country,
                        "region_id": regions[index % len(regions)],
                        "kind": MemberKind.CITY,
                        "origin": Origin.DEMO,
                        "confidence": Confidence.MEDIUM,
                        "source_urls": [],
                    }
                )
            if rows:
                await connection.execute(insert(Member), rows)
