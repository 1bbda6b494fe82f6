"""the gateway role replaces the gateway scope

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00.000000

A federation gateway had a partner or staff key with the `gateway` scope,
which let it read `_service` and lent the key's privileges and budget to
every end user it forwarded. Keys now have a `gateway` role instead (sent as
`Hub-Gateway-Key`, with no data privileges of its own), and the `scopes`
column goes: a key that had the scope keeps its role and loses the scope,
and each such key is named in the migration's log, for its holder to be
given a gateway key. Downgrading deletes gateway keys, which the older
schema cannot hold (a rotated key's link to one is cleared), and gives every
key an empty list of scopes.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")

ROLES = ("partner", "staff", "admin")
ROLE_CHECK = "ck_api_keys_role"

keys = sa.table(
    "api_keys",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("role", sa.String()),
    sa.column("scopes", sa.JSON()),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
    sa.column("replaced_by_id", sa.Integer()),
)


def _roles(*roles: str) -> str:
    return "role IN ({})".format(", ".join(f"'{role}'" for role in roles))


def upgrade() -> None:
    rows = op.get_bind().execute(
        sa.select(keys.c.id, keys.c.name, keys.c.scopes).where(keys.c.revoked_at.is_(None))
    )
    for key_id, name, scopes in rows:
        if "gateway" in (scopes or ()):
            logger.warning(
                "key %s (%r) loses the gateway scope, which no longer exists: give its "
                "gateway a key of its own (`metrohub keys create --role gateway`).",
                key_id,
                name,
            )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(ROLE_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(ROLE_CHECK), _roles(*ROLES, "gateway"))
        batch_op.drop_column("scopes")


def downgrade() -> None:
    gateways = sa.select(keys.c.id).where(keys.c.role == "gateway").scalar_subquery()
    op.execute(keys.update().where(keys.c.replaced_by_id.in_(gateways)).values(replaced_by_id=None))
    op.execute(keys.delete().where(keys.c.role == "gateway"))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.drop_constraint(op.f(ROLE_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(ROLE_CHECK), _roles(*ROLES))
