"""usage: operations and fields per client and day

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00.000000

Which clients run which operations, and which fields those read, counted
per day: what the hub executes, and what gateways report of operations
across the partner subgraphs. Kept HUB_USAGE_DAYS; older days are pruned.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USAGE_KEY = ("day", "client_name", "client_version", "operation_name", "signature_hash", "source")


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("client_name", sa.String(length=100), nullable=False),
        sa.Column("client_version", sa.String(length=100), nullable=False),
        sa.Column("operation_name", sa.String(length=200), nullable=False),
        sa.Column("signature_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "usage_operations",
        *_key_columns(),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*USAGE_KEY, name="uq_usage_operations"),
    )
    with op.batch_alter_table("usage_operations", schema=None) as batch_op:
        batch_op.create_index("ix_usage_operations_day", ["day"], unique=False)
    op.create_table(
        "usage_fields",
        *_key_columns(),
        sa.Column("coordinate", sa.String(length=300), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*USAGE_KEY, "coordinate", name="uq_usage_fields"),
    )
    with op.batch_alter_table("usage_fields", schema=None) as batch_op:
        batch_op.create_index("ix_usage_fields_day", ["day"], unique=False)
        batch_op.create_index("ix_usage_fields_coordinate", ["coordinate", "day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("usage_fields", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_fields_coordinate")
        batch_op.drop_index("ix_usage_fields_day")
    op.drop_table("usage_fields")
    with op.batch_alter_table("usage_operations", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_operations_day")
    op.drop_table("usage_operations")
