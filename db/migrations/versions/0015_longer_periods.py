"""longer initiative periods

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:30:00.000000

An initiative's period is written as its source gives it, with the source's
note beside the years ("from 2020 (approved by the European Commission; ...)"),
and the reference data now holds one of 105 characters: the column takes 200.

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _period_of(length: int, was: int) -> None:
    """Give the column its new length. Neither database keeps a table's
    triggers (the search index's, the data version's) through the change:
    PostgreSQL will not alter a column a trigger watches, and SQLite makes the
    table anew. So they are read, dropped and made again as they were."""
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    triggers = bind.execute(
        sa.text(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'initiatives'::regclass AND NOT tgisinternal"
            if postgresql
            else "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'initiatives'"
        )
    ).all()
    for name, _definition in triggers:
        op.execute(f"DROP TRIGGER {name}" + (" ON initiatives" if postgresql else ""))
    with op.batch_alter_table("initiatives") as batch:
        batch.alter_column(
            "period",
            type_=sa.String(length),
            existing_type=sa.String(was),
            existing_nullable=True,
            # Going back cuts a longer period to the old length.
            postgresql_using=f"left(period, {length})",
        )
    for _name, definition in triggers:
        op.execute(definition)


def upgrade() -> None:
    _period_of(200, was=100)


def downgrade() -> None:
    _period_of(100, was=200)
