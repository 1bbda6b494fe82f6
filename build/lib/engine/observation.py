"""Metrics of GraphQL operations: how many, how long, which errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from metrics import (
    ERRORS,
    OPERATION_SECONDS,
    OPERATIONS,
    RATE_LIMITED,
    labelled,
    operation_label,
)

__all__ = ["OperationMetrics"]

_operations = labelled(OPERATIONS)
_operation_seconds = labelled(OPERATION_SECONDS)


class OperationMetrics(SchemaExtension):
    """Counts and times each operation by name, and counts its errors by code."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        execution = self.execution_context
        name = operation_label(execution.operation_name)
        # A property that looks for the operation in the document at every read.
        operation_type = execution.operation_type
        kind = operation_type.value if operation_type else "unknown"
        _operations(name, kind).inc()
        _operation_seconds(name).observe(time.perf_counter() - started)
        result = execution.result
        for error in (result.errors if result is not None else None) or ():
            code = str((error.extensions or {}).get("code", "UNKNOWN"))
            ERRORS.labels(code).inc()
            if code == "RATE_LIMITED":
                RATE_LIMITED.labels("points").inc()
