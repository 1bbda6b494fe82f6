"""Provenance: where each record and edge of the network graph comes from."""

from __future__ import annotations

from typing import cast

import strawberry

from engine.compiled.declarations import itself
from schema.enums import Confidence, Origin

__all__ = ["Provenance", "Sourced"]


# Shareable: partner subgraphs may describe their own records' provenance the same way.
@strawberry.federation.type(
    shareable=True, description="Where a record's or an edge's facts come from."
)
class Provenance:
    source_urls: list[str] = strawberry.field(
        name="sources",
        description="Public pages that state the facts (URLs).",
    )
    confidence: Confidence = strawberry.field(description="How sure the hub is of the facts.")
    origin: Origin = strawberry.field(
        description="Whether this is reference data, staff input, a partner's submission or "
        "generated demo data."
    )


@strawberry.type
class Sourced:
    """Base of every record type: its `provenance`, read from the record itself."""

    @strawberry.field(description="Where the record comes from.")
    @itself("source_urls", "confidence", "origin")
    def provenance(self) -> Provenance:
        return cast(Provenance, self)
