"""The typed `Info` every resolver receives."""

from __future__ import annotations

import strawberry

from resolvers.context import Context

__all__ = ["Info"]

Info = strawberry.Info[Context, None]
