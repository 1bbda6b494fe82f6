"""names the seed could not link

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 09:00:00.000000

The reference data names members and partners in initiatives' cells; a name
that matches no record, or several, was only written to the seed's log. Each
seed now keeps them here, for the staff's data-quality view (`dataQuality`).
`metrohub seed` fills the table: until it runs again, it is empty.

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unlinked_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("written", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_unlinked_names_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unlinked_names")),
        sa.UniqueConstraint(
            "initiative_id", "field", "name", name=op.f("uq_unlinked_names_initiative_id")
        ),
    )
    with op.batch_alter_table("unlinked_names", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unlinked_names_initiative_id"), ["initiative_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("unlinked_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unlinked_names_initiative_id"))
    op.drop_table("unlinked_names")
