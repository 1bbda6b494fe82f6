"""The schema extensions' hooks, entered at a fraction of Strawberry's cost.

Strawberry's runner finds each extension's hooks anew for every stage of
every request: for each of the hub's ten extensions and four stages it
inspects the hook, binds it and wraps it in a new context manager - some
130 us a request, more than executing `{__typename}`. `HookRunner` does the
same work once per extension class and hook: each stage enters the very
context managers Strawberry's would (`contextlib`'s, entered and left in
the same order through an exit stack), so a hook sees no difference.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any, Final

from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner

__all__ = ["HookRunner"]

# A hook as a factory of context managers, given the extension, and whether it is async.
Hook = tuple[Callable[[SchemaExtension], Any], bool]


def _hook(kind: type[SchemaExtension], name: str) -> Hook | None:
    """The hook `name` of extension class `kind` as Strawberry's runner would wrap it."""
    function = getattr(kind, name)
    hook: Hook | None
    if function is getattr(SchemaExtension, name):
        hook = None
    elif inspect.isgeneratorfunction(function):
        hook = (contextlib.contextmanager(function), False)
    elif inspect.isasyncgenfunction(function):
        hook = (contextlib.asynccontextmanager(function), True)
    elif inspect.iscoroutinefunction(function):
        hook = (_before_async(function), True)
    elif callable(function):
        hook = (_before(function), False)
    else:
        raise ValueError(f"Hook {name} on {kind} must be callable, received {function!r}")
    return hook


def _before(function: Callable[[SchemaExtension], Any]) -> Callable[[SchemaExtension], Any]:
    @contextlib.contextmanager
    def hook(extension: SchemaExtension) -> Iterator[None]:
        function(extension)
        yield

    return hook


def _before_async(function: Callable[[SchemaExtension], Any]) -> Callable[[SchemaExtension], Any]:
    @contextlib.asynccontextmanager
    async def hook(extension: SchemaExtension) -> AsyncIterator[None]:
        await function(extension)
        yield

    return hook


# Per list of extension classes and stage: its hooks, and which extension each belongs to.
_STAGES: dict[tuple[tuple[type[SchemaExtension], ...], str], list[tuple[Hook, int]]] = {}


def _stage_hooks(kinds: tuple[type[SchemaExtension], ...], name: str) -> list[tuple[Hook, int]]:
    key = (kinds, name)
    hooks = _STAGES.get(key)
    if hooks is None:
        found = ((_hook(kind, name), at) for at, kind in enumerate(kinds))
        hooks = _STAGES[key] = [(hook, at) for hook, at in found if hook is not None]
    return hooks


class _Stage:
    """One stage's hooks, entered in the extensions' order and left in reverse."""

    __slots__ = ("hooks", "name", "stack")

    def __init__(self, name: str, extensions: list[SchemaExtension]) -> None:
        self.name = name
        kinds = tuple(type(extension) for extension in extensions)
        self.hooks = [(hook, extensions[at]) for hook, at in _stage_hooks(kinds, name)]

    def __enter__(self) -> None:
        self.stack = contextlib.ExitStack()
        self.stack.__enter__()
        for (factory, is_async), extension in self.hooks:
            if is_async:
                raise RuntimeError(
                    f"SchemaExtension hook {extension}.{self.name} "
                    "failed to complete synchronously."
                )
            self.stack.enter_context(factory(extension))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # As Strawberry's: a hook cannot swallow the stage's exception.
        self.stack.__exit__(kind, error, traceback)

    async def __aenter__(self) -> None:
        self.stack = stack = contextlib.AsyncExitStack()  # type: ignore[assignment]
        await stack.__aenter__()
        for (factory, is_async), extension in self.hooks:
            if is_async:
                await stack.enter_async_context(factory(extension))
            else:
                stack.enter_context(factory(extension))

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        stack: contextlib.AsyncExitStack = self.stack  # type: ignore[assignment]
        await stack.__aexit__(kind, error, traceback)


class HookRunner(SchemaExtensionsRunner):
    """Strawberry's runner with the hooks of each extension class found once."""

    def operation(self) -> Any:
        return _Stage(ON_OPERATION, self.extensions)

    def validation(self) -> Any:
        return _Stage(ON_VALIDATE, self.extensions)

    def parsing(self) -> Any:
        return _Stage(ON_PARSE, self.extensions)

    def executing(self) -> Any:
        return _Stage(ON_EXECUTE, self.extensions)


ON_OPERATION: Final = SchemaExtension.on_operation.__name__
ON_VALIDATE: Final = SchemaExtension.on_validate.__name__
ON_PARSE: Final = SchemaExtension.on_parse.__name__
ON_EXECUTE: Final = SchemaExtension.on_execute.__name__
