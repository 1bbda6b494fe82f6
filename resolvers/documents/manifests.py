"""The files partner apps' builds write their operations to, read into
documents the hub can publish.

Two formats: Apollo's persisted query manifest
(`{"format": "apollo-persisted-query-manifest", "version": 1, "operations":
[{"id", "name", "type", "body"}]}`, as `@apollo/generate-persisted-query-manifest`
and Apollo Kotlin write it), and the JSON object of Relay's persisted queries
(`relay-compiler`'s `--persist-output`, or `persistConfig.file`:
`{"<id>": "<text>"}`). An id that looks like a hash (32, 40 or 64 hex digits:
md5, sha1 or sha256, the algorithms Relay offers) must be that hash of its
body; any other id is the app's own, kept as given. Every document is known
by `sha256:<hex>` of its body; an id that is not that is kept as its alias.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Final

from graphql import GraphQLError, OperationDefinitionNode, parse

from resolvers.errors import UserInputError

__all__ = ["APOLLO_FORMAT", "MAX_BYTES", "Manifested", "document_id", "read_manifest"]

APOLLO_FORMAT: Final = "apollo-persisted-query-manifest"
SHA256_PREFIX: Final = "sha256:"
MAX_BYTES: Final = 8 * 1024 * 1024
MAX_ALIAS_LENGTH: Final = 200
# The hash an id of this many hex digits is taken to be.
HASHES: Final = {32: "md5", 40: "sha1", 64: "sha256"}
HEX: Final = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True, slots=True)
class Manifested:
    """One document of a manifest, checked against its id."""

    document_id: str
    alias: str | None
    operation_name: str | None
    operation_type: str
    body: str


def document_id(body: str) -> str:
    """The id the hub knows a document by: `sha256:` and the hex SHA-256 of its text."""
    return SHA256_PREFIX + hashlib.sha256(body.encode()).hexdigest()


def read_manifest(content: bytes | str) -> list[Manifested]:
    """The documents of a manifest (JSON, UTF-8, at most `MAX_BYTES`), Apollo's
    or Relay's; the first problem found refuses the whole file
    (`UserInputError`, one line)."""
    if len(content) > MAX_BYTES:
        raise _invalid(f"the manifest is over {MAX_BYTES // 1024 // 1024} MB: publish it in parts.")
    try:
        text = content.decode() if isinstance(content, bytes) else content
    except UnicodeDecodeError as error:
        raise _invalid(f"the manifest is not UTF-8 text (byte {error.start}).") from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserInputError(
            f"the manifest is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}).",
            code="INVALID_MANIFEST",
        ) from None
    if isinstance(manifest, dict) and "format" in manifest:
        entries = _apollo_entries(manifest)
    elif isinstance(manifest, dict):
        entries = list(manifest.items())
    else:
        raise _invalid(
            "a manifest is a JSON object: Apollo's persisted query manifest or Relay's "
            '`{"<id>": "<document>"}`.'
        )
    if not entries:
        raise _invalid("the manifest holds no operations.")
    documents = [_document(given_id, body) for given_id, body in entries]
    _check_aliases(documents)
    return documents


def _apollo_entries(content: dict[str, Any]) -> list[tuple[object, object]]:
    if content.get("format") != APOLLO_FORMAT or content.get("version") != 1:
        raise _invalid(
            f'an Apollo manifest has `"format": "{APOLLO_FORMAT}"` and `"version": 1`; this one '
            f"has {content.get('format')!r} and {content.get('version')!r}."
        )
    operations = content.get("operations")
    if not isinstance(operations, list):
        raise _invalid("an Apollo manifest lists its documents in `operations`.")
    entries: list[tuple[object, object]] = []
    for number, operation in enumerate(operations, 1):
        if not isinstance(operation, dict):
            raise _invalid(f"operation {number} of the manifest is not an object.")
        entries.append((operation.get("id"), operation.get("body")))
    return entries


def _document(given_id: object, body: object) -> Manifested:
    if not isinstance(given_id, str) or not given_id.strip():
        raise _invalid(f"a document's id must be a non-empty string, not {given_id!r}.")
    if not isinstance(body, str) or not body.strip():
        raise _invalid(f"document {given_id!r} has no text: its body must be a GraphQL document.")
    own_id = document_id(body)
    alias = None if given_id in (own_id, own_id.removeprefix(SHA256_PREFIX)) else given_id
    if alias is not None:
        _check_hash(given_id, body)
        if len(alias) > MAX_ALIAS_LENGTH:
            raise _invalid(f"document id {alias[:40]!r}... is over {MAX_ALIAS_LENGTH} characters.")
    name, kind = _operation(given_id, body)
    return Manifested(own_id, alias, name, kind, body)


def _check_hash(given_id: str, body: str) -> None:
    """An id that is a hash (`sha256:<hex>`, or md5, sha1 or sha256 in hex) must
    be the hash of its body."""
    digits = given_id.removeprefix(SHA256_PREFIX)
    algorithm = HASHES.get(len(digits)) if HEX.fullmatch(digits) else None
    if given_id.startswith(SHA256_PREFIX) and algorithm != "sha256":
        algorithm = "sha256"
    if algorithm is None:
        return
    if hashlib.new(algorithm, body.encode()).hexdigest() != digits.lower():
        raise UserInputError(
            f"document {given_id!r} does not match its body (its {algorithm} is "
            f"{hashlib.new(algorithm, body.encode()).hexdigest()}): the manifest was edited or "
            "is out of date; build it again. Nothing was published.",
            code="DOCUMENT_HASH_MISMATCH",
        )


def _operation(given_id: str, body: str) -> tuple[str | None, str]:
    """The name and type of a document's operation (the first, when it has several)."""
    try:
        document = parse(body, no_location=True)
    except GraphQLError as error:
        raise _invalid(f"document {given_id!r} is not GraphQL: {error.message}") from None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise _invalid(f"document {given_id!r} has no operation to run.")
    first = operations[0]
    name = first.name.value if first.name and len(operations) == 1 else None
    return name, first.operation.value


def _check_aliases(documents: list[Manifested]) -> None:
    bodies: dict[str, str] = {}
    for document in documents:
        if document.alias is None:
            continue
        if bodies.setdefault(document.alias, document.document_id) != document.document_id:
            raise _invalid(f"the manifest gives id {document.alias!r} to two different documents.")


def _invalid(message: str) -> UserInputError:
    return UserInputError(message, code="INVALID_MANIFEST")
