"""Runs a batched plan: level by level, one statement per declared field.

The top-level list is read first; completing its page leaves the declared
fields of its records waiting (`Pending`). Each round reads every waiting
field for all its parents at once - a relation's pages in one statement,
records by id in one - on the request's one connection, and completes those
answers, which leave the next level waiting. A query of three levels costs
three rounds, whatever the size of its pages.
"""

from __future__ import annotations

from typing import Any

from engine.compiled.batches import Batch, Reading
from engine.compiled.plans import Pending
from engine.compiled.values import MISS, Plan, Waiting, tally

__all__ = ["answer", "answers_given"]

# How many batched fields the compiled path answered, for tests: it did engage.
_given = 0


async def answer(plan: Plan, source: Any, reading: Reading) -> tuple[Any, int] | Any:
    """The answer of a batched field and the objects in it (as `tally`
    counts them), or `MISS` (then the standard path answers it)."""
    try:
        holder: dict[str, Any] = {}
        waiting: Waiting = []
        first = plan(source, waiting)
        if type(first) is not Pending:
            return MISS
        waiting.append((first, holder, "answer"))
        objects = 0
        while waiting:
            level: dict[Batch, Waiting] = {}
            for item in waiting:
                level.setdefault(item[0].batch, []).append(item)
            waiting = []
            for batch, items in level.items():
                values = await batch.read(reading, [pending.source for pending, _, _ in items])
                # Other requests complete theirs while this one reads: count from here.
                before = tally.objects
                for (pending, target, key), value in zip(items, values, strict=True):
                    done = pending.complete(value, waiting)
                    if done is MISS:
                        return MISS
                    target[key] = done
                objects += tally.objects - before
    except Exception:
        return MISS
    global _given
    _given += 1
    return holder["answer"], objects


def answers_given() -> int:
    """How many batched fields the compiled path answered (for tests)."""
    return _given
