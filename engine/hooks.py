"""The schema extensions' hooks, entered at a fraction of Strawberry's cost.

Strawberry's runner finds each extension's hooks anew for every stage of
every request: for each of the hub's ten extensions and four stages it
inspects the hook, binds it and wraps it in a new context manager - some
60 us of CPU a request (`python -m bench.hooks`: a third of `{__typename}`
in-process, within the noise of a nested page's ~11 ms). `HookRunner` finds
them once per extension class and hook, and drives a generator hook
itself, as `contextlib.contextmanager` would, in the extensions' order and
back: a stage that ends well costs a `next()` per hook. When a hook or the
stage fails, the hooks still suspended are left through an exit stack of
`contextlib`'s own context managers, so that exceptions are thrown in,
replaced and chained just as Strawberry's runner does it.
"""

from __future__ import annotations

import contextlib
import enum
import inspect
from collections.abc import AsyncGenerator, Callable, Generator
from types import TracebackType
from typing import Any, Final

from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe

__all__ = ["HookRunner"]


class _Kind(enum.Enum):
    """How a hook is entered and left."""

    GENERATOR = enum.auto()  # runs to its `yield`, then on after the stage
    ASYNC_GENERATOR = enum.auto()
    FUNCTION = enum.auto()  # runs before the stage, nothing after
    COROUTINE = enum.auto()


GENERATOR: Final = _Kind.GENERATOR
ASYNC_GENERATOR: Final = _Kind.ASYNC_GENERATOR
FUNCTION: Final = _Kind.FUNCTION
COROUTINE: Final = _Kind.COROUTINE

# A hook: the function, given the extension, and how to enter it.
Hook = tuple[Callable[[SchemaExtension], Any], _Kind]
# A generator hook suspended at its `yield`, and whether it is async.
Suspended = tuple[Any, bool]


def _hook(kind: type[SchemaExtension], name: str) -> Hook | None:
    """The hook `name` of extension class `kind`, None if it keeps the default."""
    function = getattr(kind, name)
    if function is getattr(SchemaExtension, name):
        return None
    if inspect.isgeneratorfunction(function):
        return function, GENERATOR
    if inspect.isasyncgenfunction(function):
        return function, ASYNC_GENERATOR
    if inspect.iscoroutinefunction(function):
        return function, COROUTINE
    if callable(function):
        return function, FUNCTION
    raise ValueError(f"Hook {name} on {kind} must be callable, received {function!r}")


# Per list of extension classes and stage: its hooks, and which extension each belongs to.
_STAGES: dict[tuple[tuple[type[SchemaExtension], ...], str], list[tuple[Hook, int]]] = {}


def _stage_hooks(kinds: tuple[type[SchemaExtension], ...], name: str) -> list[tuple[Hook, int]]:
    key = (kinds, name)
    hooks = _STAGES.get(key)
    if hooks is None:
        found = ((_hook(kind, name), at) for at, kind in enumerate(kinds))
        hooks = _STAGES[key] = [(hook, at) for hook, at in found if hook is not None]
    return hooks


def _start(generator: Generator[None, None, None]) -> Suspended:
    """Run a generator hook to its `yield`, as `contextlib.contextmanager` enters it."""
    try:
        next(generator)
    except StopIteration:
        raise RuntimeError("generator didn't yield") from None
    return generator, False


async def _start_async(generator: AsyncGenerator[None, None]) -> Suspended:
    try:
        await anext(generator)
    except StopAsyncIteration:
        raise RuntimeError("generator didn't yield") from None
    return generator, True


# Per list of extension classes: which ones report results of their own.
_REPORTING: dict[tuple[type[SchemaExtension], ...], list[int]] = {}


def _reporting(kinds: tuple[type[SchemaExtension], ...]) -> list[int]:
    reporting = _REPORTING.get(kinds)
    if reporting is None:
        default = SchemaExtension.get_results
        reporting = _REPORTING[kinds] = [
            at for at, kind in enumerate(kinds) if kind.get_results is not default
        ]
    return reporting


def _resume(generator: Generator[None, None, None]) -> Callable[..., None] | None:
    """Resume a generator hook after a stage that ended well: None when it
    finished, else an exit callback that raises what `contextlib` would."""
    try:
        next(generator)
    except StopIteration:
        return None
    except BaseException as error:  # the hook's own failure, raised in its place
        failure = error
        return lambda *_: _raise(failure)
    return lambda *_: _not_stopped(generator)


async def _resume_async(generator: AsyncGenerator[None, None]) -> Callable[..., Any] | None:
    """`_resume` for an async generator hook."""
    try:
        await anext(generator)
    except StopAsyncIteration:
        return None
    except BaseException as error:
        failure = error
        return lambda *_: _raise(failure)

    async def not_stopped(*_: object) -> None:
        try:
            raise RuntimeError("generator didn't stop")
        finally:
            await generator.aclose()

    return not_stopped


