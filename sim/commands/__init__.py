"""Subcommands of ``efficacy-sim``: one module each, exposing ``register(subparsers)``.

Shared helpers here turn command-line strings into values checked against the declarations in
:mod:`sim.params`, so no range is written twice.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Callable
from typing import Any

from sim.errors import ConfigError


def parse_value(text: str) -> Any:
    """A command-line value as TOML would read it (``5``, ``0.1``, ``true``, ``[{kind = "ramp"}]``), else the string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignment(text: str) -> tuple[str, Any]:
    """``name=value`` as (name, parsed value); the name is checked later against the declarations."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected name=value, e.g. learn_rate=0.1")
    return name.strip(), parse_value(value.strip())


def declared(name: str) -> Callable[[str], Any]:
    """An argparse ``type`` that checks a value against the declaration of run setting or parameter ``name``."""
    from sim.config import spec_for

    spec = spec_for(name)

    def convert(text: str) -> Any:
        try:
            return spec.check(parse_value(text), name)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name  # argparse names the type in some messages
    return convert
