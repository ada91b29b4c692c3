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
        msg = f"{field} = {value!r} is not allowed: expected {allowed}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)
