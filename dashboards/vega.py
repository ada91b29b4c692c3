"""A Vega-Lite chart widget that works offline and updates its data in place.

Solara's own ``FigureAltair`` asks the asset proxy for ``vega@5`` (a version range), which only a CDN can
answer, so offline the chart never appears. This widget loads the exact versions shipped in the
``solara-assets`` package (Vega 5.21, Vega-Lite 5.2, vega-embed 6.20), embeds a spec once, and on each
playback frame only swaps the rows of its named datasets (``datasets``), so the chart does not rebuild.
Every chart carries PNG and SVG download links (rendered in the browser by Vega itself).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipyvuetify as v
import solara
import traitlets


class VegaChart(v.VuetifyTemplate):
    template_file = str(Path(__file__).resolve().parent / "vega.vue")
    # JSON text, not dicts: reacton walks every prop's contents looking for elements, and walking thousands of
    # rows cost more than the whole frame (~1 s a frame at 300 learners); a string is one opaque value.
    spec = traitlets.Unicode("{}").tag(sync=True)
    static_data = traitlets.Unicode("{}").tag(sync=True)  # rows that change rarely (a new scenario or learner)
    frame_data = traitlets.Unicode("{}").tag(sync=True)  # rows that change every playback frame
    signals = traitlets.Unicode("{}").tag(sync=True)  # Vega-Lite params, e.g. the current step
    name = traitlets.Unicode("chart").tag(sync=True)
    stamp = traitlets.Unicode("").tag(sync=True)
    listen_to_click = traitlets.Bool(False).tag(sync=True)
    # the name of a :class:`Ticker`'s step event: the chart sets its ``now`` param to each announced step and
    # puts it for "{step}" in ``stamp``, so following playback needs no message from the server
    follow_step = traitlets.Unicode("").tag(sync=True)
    on_click = traitlets.Callable(None, allow_none=True)

    def vue_clicked(self, datum: dict[str, Any]) -> None:
        if self.on_click is not None:
            self.on_click(datum)


def spec_of(chart: Any) -> dict[str, Any]:
    """An Altair chart as a Vega-Lite dict for Vega-Lite 5 (without the v6 schema URL, which only adds a warning)."""
    d = chart.to_dict(validate=False)
    d.pop("$schema", None)
    return d


class Opaque:
    """A value reacton does not look inside: it walks every dict and list in props looking for elements, and
    walking thousands of data rows cost more than the whole frame (~1 s a frame at 300 learners)."""

    __slots__ = ("value", "text")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.text = json.dumps(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


@solara.component
def Chart(
    spec: Opaque,
    name: str,
    static_data: Opaque | None = None,
    frame_data: Opaque | None = None,
    signals: Opaque | None = None,
    stamp: str = "",
    on_click: Callable[[dict[str, Any]], None] | None = None,
    follow_step: str = "",
):
    """A :class:`VegaChart`: ``spec`` is embedded once (re-embedded only when it changes); ``static_data`` and
    ``frame_data`` (``{dataset: rows}``) replace the rows of the spec's named data sources, ``signals`` set its
    params; ``stamp`` is set as the element's ``data-stamp`` once they are drawn. Wrap each in :class:`Opaque`.
    ``follow_step``: see :class:`VegaChart`."""
    empty = "{}"
    return VegaChart.element(
        spec=spec.text,
        static_data=static_data.text if static_data is not None else empty,
        frame_data=frame_data.text if frame_data is not None else empty,
        signals=signals.text if signals is not None else empty,
        name=name,
        stamp=stamp,
        listen_to_click=on_click is not None,
        on_click=on_click,
        follow_step=follow_step,
    )


class Ticker(v.VuetifyTemplate):
    """Playback clock in the browser: while ``running``, asks the server for the next frame (``tick``) and waits
    for its answer (``ack``) before asking again, so a slow frame delays the next instead of queueing them.

    Playback needs no server thread at all: nothing keeps running when the page closes or the server stops.
    With ``step_event`` set, every new ``ack`` (the step shown) is also announced in the browser, to charts
    that follow the step (:class:`VegaChart` ``follow_step``): they move their ``now`` param without a message
    from the server each. ``text`` is shown in place (the player's status line travels with the step).
    """

    template = traitlets.Unicode(
        """
<template><span class="dash-ticker" :class="text_class" :style="text_style" :data-running="running">{{ text }}</span></template>
<script>
module.exports = {
  mounted() { this.announce(); if (this.running) this.ask(); },
  destroyed() { clearTimeout(this.timer); },
  watch: {
    running(on) { clearTimeout(this.timer); if (on) this.ask(); },
    ack() {
      this.announce();
      clearTimeout(this.timer);
      if (!this.running) return;
      const wait = this.interval_ms - (performance.now() - this.sent);
      if (wait <= 0) this.ask();  // at once: the charts draw this frame while the server computes the next
      else this.timer = setTimeout(() => this.ask(), wait);
    },
  },
  methods: {
    ask() { this.sent = performance.now(); this.tick(this.ack); },
    announce() {
      if (!this.step_event) return;
      window.__dashStep = {...(window.__dashStep || {}), [this.step_event]: this.ack};
      window.dispatchEvent(new CustomEvent(this.step_event, {detail: this.ack}));
    },
  },
};
</script>
"""
    ).tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    interval_ms = traitlets.Int(100).tag(sync=True)
    ack = traitlets.Int(0).tag(sync=True)
    step_event = traitlets.Unicode("").tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    text_class = traitlets.Unicode("").tag(sync=True)
    text_style = traitlets.Unicode("").tag(sync=True)
    on_tick = traitlets.Callable(None, allow_none=True)

    def vue_tick(self, _data: Any = None) -> None:
        if self.on_tick is not None:
            self.on_tick()


class Address(v.VuetifyTemplate):
    """Writes ``query`` into the browser's address (``history.replaceState``), without a server round trip.

    Solara's ``router.push`` re-rendered the page layout, and with it every widget of the sidebar (~1,500):
    ~0.5 s per control change. The address is read back by the router when the page loads.
    """

    template = traitlets.Unicode(
        """
<template><span class="dash-address" style="display: none"></span></template>
<script>
module.exports = {
  mounted() { this.write(); },
  watch: { query() { this.write(); } },
  methods: {
    write() {
      const search = this.query ? '?' + this.query : '';
      if (location.search !== search) history.replaceState(history.state, '', location.pathname + search + location.hash);
    },
  },
};
</script>
"""
    ).tag(sync=True)
    query = traitlets.Unicode("").tag(sync=True)
