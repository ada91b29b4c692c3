"""A Vega-Lite chart widget that works offline and updates its data in place.

Solara's own ``FigureAltair`` asks the asset proxy for ``vega@5`` (a version range), which only a CDN can
answer, so offline the chart never appears. This widget loads the exact versions shipped in the
``solara-assets`` package (Vega 5.21, Vega-Lite 5.2, vega-embed 6.20), embeds a spec once, and on each
playback frame only swaps the rows of its named datasets (``datasets``), so the chart does not rebuild.
Every chart carries PNG and SVG download links (rendered in the browser by Vega itself).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipyvuetify as v
import solara
import traitlets


class VegaChart(v.VuetifyTemplate):
    template_file = str(Path(__file__).resolve().parent / "vega.vue")
    spec = traitlets.Dict().tag(sync=True)
    static_data = traitlets.Dict().tag(sync=True)  # rows that change rarely (a new scenario or learner)
    frame_data = traitlets.Dict().tag(sync=True)  # rows that change every playback frame
    signals = traitlets.Dict().tag(sync=True)  # Vega-Lite params, e.g. the current step
    name = traitlets.Unicode("chart").tag(sync=True)
    stamp = traitlets.Unicode("").tag(sync=True)
    listen_to_click = traitlets.Bool(False).tag(sync=True)
    on_click = traitlets.Callable(None, allow_none=True)

    def vue_clicked(self, datum: dict[str, Any]) -> None:
        if self.on_click is not None:
            self.on_click(datum)


def spec_of(chart: Any) -> dict[str, Any]:
    """An Altair chart as a Vega-Lite dict for Vega-Lite 5 (without the v6 schema URL, which only adds a warning)."""
    d = chart.to_dict(validate=False)
    d.pop("$schema", None)
    return d


@solara.component
def Chart(
    spec: dict[str, Any],
    name: str,
    static_data: dict[str, list[dict[str, Any]]] | None = None,
    frame_data: dict[str, list[dict[str, Any]]] | None = None,
    signals: dict[str, Any] | None = None,
    stamp: str = "",
    on_click: Callable[[dict[str, Any]], None] | None = None,
):
    """A :class:`VegaChart`: ``spec`` is embedded once (re-embedded only when it changes); ``static_data`` and
    ``frame_data`` replace the rows of the spec's named data sources, ``signals`` set its params; ``stamp`` is
    set as the element's ``data-stamp`` once they are drawn."""
    return VegaChart.element(
        spec=spec,
        static_data=static_data or {},
        frame_data=frame_data or {},
        signals=signals or {},
        name=name,
        stamp=stamp,
        listen_to_click=on_click is not None,
        on_click=on_click,
    )
