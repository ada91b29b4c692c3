"""One run of a scenario, written to disk: the time series, the final agent table, a plot and provenance.

The run steps the array core (:class:`~sim.batch.Batch`, a batch of one) directly, so it needs no
Mesa agents and scales to millions of learners. Its stream is the same as ``EfficacyModel(config)``
and as run 0 of an experiment with the config's seed, so the numbers agree with both.

Files written to ``out_dir``:

``series.parquet``
    One row per step (step 0 = the initial state): ``step``, every metric of
    :func:`sim.metrics.summarise` (and, with several domains, :func:`sim.metrics.summarise_domains`),
    and the 10th/90th percentiles of efficacy, skill and arousal.
    Row ``step = s`` is the state after ``s`` steps, so an event a config puts at step ``k``
    (0-based, e.g. ``shocks[0].step``) shows first in row ``k + 1``.
``agents.parquet``
    The final agent table: ``agent`` index and every per-agent field of :class:`~sim.state.State`
    (engagement as a string; the per-intervention ``targeted`` flags are left out; with several
    domains also :func:`sim.metrics.domain_fields`).
``timeseries.png``
    Efficacy, skill and arousal over time (mean with a 10-90% band), success rate and disengagement.
``run.json``
    :func:`sim.provenance.provenance` plus a summary of the run.

Both Parquet files carry the same provenance in their schema metadata (key ``efficacy_sim``).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.batch import Batch
from sim.config import Config
from sim.errors import ConfigError
from sim.metrics import domain_fields, summarise, summarise_domains
from sim.provenance import provenance
from sim.state import ENGAGEMENT_NAMES, State

PROGRESS_THRESHOLD = 2_000_000
"""Agent-steps above which a progress bar is shown without being asked for."""

BANDED = ("efficacy", "skill", "arousal")
"""Agent variables whose 10th and 90th percentiles are recorded each step (for the plot's bands)."""

FILES = ("series.parquet", "agents.parquet", "timeseries.png", "run.json")

_SCENARIO_DIR = resources.files("sim") / "scenarios"


# -- shipped scenarios ------------------------------------------------------------------------------
def shipped_scenarios() -> dict[str, str]:
    """Names of the scenarios in ``sim/scenarios`` and their descriptions.

    A file there that does not load (malformed, or added by hand with an invalid value) is listed
    with the reason instead of its description, so one bad file does not hide the others; loading
    it (:func:`load_scenario`) raises its ConfigError.
    """
    out = {}
    for f in sorted(_SCENARIO_DIR.iterdir(), key=lambda p: p.name):
        if f.name.endswith(".toml"):
            try:
                out[f.name[: -len(".toml")]] = Config.from_toml(Path(str(f))).description
            except ConfigError as exc:
                out[f.name[: -len(".toml")]] = f"(this file does not load: {exc})"
    return out


def load_scenario(name_or_path: str | Path) -> Config:
    """A scenario from a TOML file, or a shipped scenario by name (``"early_failure"``).

    Raises
    ------
    ConfigError
        If it is neither an existing file nor a shipped scenario, or if the file is invalid.
    """
    path = Path(name_or_path)
    if path.is_file():
        return Config.from_toml(path)
    shipped = _SCENARIO_DIR / f"{path.stem}.toml"
    if path.parent == Path(".") and path.suffix in ("", ".toml") and shipped.is_file():
        return Config.from_toml(Path(str(shipped)))
    names = ", ".join(shipped_scenarios())
    raise ConfigError("scenario", str(name_or_path), f"an existing TOML file or a shipped scenario ({names})")


# -- the run ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunOutputs:
    """What :func:`run_scenario` wrote and computed."""

    out_dir: Path
    series_path: Path
    agents_path: Path
    plot_path: Path
    meta_path: Path
    series: pd.DataFrame
    agents: pd.DataFrame
    summary: dict[str, Any]


def check_out_dir(out_dir: str | Path) -> Path:
    """``out_dir`` as a Path, or :class:`ConfigError` if it cannot be a directory (checked before work)."""
    out = Path(out_dir)
    for p in (out, *out.parents):
        if p.exists() and not p.is_dir():
            raise ConfigError("out", str(out), "a directory path (a file of that name is in the way)", str(p))
    return out


def _record(state: State, step: int, domains: Any = None) -> dict[str, float]:
    row: dict[str, float] = {"step": step}
    row.update({k: float(v[0]) for k, v in (summarise(state) | summarise_domains(domains)).items()})
    for name in BANDED:
        lo, hi = np.percentile(getattr(state, name)[0], [10, 90])
        row[f"{name}_p10"], row[f"{name}_p90"] = float(lo), float(hi)
    return row


def agent_table(state: State, domains: Any = None) -> pd.DataFrame:
    """Run 0 of ``state`` as a table: one row per agent, one column per per-agent field (and with
    ``domains``, a batch's :class:`~sim.multidomain.DomainState`, :func:`sim.metrics.domain_fields`)."""
    cols: dict[str, Any] = {"agent": np.arange(state.shape[1])}
    for f in fields(state):
        if f.name == "targeted":
            continue
        a = getattr(state, f.name)[0]
        cols[f.name] = np.asarray(ENGAGEMENT_NAMES, dtype=object)[a] if f.name == "engagement" else a
    cols |= {name: a[0] for name, a in domain_fields(domains).items()}
    df = pd.DataFrame(cols)
    df["engagement"] = df["engagement"].astype(str)
    return df


def summary_of(series: pd.DataFrame, agents: pd.DataFrame, config: Config, seconds: float) -> dict[str, Any]:
    """A short, JSON-friendly summary of a finished run."""
    first, last = series.iloc[0], series.iloc[-1]
    attempts = int(agents["attempts"].sum())
    agent_steps = config.agents * config.steps

    def num(x: Any) -> float | None:
        return None if pd.isna(x) else round(float(x), 4)

    return {
        "scenario": config.name,
        "agents": config.agents,
        "steps": config.steps,
        "seed": config.seed,
        "efficacy_mean": [num(first["efficacy_mean"]), num(last["efficacy_mean"])],
        "skill_mean": [num(first["skill_mean"]), num(last["skill_mean"])],
        "arousal_mean": [num(first["arousal_mean"]), num(last["arousal_mean"])],
        "calibration_mean": [num(first["calibration_mean"]), num(last["calibration_mean"])],
        "success_rate_overall": num(agents["successes"].sum() / attempts) if attempts else None,
        "attempts_per_agent": num(attempts / config.agents),
        "disengaged_share_final": num(last["disengaged_share"]),
        "seconds": round(seconds, 3),
        "agent_steps_per_second": round(agent_steps / seconds) if seconds > 0 and agent_steps else None,
    }


def _write_parquet(df: pd.DataFrame, path: Path, meta: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"efficacy_sim": json.dumps(meta).encode()})
    pq.write_table(table, path)


