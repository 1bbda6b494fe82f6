"""trusted documents and safelisted keys

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:00:00.000000

Partner apps publish their operations ahead of time (`metrohub documents
publish`): each is kept with its `sha256:` id, the id its build gave it when
that differs (Relay's md5), its client and its operation. A key may be held
to them: `trusted_documents_only` keys run published documents and nothing
else. Existing keys keep running any operation.

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trusted_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.String(length=71), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=True),
        sa.Column("operation_name", sa.String(length=200), nullable=True),
        sa.Column("operation_type", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_documents")),
        sa.UniqueConstraint("client", "document_id", name=op.f("uq_trusted_documents_client")),
    )
    with op.batch_alter_table("trusted_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trusted_documents_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trusted_documents_alias"), ["alias"], unique=False)
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "trusted_documents_only",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("trusted_documents_only")
    with op.batch_alter_table("trusted_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trusted_documents_alias"))
        batch_op.drop_index(batch_op.f("ix_trusted_documents_document_id"))
    op.drop_table("trusted_documents")
