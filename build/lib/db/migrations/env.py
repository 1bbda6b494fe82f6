"""Alembic environment: runs on a connection handed over by `db.migrate`, or
opens its own (async) engine when called from the `alembic` command line."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from db.engine import Database
from db.models import Base

config = context.config
target_metadata = Base.metadata

# The full-text search index (revision 0005: an FTS5 virtual table and its
# shadow tables on SQLite, a tsvector table on PostgreSQL) and PostgreSQL's
# data version (revision 0006) are kept up by triggers; they have no model,
# so autogenerate must neither drop them nor report them as differences.
UNMODELLED_TABLE_PREFIXES = ("search_index", "data_version")


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    return not (type_ == "table" and (name or "").startswith(UNMODELLED_TABLE_PREFIXES))


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    from settings import Settings

    database = Database(Settings.from_env().database_url, foreign_keys=False)
    async with database.engine.connect() as connection:
        await connection.run_sync(run_with)
        await connection.commit()
    await database.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    asyncio.run(run_standalone())
