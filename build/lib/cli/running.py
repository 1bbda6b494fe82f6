"""How a command works on the hub's database: the database named by the
settings is opened, one coroutine runs on it, and its connections are closed
however the coroutine ends."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from db.engine import Database
    from settings import Settings

__all__ = ["run_reporting_input_errors", "run_with_database"]

T = TypeVar("T")


def run_with_database(
    work: Callable[[Database], Awaitable[T]], settings: Settings | None = None
) -> T:
    """What `work` returns on the database of `settings` (by default, of the
    environment: HUB_DATABASE_URL); the database is disposed of after, whether
    `work` returned or raised."""
    from db.engine import Database
    from settings import Settings

    url = (settings or Settings.from_env()).database_url

    async def run() -> T:
        database = Database(url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


def run_reporting_input_errors(
    work: Callable[[Database], Awaitable[int]], settings: Settings | None = None
) -> int:
    """`run_with_database` for a command whose bad input the resolvers refuse
    (`UserInputError`): their message goes to standard error, and the exit
    status is 2."""
    from resolvers.errors import UserInputError

    try:
        return run_with_database(work, settings)
    except UserInputError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
