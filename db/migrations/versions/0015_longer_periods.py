"""longer initiative periods

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:30:00.000000

An initiative's period is written as its source gives it, with the source's
note beside the years ("from 2020 (approved by the European Commission; ...)"),
and the reference data now holds one of 105 characters: the column takes 200.
SQLite does not enforce a text column's length, so only PostgreSQL's changes.

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _period_of(length: int, was: int) -> None:
    """Give the column its new length; PostgreSQL will not alter a column a
    trigger watches (the search index's), so those are dropped and made again."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    triggers = bind.execute(
        sa.text(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'initiatives'::regclass AND NOT tgisinternal"
        )
    ).all()
    for name, _definition in triggers:
        op.execute(f"DROP TRIGGER {name} ON initiatives")
    op.alter_column(
        "initiatives",
        "period",
        type_=sa.String(length),
        existing_type=sa.String(was),
        # Going back cuts a longer period to the old length.
        postgresql_using=f"left(period, {length})",
    )
    for _name, definition in triggers:
        op.execute(definition)


def upgrade() -> None:
    _period_of(200, was=100)


def downgrade() -> None:
    _period_of(100, was=200)
