"""Errors the caller can fix, raised by resolvers and shown to the client."""

from __future__ import annotations

__all__ = ["UserInputError"]


class UserInputError(Exception):
    """Bad input: the message says what was wrong and what to do instead.

    `code` is a stable, machine-readable name for the kind of mistake.
    """

    def __init__(self, message: str, *, code: str = "BAD_USER_INPUT") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
