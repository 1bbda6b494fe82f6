"""The hub's own records: federated subgraphs and their versions, API keys,
the trusted documents partner apps publish, the audit trail and idempotent
replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, enum_column, utcnow
from db.models.enums import Role

__all__ = [
    "ApiKey",
    "AuditEntry",
    "IdempotencyRecord",
    "Subgraph",
    "SubgraphVersion",
    "TrustedDocument",
]


class Subgraph(Base):
    """A partner's GraphQL subgraph, registered with the hub for composition."""

    __tablename__ = "subgraphs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The headers sent with every fetch of its SDL, as [name, value] pairs: a
    # partner that protects `_service` gives the hub a credential to send. The
    # hub needs the values themselves to send them, so they are stored as
    # given; nothing shows them but masked (resolvers/headers.py).
    headers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)


class SubgraphVersion(Base):
    """One SDL fetched from a subgraph, and whether it composed with the others.

    The subgraph's current SDL is its newest accepted version: a rejected one
    is kept with the composers' messages and replaces nothing. `messages` are
    the required composers' errors (why it was rejected), `warnings` the other
    composers' (kept, deciding nothing)."""

    __tablename__ = "subgraph_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subgraph_id: Mapped[int] = mapped_column(
        ForeignKey("subgraphs.id", ondelete="CASCADE"), index=True
    )
    sdl: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted: Mapped[bool] = mapped_column(Boolean)
    messages: Mapped[list[str]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)


class ApiKey(Base):
    """An API key: only its SHA-256 digest is stored, never the key itself."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters, to recognise it in lists (not a secret).
    hint: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # Safelisting: the key runs only published documents (`TrustedDocument`).
    trusted_documents_only: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint(
            "(role = 'partner') = (partner_id IS NOT NULL)", name="partner_keys_have_a_partner"
        ),
    )


class TrustedDocument(Base):
    """An operation a partner app published ahead of time, run by its id.

    `document_id` is `sha256:<hex>` of the body; `alias` the id the app's
    build gave it when that is something else (Relay's md5, a custom id), by
    which it may be sent too. The same body published for two clients is two
    rows with one `document_id`."""

    __tablename__ = "trusted_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[str] = mapped_column(String(71), index=True)
    alias: Mapped[str | None] = mapped_column(String(200), index=True)
    operation_name: Mapped[str | None] = mapped_column(String(200))
    operation_type: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("client", "document_id"),)


class AuditEntry(Base):
    """One change to one record: append-only."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, list[object]]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_entries_record", "record_type", "record_id", "id"),)


class IdempotencyRecord(Base):
    """The outcome of a create sent with an idempotency key, so a retry of
    the same request applies once and answers the same."""

    __tablename__ = "idempotency_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("key_id", "operation", "idempotency_key"),)
