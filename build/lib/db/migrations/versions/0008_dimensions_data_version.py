"""data version counts sustainability dimensions too

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 06:30:00.000000

The data version (revision 0006) now also says when cached answers are stale
(the response cache, `resolvers/responses.py`), and those answers show an
initiative's sustainability dimensions: a transaction that writes only to
`initiative_dimensions` counts it up too. On SQLite this revision does
nothing: `PRAGMA data_version` sees every commit.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "initiative_dimensions"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE CONSTRAINT TRIGGER data_version_{TABLE} "
        f"AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_data_version()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER IF EXISTS data_version_{TABLE} ON {TABLE}")
