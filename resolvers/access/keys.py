"""API keys: issuing, checking and revoking them.

A key reads `mh_live_<secret><check>`: a readable prefix, 256 random bits in
base62, and a 6-character CRC32 checksum, so a mistyped key is refused before
any lookup. The database keeps only the key's SHA-256 digest (and its first
characters as a hint), never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute

from db.engine import Database
from db.models import ApiKey, Partner, Role
from resolvers.errors import UserInputError

__all__ = [
    "ANONYMOUS",
    "KEY_INFO_COLUMNS",
    "PREFIX",
    "AuthenticationError",
    "IssuedKey",
    "KeyInfo",
    "Principal",
    "authenticate",
    "authenticate_gateway",
    "issue_key",
    "live_keys",
    "revoke_key",
    "rotate_key",
]

PREFIX = "mh_live_"
ALPHABET = string.digits + string.ascii_letters
SECRET_LENGTH = 43  # 62**43 > 2**256
CHECK_LENGTH = 6  # 62**6 > 2**32, the CRC32's range
KEY_LENGTH = len(PREFIX) + SECRET_LENGTH + CHECK_LENGTH
HINT_LENGTH = len(PREFIX) + 4


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: anonymous, or the holder of an API key."""

    role: str = "anonymous"
    key_id: int | None = None
    partner_id: int | None = None
    name: str = "anonymous"
    # Safelisting: the key runs only published documents (see app/persisted.py).
    trusted_documents_only: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role in {Role.STAFF, Role.ADMIN}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_authenticated(self) -> bool:
        """Whether a key was sent and accepted: a gateway key too, which holds
        no data privileges (see `is_partner_or_staff`)."""
        return self.key_id is not None

    @property
    def is_partner_or_staff(self) -> bool:
        """Whether the caller holds a key with data privileges: contact
        details, writes, a budget of points or none at all."""
        return self.role in {Role.PARTNER, Role.STAFF, Role.ADMIN}

    @property
    def is_gateway(self) -> bool:
        return self.role == Role.GATEWAY


ANONYMOUS = Principal()


class AuthenticationError(Exception):
    """The key was refused; the message says why, without revealing secrets."""


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What is known of a key once issued: everything but the key itself."""

    id: int
    hint: str
    name: str
    role: str
    partner_id: int | None
    created_at: datetime
    revoked_at: datetime | None
    replaced_by_id: int | None
    trusted_documents_only: bool = False


# The columns a `KeyInfo` is read from, in its fields' order.
KEY_INFO_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    ApiKey.id,
    ApiKey.hint,
    ApiKey.name,
    ApiKey.role,
    ApiKey.partner_id,
    ApiKey.created_at,
    ApiKey.revoked_at,
    ApiKey.replaced_by_id,
    ApiKey.trusted_documents_only,
)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: `key` is shown once and cannot be recovered later."""

    key: str
    details: KeyInfo

    @property
    def id(self) -> int:
        return self.details.id

    @property
    def role(self) -> str:
        return self.details.role

    @property
    def name(self) -> str:
        return self.details.name


def _base62(number: int, length: int) -> str:
    digits = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECK_LENGTH)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    body = PREFIX + _base62(secrets.randbits(256), SECRET_LENGTH)
    return body + _checksum(body)


def check_format(key: str) -> None:
    """Refuse a key that cannot be one of ours, before any database lookup."""
    if not key.startswith(PREFIX) or len(key) != KEY_LENGTH:
        raise AuthenticationError(
            f"the API key is malformed: keys start with `{PREFIX}` and are {KEY_LENGTH} "
            "characters long."
        )
    body, check = key[:-CHECK_LENGTH], key[-CHECK_LENGTH:]
    if any(c not in ALPHABET for c in body[len(PREFIX) :]) or not hmac.compare_digest(
        check, _checksum(body)
    ):
        raise AuthenticationError(
            "the API key's checksum does not match: it was mistyped or truncated."
        )


