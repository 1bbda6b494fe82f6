"""How a planned object selection is completed: one function written for
each selection, with its fields' reads and its answer's dict literal
unrolled, as `dataclasses` writes an `__init__` (a loop over the fields'
plans costs a call and two checks a field more).

A field is one of three parts: a `Read` of the parent (a plain field: its
code inlines, down to `value.<attribute>` for an attribute), a `Constant`
(`__typename`), or any other plan, called. A plan may give `Pending` (a
batched field, read later for all its parents): its key keeps its place in
the dict, and the run puts the answer there (`engine.compiled.run`).
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from engine.compiled.values import MISS, Plan, Waiting, tally

if TYPE_CHECKING:
    from engine.compiled.batches import Batch

__all__ = ["Constant", "Part", "Pending", "Read", "object_plan", "plan_of"]


class Pending:
    """A batched field's parent, waiting for the field to be read."""

    __slots__ = ("batch", "complete", "source")

    def __init__(self, batch: Batch, source: Any, complete: Plan) -> None:
        self.batch = batch
        self.source = source
        self.complete = complete


@dataclass(frozen=True, slots=True)
class Read:
    """A plain field: read from the parent by `read` (its attribute
    `attribute`, when that is all it does), given back as it is when of type
    `same`, else completed by `complete`."""

    attribute: str
    read: Callable[[Any], Any]
    same: type | None
    complete: Plan

    @property
    def inlined(self) -> bool:
        """Whether the read can be written `value.<attribute>`."""
        attribute = self.attribute
        return (
            type(self.read) is attrgetter
            and attribute.isidentifier()
            and not keyword.iskeyword(attribute)
        )


@dataclass(frozen=True, slots=True)
class Constant:
    """A field whose answer is always `value`."""

    value: str


Part = Read | Constant | Plan


def plan_of(part: Part) -> Plan:
    """The part as a plan of its own (a field outside an object selection)."""
    if isinstance(part, Constant):
        value = part.value
        return lambda _source, _waiting: value
    if isinstance(part, Read):
        read, same, complete = part.read, part.same, part.complete

        def plan(source: Any, waiting: Waiting) -> Any:
            try:
                value = read(source)
            except Exception:
                return MISS
            # Most leaves are strings: no call to complete them.
            return value if type(value) is same else complete(value, waiting)

        return plan
    return part


def object_plan(
    fields: Sequence[tuple[str, Part]],
    is_type_of: Callable[..., Any] | None,
    nullable: bool,
    counted: bool,
) -> Plan:
    """The plan of an object selection: `fields` by response key, in order.
    `is_type_of` checks the value is of the type; `counted`: the object
    counts in the actual cost (a connection's edges do not: `tally`)."""
    namespace: dict[str, Any] = {"MISS": MISS, "tally": tally, "is_type_of": is_type_of}
    lines = [
        "def complete(value, waiting):",
        "    if value is None:",
        f"        return {'None' if nullable else 'MISS'}",
        "    try:",
    ]
    if is_type_of is not None:
        # Strawberry's and the hub's `is_type_of` look at the value only.
        lines += ["        if is_type_of(value, None) is not True:", "            return MISS"]
    entries, called = [], []
    for at, (key, part) in enumerate(fields):
        name = f"f{at}"
        if isinstance(part, Constant):
            namespace[name] = part.value
        elif isinstance(part, Read):
            namespace[f"same{at}"], namespace[f"complete{at}"] = part.same, part.complete
            namespace[f"read{at}"] = part.read
            read = f"value.{part.attribute}" if part.inlined else f"read{at}(value)"
            lines += [
                f"        {name} = {read}",
                f"        if type({name}) is not same{at}:",
                f"            {name} = complete{at}({name}, waiting)",
                f"            if {name} is MISS:",
                "                return MISS",
            ]
        else:
            namespace[f"plan{at}"] = plan_of(part)
            called.append((name, key))
            lines += [
                f"        {name} = plan{at}(value, waiting)",
                f"        if {name} is MISS:",
                "            return MISS",
            ]
        entries.append(f"{key!r}: {name}")
    lines += ["    except Exception:", "        return MISS"]
    lines.append(f"    completed = {{{', '.join(entries)}}}")
    if called:
        namespace["Pending"] = Pending
    for name, key in called:
        lines += [
            f"    if type({name}) is Pending:",
            # The key keeps its place until the answer comes.
            f"        completed[{key!r}] = None",
            f"        waiting.append(({name}, completed, {key!r}))",
        ]
    if counted:
        lines.append("    tally.objects += 1")
    lines.append("    return completed")
    # The keys are GraphQL names and the attributes identifiers (`Read.inlined`).
    exec("\n".join(lines), namespace)
    complete: Plan = namespace["complete"]
    return complete