def _raise(error: BaseException) -> None:
    raise error


def _not_stopped(generator: Generator[None, None, None]) -> None:
    try:
        raise RuntimeError("generator didn't stop")
    finally:
        generator.close()


def _entered(generator: Generator[None, None, None]) -> contextlib.AbstractContextManager[None]:
    """A generator hook suspended at its `yield` as the context manager that
    `contextlib.contextmanager` would have entered."""
    return contextlib.contextmanager(lambda: generator)()


def _entered_async(
    generator: AsyncGenerator[None, None],
) -> contextlib.AbstractAsyncContextManager[None]:
    return contextlib.asynccontextmanager(lambda: generator)()


class _Stage:
    """One stage's hooks, entered in the extensions' order and left in reverse."""

    __slots__ = ("extensions", "hooks", "name", "suspended")

    def __init__(
        self, name: str, hooks: list[tuple[Hook, int]], extensions: list[SchemaExtension]
    ) -> None:
        self.name = name
        self.hooks = hooks
        self.extensions = extensions

    def __enter__(self) -> None:
        suspended: list[Suspended] = []
        self.suspended = suspended
        for (function, kind), at in self.hooks:
            extension = self.extensions[at]
            if kind is ASYNC_GENERATOR or kind is COROUTINE:
                raise RuntimeError(
                    f"SchemaExtension hook {extension}.{self.name} "
                    "failed to complete synchronously."
                )
            if kind is FUNCTION:
                function(extension)
            else:
                suspended.append(_start(function(extension)))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        suspended = self.suspended
        failed = None
        while error is None and failed is None and suspended:
            failed = _resume(suspended.pop()[0])
        if error is None and failed is None:
            return
        stack = contextlib.ExitStack()
        for generator, _ in suspended:
            stack.push(_entered(generator))
        if failed is not None:
            stack.push(failed)
        # As Strawberry's: a hook cannot swallow the stage's exception.
        stack.__exit__(kind, error, traceback)

    async def __aenter__(self) -> None:
        suspended: list[Suspended] = []
        self.suspended = suspended
        for (function, kind), at in self.hooks:
            extension = self.extensions[at]
            if kind is FUNCTION:
                function(extension)
            elif kind is COROUTINE:
                await function(extension)
            elif kind is GENERATOR:
                suspended.append(_start(function(extension)))
            else:
                suspended.append(await _start_async(function(extension)))

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        suspended = self.suspended
        failed = None
        while error is None and failed is None and suspended:
            generator, is_async = suspended.pop()
            failed = await _resume_async(generator) if is_async else _resume(generator)
        if error is None and failed is None:
            return
        stack = contextlib.AsyncExitStack()
        for generator, is_async in suspended:
            if is_async:
                stack.push_async_exit(_entered_async(generator))
            else:
                stack.push(_entered(generator))
        if failed is not None:
            if inspect.iscoroutinefunction(failed):
                stack.push_async_exit(failed)
            else:
                stack.push(failed)
        # As Strawberry's: a hook cannot swallow the stage's exception.
        await stack.__aexit__(kind, error, traceback)


class HookRunner(SchemaExtensionsRunner):
    """Strawberry's runner with the hooks of each extension class, and whether it
    has results to report, found once."""

    def __init__(
        self,
        execution_context: ExecutionContext,
        extensions: list[SchemaExtension] | None = None,
    ) -> None:
        super().__init__(execution_context, extensions)
        self.kinds = tuple(type(extension) for extension in self.extensions)

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        # As Strawberry's, without asking the extensions that have none (an empty dict).
        data: dict[str, Any] = {}
        for at in _reporting(self.kinds):
            data.update(await await_maybe(self.extensions[at].get_results()))
        data.update(ctx.extensions_results)
        return data

    def _stage(self, name: str) -> _Stage:
        return _Stage(name, _stage_hooks(self.kinds, name), self.extensions)

    def operation(self) -> Any:
        return self._stage(ON_OPERATION)

    def validation(self) -> Any:
        return self._stage(ON_VALIDATE)

    def parsing(self) -> Any:
        return self._stage(ON_PARSE)

    def executing(self) -> Any:
        return self._stage(ON_EXECUTE)


ON_OPERATION: Final = SchemaExtension.on_operation.__name__
ON_VALIDATE: Final = SchemaExtension.on_validate.__name__
ON_PARSE: Final = SchemaExtension.on_parse.__name__
ON_EXECUTE: Final = SchemaExtension.on_execute.__name__
