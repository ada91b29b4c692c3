"""Controls generated from the parameter declarations in :mod:`sim.params`.

Nothing here states a range or a default: a :class:`~sim.params.Param` becomes a slider over its
declared [low, high] (or, for very wide integer ranges such as the seed, a text box that accepts
only what :meth:`Param.check` accepts); a :class:`~sim.params.Choice` becomes a select over its
declared choices. Sliders commit when released, so dragging does not rebuild the model many times.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import reacton.ipyvue as rvue
import solara
import solara.lab
from solara.alias import rv

from dashboards.simulation import LIMITS
from sim.errors import ConfigError
from sim.params import Choice, Param

MAX_SLIDER_STOPS = 1000
CODE_STYLE = {"font-size": "0.72em", "color": "#999", "font-family": "monospace", "margin-left": "4px"}
MEANING_STYLE = {
    "font-size": "0.75em",
    "color": "#555",
    "line-height": "1.25",
    "margin-bottom": "10px",
    "display": "block",
}


def label_of(spec: Param | Choice) -> str:
    """The plain label of a declaration (its code name when it has none)."""
    return spec.label or spec.name.replace("_", " ")


@solara.component
def Meaning(spec: Param | Choice):
    """The one-line meaning under a control, with the code name (for TOML files and the CLI) after it."""
    with solara.Div(style=MEANING_STYLE):
        solara.Text(spec.meaning)
        solara.Text(spec.name, style=CODE_STYLE, classes=["dash-code-name"])


def slider_step(spec: Param) -> float:
    """A round step giving at least 100 stops over the declared range."""
    if spec.integer:
        return 1
    span = spec.high - spec.low
    return 10 ** math.floor(math.log10(span / 100)) if span > 0 else 1


def uses_slider(spec: Param) -> bool:
    return (spec.high - spec.low) / slider_step(spec) <= MAX_SLIDER_STOPS


def _fmt(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


@solara.component
def ParamSlider(spec: Param, value: float, on_value: Callable[[Any], None], key_path: str):
    """A slider over the declared range; commits on release (the 'change' event)."""
    step = slider_step(spec)
    decimals = max(0, -int(math.floor(math.log10(step)))) if step < 1 else 0

    def changed(widget, event, data):
        if data is None:
            return
        v = int(round(data)) if spec.integer else round(float(data), decimals)
        on_value(v)

    with solara.Column(gap="0px", style={"padding": "0 4px"}):
        solara.Text(
            f"{label_of(spec)}: {_fmt(value)}" + (f" ({spec.unit})" if spec.unit not in ("-", "") else ""),
            style={"font-size": "0.85em", "font-weight": "500"},
        )
        slider = rv.Slider(
            v_model=value,
            min=spec.low,
            max=spec.high,
            step=step,
            thumb_label=False,
            hide_details=True,
            dense=True,
            class_="dash-slider",
            attributes={"data-param": key_path, "title": spec.meaning},
        )
        rvue.use_event(slider, "change", changed)
        Meaning(spec)


@solara.component
def ParamText(spec: Param, value: float, on_value: Callable[[Any], None], key_path: str, high: float | None = None):
    """A text box for wide ranges; rejects anything the declaration (or ``high``) does not allow."""
    error, set_error = solara.use_state("")
    text, set_text = solara.use_state(_fmt(value))
    solara.use_effect(lambda: set_text(_fmt(value)), [value])

    def commit(raw: str) -> None:
        set_text(raw)
        try:
            number = float(raw.strip()) if raw.strip() else raw
            if isinstance(number, float) and spec.integer and number.is_integer():
                number = int(raw.strip()) if raw.strip().lstrip("-").isdigit() else int(number)
            checked = spec.check(number, key_path)
            if high is not None and checked > high:
                raise ConfigError(
                    key_path, checked, f"at most {high:,g} in the dashboard (use efficacy-sim run for more)"
                )
        except (ConfigError, ValueError) as exc:
            set_error(str(exc))
            return
        set_error("")
        on_value(checked)

    unit = f" ({spec.unit})" if spec.unit not in ("-", "", spec.name) else ""
    solara.InputText(
        label_of(spec) + unit,
        value=text,
        on_value=commit,
        error=error or False,
        dense=True,
        classes=[f"dash-input-{key_path}"],
    )
    Meaning(spec)


@solara.component
def ChoiceSelect(spec: Choice, value: str, on_value: Callable[[Any], None], extra: tuple[str, ...] = ()):
    """A select over the declared choices (plus ``extra`` options such as 'none')."""
    solara.Select(
        label_of(spec),
        values=[*extra, *spec.choices],
        value=value,
        on_value=on_value,
        dense=True,
        classes=[f"dash-select-{spec.name}"],
    )
    Meaning(spec)


@solara.component
def Control(
    spec: Param | Choice,
    path: str,
    values: dict[str, Any],
    set_value: Callable[[str, Any], None],
    extra: tuple[str, ...] = (),
):
    """The right widget for a declaration, bound to ``values[path]``."""
    value = values[path]
    on_value = lambda v: set_value(path, v)  # noqa: E731
    if isinstance(spec, Choice):
        ChoiceSelect(spec, value, on_value, extra)
    elif path in ("agents", "steps"):
        ParamText(spec, value, on_value, path, high=min(spec.high, LIMITS[path]))
    elif uses_slider(spec):
        ParamSlider(spec, value, on_value, path)
    else:
        ParamText(spec, value, on_value, path)
