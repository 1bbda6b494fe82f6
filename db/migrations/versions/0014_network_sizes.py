"""network sizes: the sizes the network has stated

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:40:00.000000

Reference data (`db/reference/network_size.csv`, filled in by the seed): how
many records of a kind the network says it has, with who said it and when,
so that the hub can state its coverage (`statistics { coverage }`).

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_sizes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("records", sa.String(length=32), nullable=False),
        sa.Column("stated", sa.Integer(), nullable=False),
        sa.Column("statement", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("stated_on", sa.String(length=10), nullable=False),
        sa.Column("source_urls", sa.JSON(), nullable=False),
        sa.Column(
            "confidence",
            sa.Enum(
                "high",
                "medium",
                name="confidence",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "origin",
            sa.Enum(
                "reference",
                "staff",
                "partner",
                "demo",
                name="origin",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_sizes")),
        sa.UniqueConstraint("records", "stated_on", name=op.f("uq_network_sizes_records")),
    )
    with op.batch_alter_table("network_sizes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_network_sizes_origin"), ["origin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("network_sizes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_sizes_origin"))
    op.drop_table("network_sizes")
