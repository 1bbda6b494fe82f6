"""The hub's extension runner (engine/hooks.py) enters and leaves the
extensions' hooks exactly as Strawberry's own runner does: the same order,
the same exceptions thrown into the same hooks, the same results."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner

from engine.hooks import HookRunner


def _extensions(log: list[str], *, fail_in: str | None) -> list[type[SchemaExtension]]:
    """Extensions with every kind of hook: generators, async generators, plain
    functions and coroutines. The one named `fail_in` raises as it is entered."""

    def failing(name: str) -> None:
        if name == fail_in:
            raise ValueError(f"{name} failed")

    class Generators(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            log.append("operation: enter generators")
            try:
                yield
            except ValueError as error:
                log.append(f"operation: generators saw {error}")
                raise
            log.append("operation: leave generators")

        def on_validate(self) -> Iterator[None]:
            log.append("validate: enter generators")
            yield
            log.append("validate: leave generators")

    class AsyncGenerators(SchemaExtension):
        async def on_operation(self) -> AsyncIterator[None]:
            log.append("operation: enter async")
            yield
            log.append("operation: leave async")

        async def on_validate(self) -> AsyncIterator[None]:
            failing("async validate")
            log.append("validate: enter async")
            yield
            log.append("validate: leave async")

        def get_results(self) -> dict[str, Any]:
            return {"seen": len(log)}

    class Functions(SchemaExtension):
        def on_parse(self) -> None:  # type: ignore[override]
            log.append("parse: function")

        async def on_execute(self) -> None:  # type: ignore[override]
            failing("execute")
            log.append("execute: coroutine")

    return [Generators, AsyncGenerators, Functions]


def _schema(
    log: list[str],
    *,
    fail_in: str | None,
    hub: bool,
    extensions: list[type[SchemaExtension]] | None = None,
) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self) -> str:
            log.append("resolve hello")
            return "world"

    class Schema(strawberry.Schema):
        def create_extensions_runner(
            self, execution_context: Any, extensions: list[SchemaExtension]
        ) -> SchemaExtensionsRunner:
            if hub:
                return HookRunner(execution_context=execution_context, extensions=extensions)
            return super().create_extensions_runner(execution_context, extensions)

    if extensions is None:
        extensions = _extensions(log, fail_in=fail_in)
    return Schema(query=Query, extensions=extensions)


@pytest.mark.parametrize("fail_in", [None, "async validate", "execute"])
@pytest.mark.parametrize("document", ["{ hello }", "{ nope }", "{ hello"])
async def test_hooks_run_as_strawberry_runs_them(document: str, fail_in: str | None) -> None:
    outcomes = []
    for hub in (False, True):
        log: list[str] = []
        result = await _schema(log, fail_in=fail_in, hub=hub).execute(document)
        errors = [(error.message, error.path) for error in result.errors or ()]
        outcomes.append((log, result.data, errors, result.extensions))
    strawberry_runner, hub_runner = outcomes
    assert hub_runner == strawberry_runner
    log = hub_runner[0]
    # The runs did go through the hooks, the failing ones included.
    assert log[0] == "operation: enter generators"
    if fail_in is not None and document == "{ hello }":
        assert f"operation: generators saw {fail_in} failed" in log
        assert hub_runner[2] == [(f"{fail_in} failed", None)]


def test_a_hook_that_is_not_callable_is_refused() -> None:
    class Broken(SchemaExtension):
        on_operation = "not a hook"  # type: ignore[assignment]

    runner = HookRunner(execution_context=None, extensions=[Broken()])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be callable"):
        runner.operation()


def test_a_sync_stage_refuses_async_hooks_as_strawberry_does() -> None:
    outcomes = []
    for hub in (False, True):
        log: list[str] = []
        result = _schema(log, fail_in=None, hub=hub).execute_sync("{ hello }")
        messages = [re.sub(r" at 0x[0-9a-f]+", "", e.message) for e in result.errors or ()]
        outcomes.append((log, result.data, messages))
    assert outcomes[1] == outcomes[0]
    log, data, errors = outcomes[1]
    assert data is None
    assert "failed to complete synchronously" in errors[0]


# How a generator hook ends: as it should, failing, yielding twice, never
# yielding, swallowing the stage's exception, or replacing it with its own.
ENDINGS = ["finish", "raise", "yield twice", "no yield", "swallow", "replace"]


def _generator(log: list[str], name: str, ending: str) -> Any:
    def hook(_extension: SchemaExtension) -> Iterator[None]:
        log.append(f"{name}: enter")
        if ending == "no yield":
            return
        try:
            yield
        except Exception as error:
            log.append(f"{name}: saw {error!r}")
            if ending == "swallow":
                return
            if ending == "replace":
                raise KeyError(f"{name} replaced it") from None
            raise
        log.append(f"{name}: leave")
        if ending == "raise":
            raise ValueError(f"{name} failed on leaving")
        if ending == "yield twice":
            try:
                yield
            finally:
                log.append(f"{name}: closed")

    return hook


def _async_generator(log: list[str], name: str, ending: str) -> Any:
    async def hook(_extension: SchemaExtension) -> AsyncIterator[None]:
        log.append(f"{name}: enter")
        if ending == "no yield":
            return
        try:
            yield
        except Exception as error:
            log.append(f"{name}: saw {error!r}")
            if ending == "swallow":
                return
            if ending == "replace":
                raise KeyError(f"{name} replaced it") from None
            raise
        log.append(f"{name}: leave")
        if ending == "raise":
            raise ValueError(f"{name} failed on leaving")
        if ending == "yield twice":
            try:
                yield
            finally:
                log.append(f"{name}: closed")

    return hook


def _ending_schema(
    log: list[str], hook_name: str, endings: tuple[str, str, str], *, hub: bool
) -> strawberry.Schema:
    """Three extensions with a `hook_name` hook each, ending as `endings` say:
    outer and inner generators and, for an async stage, an async generator
    between them."""
    outer, middle, inner = endings
    extensions: list[type[SchemaExtension]] = [
        type("Outer", (SchemaExtension,), {hook_name: _generator(log, "outer", outer)}),
        type("Inner", (SchemaExtension,), {hook_name: _generator(log, "inner", inner)}),
    ]
    if hook_name == "on_operation":
        hook = _async_generator(log, "middle", middle)
        extensions.insert(1, type("Middle", (SchemaExtension,), {hook_name: hook}))
    return _schema(log, fail_in=None, hub=hub, extensions=extensions)


def _chain(error: BaseException | None) -> list[str]:
    """An exception and the ones it was raised while handling, each with
    whether a traceback would show the next."""
    chain: list[str] = []
    while error is not None and len(chain) < 10:
        chain.append(f"{type(error).__name__}: {error} ({error.__suppress_context__})")
        error = error.__context__
    return chain


@pytest.mark.parametrize("outer", ENDINGS)
@pytest.mark.parametrize("middle", ENDINGS)
@pytest.mark.parametrize("inner", ENDINGS)
async def test_hooks_end_as_strawberry_ends_them(outer: str, middle: str, inner: str) -> None:
    outcomes = []
    for hub in (False, True):
        log: list[str] = []
        schema = _ending_schema(log, "on_operation", (outer, middle, inner), hub=hub)
        result = await schema.execute("{ hello }")
        errors = [(e.message, _chain(e.original_error)) for e in result.errors or ()]
        outcomes.append((log, result.data, errors))
    assert outcomes[1] == outcomes[0]
    if "no yield" not in (outer, middle, inner):
        assert outcomes[1][0][:3] == ["outer: enter", "middle: enter", "inner: enter"]


@pytest.mark.parametrize("outer", ENDINGS)
@pytest.mark.parametrize("inner", ENDINGS)
def test_sync_hooks_end_as_strawberry_ends_them(outer: str, inner: str) -> None:
    outcomes = []
    for hub in (False, True):
        log: list[str] = []
        schema = _ending_schema(log, "on_validate", (outer, "", inner), hub=hub)
        result = schema.execute_sync("{ hello }")
        errors = [(e.message, _chain(e.original_error)) for e in result.errors or ()]
        outcomes.append((log, result.data, errors))
    assert outcomes[1] == outcomes[0]
