"""The project's model in Mesa's own ``SolaraViz``, for Mesa users: ``solara run dashboards/mesa_viz.py``.

``EfficacyModel`` is a ``mesa.Model`` whose learners are ``mesa`` agents on a ``Network`` space, with a
``DataCollector`` of every metric in :data:`sim.metrics.METRICS`. So Mesa's components work on it and mix
with your own:

* ``make_plot_component`` plots any collected metric (here mean efficacy and skill, and three shares);
* Mesa 3.5.1's ``make_space_component`` fails on a ``Network`` space, so the network is drawn by a small
  custom component instead (:func:`NetworkView`, matplotlib, coloured by efficacy), which is the working
  alternative Mesa's docs describe for spaces it cannot draw.

The matplotlib backend is used throughout: it needs nothing from the internet (the Altair backend asks for
Vega from a CDN). Use the main dashboard (``dashboards/app.py``) for presets, instant runs and comparisons.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz, make_plot_component  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from sim import EfficacyModel  # noqa: E402
from sim.params import PARAM_BY_NAME, RUN_BY_NAME  # noqa: E402


def slider(spec, value=None, step=None) -> dict:
    """A SolaraViz slider from a declaration in ``sim/params.py`` (its plain label, range and default)."""
    kind = "SliderInt" if spec.integer else "SliderFloat"
    high = min(spec.high, 2000) if spec.name == "agents" else spec.high
    return {
        "type": kind,
        "value": spec.default if value is None else value,
        "label": spec.label,
        "min": spec.low,
        "max": high,
        "step": step or (1 if spec.integer else (spec.high - spec.low) / 100),
    }


model_params = {
    "agents": slider(RUN_BY_NAME["agents"], value=300, step=50),
    "efficacy_mean": slider(PARAM_BY_NAME["efficacy_mean"]),
    "mastery_gain_failure": slider(PARAM_BY_NAME["mastery_gain_failure"]),
    "vicarious_gain": slider(PARAM_BY_NAME["vicarious_gain"]),
    "network_degree": slider(PARAM_BY_NAME["network_degree"]),
}


@solara.component
def NetworkView(model: EfficacyModel):
    """Who watches whom (at most 300 learners), coloured by efficacy: Mesa 3.5.1's space component cannot draw
    a ``Network`` space."""
    update_counter.get()  # re-render on every step, like Mesa's own components
    graph = model.space.G.subgraph(range(min(300, model.config.agents)))
    fig = Figure(figsize=(4.5, 4.5))
    ax = fig.subplots()
    pos = nx.circular_layout(graph)
    colours = [model.agent(i).efficacy for i in graph.nodes]
    nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.2, width=0.5)
    nodes = nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=12, node_color=colours, cmap="RdYlBu", vmin=0, vmax=10)
    fig.colorbar(nodes, ax=ax, label="efficacy")
    ax.set_title("Who watches whom (colour: efficacy)")
    ax.set_axis_off()
    solara.FigureMatplotlib(fig)


components = [
    make_plot_component({"efficacy_mean": "tab:blue", "skill_mean": "tab:orange"}),
    make_plot_component({"success_rate": "tab:green", "disengaged_share": "black", "overconfident_share": "tab:red"}),
    NetworkView,
]

page = SolaraViz(
    EfficacyModel(agents=300, rng=0), components=components, model_params=model_params, name="efficacy-sim"
)