def run_scenario(config: Config, out_dir: str | Path, progress: bool | None = None) -> RunOutputs:
    """Run ``config`` for ``config.steps`` steps and write the files listed in the module docstring.

    Parameters
    ----------
    config : a validated config.
    out_dir : directory for the files (created if missing; existing files of the same names are replaced).
    progress : True to always show a progress bar on stderr, False never, None (default) only when
        ``agents * steps`` exceeds :data:`PROGRESS_THRESHOLD`.

    Returns
    -------
    RunOutputs
    """
    out = check_out_dir(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError("out", str(out), "a directory that can be created", exc.strerror or str(exc)) from None
    if progress is None:
        progress = config.agents * config.steps > PROGRESS_THRESHOLD

    t0 = time.perf_counter()
    batch = Batch([config])
    rows = [_record(batch.state, 0, batch.domains)]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=config.steps, desc=f"{config.name} ({config.agents:,} agents)", unit="step", file=sys.stderr)
    for t in range(1, config.steps + 1):
        batch.step()
        rows.append(_record(batch.state, t, batch.domains))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - t0

    series = pd.DataFrame(rows)
    series["step"] = series["step"].astype(np.int64)
    agents = agent_table(batch.state, batch.domains)
    summary = summary_of(series, agents, config, seconds)
    meta = provenance(config, summary=summary, files=list(FILES))

    paths = [out / f for f in FILES]
    _write_parquet(series, paths[0], meta)
    _write_parquet(agents, paths[1], meta)
    plot_timeseries(series, paths[2], title=f"{config.name}: {config.agents:,} agents, seed {config.seed}")
    paths[3].write_text(json.dumps(meta, indent=2) + "\n")
    return RunOutputs(out, *paths, series=series, agents=agents, summary=summary)


# -- the plot ---------------------------------------------------------------------------------------
def plot_timeseries(series: pd.DataFrame, path: str | Path, title: str = "") -> None:
    """Efficacy and skill (levels), arousal (0-1), success rate and disengagement over time, as a PNG."""
    from matplotlib.figure import Figure  # no pyplot: the caller's backend is left alone

    step = series["step"].to_numpy()
    fig = Figure(figsize=(8, 8.5), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    panels = ((axes[0], ("efficacy", "skill"), "levels (0-10)"), (axes[1], ("arousal",), "arousal (0-1)"))
    colours = {"efficacy": "tab:blue", "skill": "tab:orange", "arousal": "tab:red"}
    for ax, names, label in panels:
        for name in names:
            c = colours[name]
            ax.fill_between(step, series[f"{name}_p10"], series[f"{name}_p90"], color=c, alpha=0.2, lw=0)
            ax.plot(step, series[f"{name}_mean"], color=c, label=f"{name} (mean, 10-90% band)")
        ax.set_ylabel(label)
        ax.legend(loc="best", fontsize=8)
        ax.grid(alpha=0.3)
    ax = axes[2]
    ax.plot(step, series["success_rate"], color="tab:green", label="success rate (of attempts)")
    ax.plot(step, series["disengaged_share"], color="tab:gray", label="disengaged share")
    ax.plot(step, series["avoiding_share"], color="tab:purple", ls="--", label="avoiding share")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("share")
    ax.set_xlabel("step")
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    if title:
        axes[0].set_title(title)
    fig.savefig(path, dpi=110)
