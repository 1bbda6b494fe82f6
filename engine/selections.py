"""How the engine's walks step into fragments: the one place that follows a
fragment spread or an inline fragment to the selections it stands for and the
type they apply to, for the walks that price a document (`cost.py`), bound its
depth and size (`limits.py`) and find its root fields (`exposure.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)

__all__ = ["Fragment", "Fragments", "fields_of", "fragment_of", "fragments_of"]

Fragments = Mapping[str, FragmentDefinitionNode]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The document's fragment definitions, by name."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


@dataclass(frozen=True, slots=True)
class Fragment:
    """What a fragment stands for where it is selected."""

    selections: SelectionSetNode
    # The type its selections apply to: its type condition's, else the parent's.
    type: Any
    # The named fragments spread on the way here, this one included.
    seen: frozenset[str]
    # Its type condition's name; None for an inline fragment without one.
    condition: str | None


def fragment_of(
    selection: Any, parent: Any, schema: GraphQLSchema, fragments: Fragments, seen: frozenset[str]
) -> Fragment | None:
    """The fragment a selection is, followed; None for a field, and for a spread
    that cannot be followed (of an unknown fragment, or spreading one already on
    the way: a cycle, which validation refuses)."""
    if isinstance(selection, FragmentSpreadNode):
        name = selection.name.value
        definition = fragments.get(name)
        if definition is None or name in seen:
            return None
        spread_on = definition.type_condition.name.value
        return Fragment(
            definition.selection_set, schema.get_type(spread_on), seen | {name}, spread_on
        )
    if isinstance(selection, InlineFragmentNode):
        named = selection.type_condition
        condition = named.name.value if named else None
        target = schema.get_type(condition) if condition else parent
        return Fragment(selection.selection_set, target, seen, condition)
    return None


def fields_of(
    selection_sets: Iterable[SelectionSetNode], fragments: Fragments
) -> Iterator[FieldNode]:
    """The fields of these selection sets, through their fragments (each named
    fragment followed once), without regard to types or directives."""
    pending = list(selection_sets)
    spread: set[str] = set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in spread and name in fragments:
                    spread.add(name)
                    pending.append(fragments[name].selection_set)
