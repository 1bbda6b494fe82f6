"""Documents, parsed once and validated once, and what the engine works out
for each (its fields' plans and what their pages read) kept beside it.

Partner apps send few distinct documents, often: parsing and validating each
once makes small queries some ten times faster. The documents are kept by
their text in one `BoundedCache`, counted by what a parsed document really
holds (its text, and per token the token, its node and the engine's work on
it: `BYTES_PER_TOKEN`, measured with tracemalloc, see tests/test_caches.py),
so unique documents cannot grow the process. What is worked out per document
lives in its entry's `memo` and goes with it: nothing else holds a document.

Published documents (trusted documents, see app/persisted.py) are pinned:
kept apart from the bounded cache, so that however many ad-hoc documents pass
through it, a published one is parsed, validated and priced once a process.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from engine.limits import LIMITS, check_selections, validation_limits
from resolvers.caches import BoundedCache

__all__ = [
    "Documents",
    "Parsed",
    "check_document",
    "memo_of",
    "parse_document",
    "parsed",
    "pin",
    "pinned",
]

# What one token of a parsed document costs: the token, its share of the
# nodes, and the plans and page reads worked out for its fields.
BYTES_PER_TOKEN: Final = 1_500
MAX_BYTES: Final = 64 * 1024 * 1024
MAX_ENTRIES: Final = 512
# Published documents pinned at most; past it, the oldest pinned goes back to
# the bounded cache's rules (published documents are staff's to add).
MAX_PINNED: Final = 4_096


@dataclass(eq=False, slots=True)
class Parsed:
    """A parsed document, its validation errors by the rules checked, and
    what the engine keeps for it (by ids of its nodes, which live as long)."""

    document: DocumentNode
    errors: dict[tuple[Any, ...], list[GraphQLError]] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict)


_DOCUMENTS: BoundedCache[str, Parsed] = BoundedCache(MAX_BYTES, MAX_ENTRIES)
_PINNED: dict[str, Parsed] = {}


def parsed(query: str) -> Parsed:
    """`query` parsed (at most `LIMITS.max_tokens` tokens, and
    `LIMITS.max_selections` once its fragments are spread), from the cache
    when it was before; a syntax error, or a document over those limits, is
    raised as a `GraphQLError`."""
    entry = _PINNED.get(query) or _DOCUMENTS.get(query)
    if entry is None:
        document = parse(query, max_tokens=LIMITS.max_tokens)
        # Before validation, whose rules walk the document with its fragments
        # spread: one that expands without bound would hold the event loop.
        check_selections(document)
        entry = Parsed(document)
        _DOCUMENTS.put(query, entry, _size(query, entry.document))
    return entry


def parse_document(query: str) -> DocumentNode:
    return parsed(query).document


def pin(query: str) -> Parsed:
    """A published document, parsed once and kept (with its validation and
    prices) as long as the process runs, outside the bounded cache."""
    entry = _PINNED.get(query)
    if entry is None:
        entry = parsed(query)
        _PINNED[query] = entry
        _DOCUMENTS.pop(query)
        if len(_PINNED) > MAX_PINNED:
            _PINNED.pop(next(iter(_PINNED)))
    return entry


def pinned(query: str) -> bool:
    """Whether `query` is a published document this process has pinned."""
    return query in _PINNED


def check_document(schema: GraphQLSchema, query: str) -> str | None:
    """What is wrong with a document to be published, checked as a request's
    would be (syntax, the limits, the validation rules): one line, or None."""
    try:
        document = parsed(query).document
    except GraphQLError as error:
        return error.message
    errors = validate_document(schema, document, (*specified_rules, *validation_limits()))
    if not errors:
        return None
    return " ".join(_explained(error).message for error in errors[:3])


def memo_of(context: Any) -> dict[Any, Any]:
    """The memo of the document a request runs (see `Documents`); a fresh one
    for a context that has none."""
    memo: dict[Any, Any] | None = getattr(context, "document_memo", None)
    return {} if memo is None else memo


def _size(query: str, document: DocumentNode) -> int:
    tokens = 0
    token = document.loc.start_token if document.loc else None
    while token is not None:
        tokens += 1
        token = token.next
    return sys.getsizeof(query) + tokens * BYTES_PER_TOKEN


def _explained(error: GraphQLError) -> GraphQLError:
    """graphql-core's bare "Validation aborted." (its budget for checking that
    fields of one name merge, `LIMITS.max_merge_checks`, ran out, or fragments
    nest too deeply) as an error that says what to change."""
    if not isinstance(error, ValidationAbortedError) or error.message != "Validation aborted.":
        return error
    return GraphQLError(
        "The query is too costly to validate: it asks for fields of one name, or spreads "
        "fragments that do, too many times over. Ask for each field once.",
        extensions={"code": "QUERY_TOO_LARGE"},
    )


class Documents(SchemaExtension):
    """Parsing and validation through the cache of documents; the request's
    context is given the document's memo."""

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        entry = parsed(execution_context.query or "")
        execution_context.graphql_document = entry.document
        context = execution_context.context
        if hasattr(context, "document_memo"):
            context.document_memo = entry.memo
        self._entry = entry
        yield

    def on_validate(self) -> Iterator[None]:
        execution_context = self.execution_context
        rules = tuple(execution_context.validation_rules)
        errors = self._entry.errors.get(rules)
        if errors is None:
            errors = validate_document(
                execution_context.schema._schema, self._entry.document, rules
            )
            errors = [_explained(error) for error in errors]
            self._entry.errors[rules] = errors
        execution_context.pre_execution_errors = errors
        yield
