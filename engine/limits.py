"""Request limits: what one GraphQL document may ask of the hub.

Checked before execution, with errors that say which limit was hit: tokens,
depth, aliases (counted through fragments) and directives here, as validation
rules; the size and depth of `where` filters (engine/filter_limits.py) and the
static cost with the number of nodes the answer could hold (engine/cost.py)
once the document validates. Execution itself has a time budget (see
`schema.HubSchema`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
)

from engine.selections import fragment_of, fragments_of

__all__ = [
    "LIMITS",
    "Limits",
    "check_selections",
    "depth_of",
    "expanded_selections",
    "limit_extensions",
    "operation_named",
    "validation_limits",
]


@dataclass(frozen=True, slots=True)
class Limits:
    max_tokens: int = 1000
    # Selections once every fragment spread is replaced by its fragment: what
    # validation and the limits below walk. Tokens alone do not bound it: a
    # fragment that spreads the next one twice, twenty times over, is 200
    # tokens and a million selections.
    max_selections: int = 5_000
    # graphql-core's budget for checking that fields of one name merge (they
    # are compared pairwise; a comparison costs 2): its default, 500,000, lets
    # 990 `__typename`s hold the event loop ~100 ms before it gives up.
    max_merge_checks: int = 100_000
    max_depth: int = 8
    max_aliases: int = 15
    max_directives: int = 50
    max_cost: int = 1000
    max_nodes: int = 10_000
    # Federation representations in one request (`HUB_MAX_REPRESENTATIONS`).
    max_representations: int = 2000
    mutation_cost: int = 10
    time_seconds: float = 10.0
    # `where` filters: conditions (a field compared, a place, a relation step)
    # in one filter, relation steps inside each other (`initiatives: {some:
    # {partners: {some: ...}}}` is two), and `and`/`or`/`not` inside each other.
    max_filter_conditions: int = 50
    max_filter_steps: int = 3
    max_filter_nesting: int = 10
    # A relation step's price: this many points for each step it is from the
    # list (20 points at the first step, 40 inside it, 60 inside that); a condition costs 1.
    filter_step_cost: int = 20
    # Objects and lists inside each other in a request's `variables` or `extensions`.
    max_json_depth: int = 64


LIMITS = Limits()
# Read by the rule each time validation starts (graphql-core's documented knob).
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = LIMITS.max_merge_checks


def operation_named(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation `name` of the document, or its only one; None when there is none."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def expanded_selections(document: DocumentNode) -> int:
    """How many selections (fields, fragments and spreads) the document's
    operations hold once every fragment spread is replaced by its fragment,
    as validation and the limits' walks meet them. Worked out in one pass
    over the document (each fragment's size is counted once and kept), so
    that a fragment spread over and over costs nothing to count."""
    fragments = fragments_of(document)
    sizes: dict[str, int] = {}

    def size(selections: SelectionSetNode, visiting: frozenset[str]) -> int:
        total = 0
        for selection in selections.selections:
            total += 1
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in sizes and name in fragments and name not in visiting:
                    # A fragment cycle is refused by validation itself.
                    sizes[name] = size(fragments[name].selection_set, visiting | {name})
                total += sizes.get(name, 0)
            elif (
                isinstance(selection, FieldNode | InlineFragmentNode)
                and selection.selection_set is not None
            ):
                total += size(selection.selection_set, visiting)
        return total

    return sum(
        size(d.selection_set, frozenset())
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


def check_selections(document: DocumentNode, limit: int = LIMITS.max_selections) -> None:
    """Raise a `GraphQLError` when the document expands to more than `limit`
    selections: checked before anything walks the expanded document."""
    count = expanded_selections(document)
    if count > limit:
        raise GraphQLError(
            f"The query holds {count:,} selections once its fragments are spread; at most "
            f"{limit:,} are allowed. Spread each fragment fewer times, or ask for less.",
            extensions={"code": "QUERY_TOO_LARGE"},
        )


def _directive_rule(limit: int) -> type[ValidationRule]:
    class DirectiveLimit(ValidationRule):
        """At most `limit` directives in a document, fragments included."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            count = sum(
                len(getattr(node, "directives", None) or ())
                for node in _all_nodes(context.document.definitions)
            )
            if count > limit:
                context.report_error(
                    GraphQLError(
                        f"{count} directives found; a document may use at most {limit}.",
                        extensions={"code": "TOO_MANY_DIRECTIVES"},
                    )
                )

    return DirectiveLimit


def _all_nodes(nodes: Any) -> Iterator[Any]:
    for node in nodes:
        yield node
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            yield from _all_nodes(selection_set.selections)


def _plumbing(parent: Any, name: str) -> bool:
    """A connection's `edges` and an edge's `node`: wrappers, not a step deeper."""
    type_name = getattr(parent, "name", "")
    return (name == "edges" and type_name.endswith("Connection")) or (
        name == "node" and type_name.endswith("Edge")
    )


def depth_of(schema: GraphQLSchema, document: DocumentNode) -> int:
    """How many objects deep the document's deepest operation reaches,
    fragments included; connection wrappers (`edges`, `node`) and introspection
    do not count."""
    fragments = fragments_of(document)

    def walk(selections: SelectionSetNode, parent: Any, seen: frozenset[str]) -> int:
        deepest = 0
        for selection in selections.selections:
            fragment = fragment_of(selection, parent, schema, fragments, seen)
            if fragment is not None:
                deepest = max(deepest, walk(fragment.selections, fragment.type, fragment.seen))
            elif (
                isinstance(selection, FieldNode)
                and selection.selection_set is not None
                and not selection.name.value.startswith("__")
            ):
                # Introspection (`__schema`, `__type`) is as deep as the schema's types
                # nest, not as the data does; who may introspect is `Exposure`'s rule.
                definition = (getattr(parent, "fields", None) or {}).get(selection.name.value)
                target = get_named_type(definition.type) if definition else None
                step = 0 if _plumbing(parent, selection.name.value) else 1
                deepest = max(deepest, step + walk(selection.selection_set, target, seen))
        return deepest

    deepest = 0
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            root = (
                schema.mutation_type
                if operation.operation is OperationType.MUTATION
                else schema.query_type
            )
            deepest = max(deepest, walk(operation.selection_set, root, frozenset()))
    return deepest


def _depth_rule(limit: int) -> type[ValidationRule]:
    class DepthLimit(ValidationRule):
        """At most `limit` objects deep."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            depth = depth_of(context.schema, context.document)
            if depth > limit:
                context.report_error(
                    GraphQLError(
                        f"The query is {depth} objects deep; at most {limit} are allowed "
                        "(a connection's `edges { node }` counts once). Ask for less nesting.",
                        extensions={"code": "QUERY_TOO_DEEP"},
                    )
                )

    return DepthLimit


# The rule classes are made once: the validation cache is keyed by them.
_RULES = (
    _depth_rule(LIMITS.max_depth),
    *MaxAliasesLimiter(max_alias_count=LIMITS.max_aliases).validation_rules,
    _directive_rule(LIMITS.max_directives),
)


def validation_limits() -> tuple[Any, ...]:
    """The validation rules that enforce the limits (depth, aliases, directives)."""
    return _RULES


def limit_extensions() -> list[Any]:
    """The extensions that enforce the limits before validation (as factories:
    a fresh instance per request)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=LIMITS.max_tokens),
        lambda: AddValidationRules(list(_RULES)),
    ]
