"""subgraph headers and composer warnings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:00:00.000000

A registered subgraph keeps the headers the hub sends when it fetches its SDL
(a partner that protects `_service` gives it a credential), and each version
keeps the advisory composers' messages apart from the deciding ones': only
the required composers (Apollo's by default) decide acceptance.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    with op.batch_alter_table("subgraphs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("headers", sa.JSON(), nullable=False, server_default=EMPTY_LIST)
        )
    with op.batch_alter_table("subgraph_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("warnings", sa.JSON(), nullable=False, server_default=EMPTY_LIST)
        )


def downgrade() -> None:
    with op.batch_alter_table("subgraph_versions", schema=None) as batch_op:
        batch_op.drop_column("warnings")
    with op.batch_alter_table("subgraphs", schema=None) as batch_op:
        batch_op.drop_column("headers")