async def authenticate(database: Database, key: str) -> Principal:
    """The principal a key stands for; refused if malformed, unknown or revoked."""
    check_format(key)
    digest = _digest(key)
    async with database.engine.connect() as connection:
        row = (
            await connection.execute(
                select(
                    ApiKey.id,
                    ApiKey.digest,
                    ApiKey.role,
                    ApiKey.partner_id,
                    ApiKey.name,
                    ApiKey.revoked_at,
                    ApiKey.trusted_documents_only,
                ).where(ApiKey.digest == digest)
            )
        ).first()
    if row is None or not hmac.compare_digest(row.digest, digest):
        raise AuthenticationError("the API key is not known: ask Metropolis staff for a key.")
    if row.revoked_at is not None:
        raise AuthenticationError("the API key has been revoked: use its replacement.")
    return Principal(
        role=str(row.role),
        key_id=row.id,
        partner_id=row.partner_id,
        name=row.name,
        trusted_documents_only=bool(row.trusted_documents_only),
    )


async def authenticate_gateway(database: Database, key: str) -> Principal:
    """The gateway a key stands for; refused if it is not a live gateway key
    (a partner or staff key lends no gateway its privileges)."""
    principal = await authenticate(database, key)
    if not principal.is_gateway:
        raise AuthenticationError(
            "the key is not a gateway key: create one with `metrohub keys create --role "
            "gateway`, and send partner and staff keys as `Authorization: Bearer <key>`."
        )
    return principal


async def live_keys(database: Database, key_ids: Iterable[int]) -> set[int]:
    """Those of `key_ids` that are still live: not revoked (nor rotated, which
    revokes the old key)."""
    wanted = sorted(set(key_ids))
    live: set[int] = set()
    async with database.engine.connect() as connection:
        # In slices: SQLite takes a limited number of parameters per statement.
        for start in range(0, len(wanted), 500):
            rows = await connection.execute(
                select(ApiKey.id).where(
                    ApiKey.id.in_(wanted[start : start + 500]), ApiKey.revoked_at.is_(None)
                )
            )
            live.update(rows.scalars())
    return live


async def issue_key(
    database: Database,
    *,
    name: str,
    role: Role,
    partner_id: int | None = None,
    trusted_documents_only: bool = False,
) -> IssuedKey:
    """Create a key; the returned `key` is the only copy there will ever be.
    A `trusted_documents_only` key runs only published documents."""
    if (role is Role.PARTNER) != (partner_id is not None):
        raise UserInputError(
            "a partner key needs a partner, and only a partner key has one.",
            code="INVALID_KEY_ROLE",
        )
    if not 1 <= len(name.strip()) <= 200:
        raise UserInputError("a key's name takes 1 to 200 characters.", code="INVALID_NAME")
    key = new_key()
    async with database.writer() as session:
        if partner_id is not None and await session.get(Partner, partner_id) is None:
            raise UserInputError(f"no partner has the id {partner_id}.", code="NOT_FOUND")
        row = ApiKey(
            digest=_digest(key),
            hint=key[:HINT_LENGTH],
            name=name.strip(),
            role=role,
            partner_id=partner_id,
            trusted_documents_only=trusted_documents_only,
        )
        session.add(row)
        await session.commit()
        details = KeyInfo(
            row.id,
            row.hint,
            row.name,
            role.value,
            partner_id,
            row.created_at,
            None,
            None,
            trusted_documents_only,
        )
        return IssuedKey(key, details)


async def revoke_key(database: Database, key_id: int) -> bool:
    """Revoke a key from the next request on; False if there is no such live key."""
    async with database.writer() as session:
        result = await session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        await session.commit()
    return bool(getattr(result, "rowcount", 0))


async def rotate_key(database: Database, key_id: int) -> IssuedKey | None:
    """Issue a replacement with the same name, role and partner, and revoke the old key."""
    async with database.sessions() as session:
        old = await session.get(ApiKey, key_id)
    if old is None or old.revoked_at is not None:
        return None
    issued = await issue_key(
        database,
        name=old.name,
        role=Role(old.role),
        partner_id=old.partner_id,
        trusted_documents_only=old.trusted_documents_only,
    )
    async with database.writer() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(revoked_at=datetime.now(UTC), replaced_by_id=issued.id)
        )
        await session.commit()
    return issued
