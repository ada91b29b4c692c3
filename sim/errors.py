"""Errors raised for bad input, before any work starts."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """A configuration value is not allowed.

    The message names the field (as a path such as ``shocks[0].severity``), the value given and
    what is allowed, so a user can fix the input without reading code.
    """

    def __init__(self, field: str, value: Any, allowed: str, hint: str = "") -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"{_short(field, 120)} = {_short(repr(value), 200)} is not allowed: expected {allowed}"
        if hint:
            msg += f" ({hint})"
        super().__init__(" ".join(msg.split("\n")))  # always one line

    def __reduce__(self):
        # rebuilt from its fields, so an error raised in a worker process or on a Dask worker
        # reaches the sweep as itself (the default would call __init__ with the message alone)
        return type(self), (self.field, self.value, self.allowed, self.hint)


def _short(text: str, n: int) -> str:
    """``text`` cut to about ``n`` characters (a 1 MB value in a message helps no one)."""
    text = str(text)
    return text if len(text) <= n else f"{text[: n - 20]}... ({len(text):,} characters)"


class StoreError(ConfigError):
    """A results file is missing, damaged, locked or cannot be written.

    A subclass of :class:`ConfigError`, so every command reports it as one line (exit code 2): the
    message names the file, what is wrong with it and what to do.
    """

    def __init__(self, path: Any, problem: str, todo: str) -> None:
        self.field = "file"
        self.value = str(path)
        self.allowed = problem
        self.path = str(path)
        self.problem = problem
        self.todo = todo
        self.hint = ""
        ValueError.__init__(self, f"{path}: {problem}; {todo}")

    def __reduce__(self):
        return type(self), (self.path, self.problem, self.todo)


def os_problem(exc: OSError) -> str:
    """A short reason for a failed file operation ("no space left on device", "permission denied")."""
    return (exc.strerror or type(exc).__name__).lower()
