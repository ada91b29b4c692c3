"""Fitting: ABC-SMC (pyabc) of the free parameters to the targets, with batched, reproducible simulations.

Method (Beaumont et al. 2009; Klinger, Rickert & Hasenauer 2018, pyabc): a population of parameter
vectors is drawn from the priors, simulated, and kept when the distance of its summaries to the
targets is below a threshold; each next generation perturbs the weighted survivors (a multivariate
normal kernel fitted to them) and lowers the threshold to a quantile of the last generation's
distances. The distance is the Euclidean norm of the targets' z-scores,
``sqrt(sum_i ((s_i - target_i) / se_i)^2)``: a statistic counts by how many of its standard errors
it misses.

Batching. pyabc evaluates one particle at a time; :class:`BatchSampler` makes it evaluate many at
once without changing pyabc's arithmetic. Each round it (1) asks pyabc for the next particles with
a model that only records the proposed parameters, (2) simulates all of them as batched runs
(:func:`~.simulate.simulate_summaries`, on any executor), then (3) rewinds NumPy's global generator
and asks pyabc again, now answering from the simulated table: pyabc draws the same proposals and
decides acceptance, weights and epsilon itself. A generation stops at its ``population``-th
accepted particle, so its result does not depend on the round sizes.

Reproducibility. pyabc's own ``MappingSampler`` reseeds every task from the operating system
(``np.random.seed()``), so its posteriors differ run to run. Here the global generator is seeded at
the start of each generation from ``(seed, generation)``, and simulation ``i`` of a generation uses
the run stream ``(seed, key)`` with ``key = generation x 10^9 + i``: the same command gives the same
posterior on any executor, and a run resumed after an interruption continues exactly as it would have
(pyabc refits each generation's kernel from the history database, so nothing lives only in memory).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.simulate import Executor, simulate_summaries
from sim.calibration.targets import Prior, Targets
from sim.errors import ConfigError

DB_NAME = "history.db"
"""pyabc's SQLite history in the output folder (what a resumed run continues from; git-ignored)."""
SPEC_NAME = "fit_spec.json"
"""What the folder's calibration is (targets, priors, design, budget, seed): a rerun must match it to resume."""
SESSIONS_NAME = "fit_sessions.json"
"""Wall time and simulations of each session that worked on the folder's fit (a resumed fit has several)."""
KEY_STRIDE = 10**9
"""Run-stream keys of generation ``g``: ``g x KEY_STRIDE + i`` (the calibration sample from the prior is ``g = 0``)."""


@dataclass(frozen=True)
class Budget:
    """How much simulation a fit may use, and when it stops (whichever comes first).

    Attributes
    ----------
    population : particles per generation (the posterior sample size).
    generations : most ABC-SMC generations.
    simulations : most simulated studies in total (checked after each generation, which is completed).
    min_epsilon : stop when the acceptance threshold (in z units: the distance ``sqrt(sum z^2)``)
        falls below this; 1.0 = the accepted studies miss the targets jointly by less than one SE.
    quantile : each generation's threshold is this weighted quantile of the last one's distances.
    """

    population: int = 400
    generations: int = 8
    simulations: int = 8000
    min_epsilon: float = 1.0
    quantile: float = 0.5

    def __post_init__(self) -> None:
        for name, low, high in (("population", 10, 100_000), ("generations", 1, 100), ("simulations", 10, 10**8)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
                raise ConfigError(f"budget.{name}", v, f"a whole number in [{low:,}, {high:,}]")
        if (
            isinstance(self.min_epsilon, bool)
            or not isinstance(self.min_epsilon, int | float)
            or not (0 <= self.min_epsilon < math.inf)
        ):
            raise ConfigError("budget.min_epsilon", self.min_epsilon, "a number >= 0 (z units)")
        if isinstance(self.quantile, bool) or not isinstance(self.quantile, int | float) or not 0 < self.quantile < 1:
            raise ConfigError("budget.quantile", self.quantile, "a number strictly between 0 and 1")
        if self.simulations < self.population:
            raise ConfigError("budget.simulations", self.simulations, f">= budget.population = {self.population}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_BUDGET = Budget()
"""The default budget: 3.2 minutes measured for a 300-learner, 5-wave panel on 2 cores (benchmarks/bench_calibration.py)."""
QUICK_BUDGET = Budget(population=40, generations=3, simulations=400, min_epsilon=1.0, quantile=0.5)
"""``--quick``: a small fit for trying the command out and for tests (seconds to a minute)."""
SHIPPED_BUDGET = Budget(population=1000, generations=10, simulations=20_000, min_epsilon=0.5, quantile=0.5)
"""The budget of the shipped fit (results/calibration/published)."""


# ---- pyabc pieces -----------------------------------------------------------------------------------------
def pyabc_prior(priors: Sequence[Prior]):
    """The priors as a pyabc Distribution: uniform on [low, high], or a normal truncated to [low, high]."""
    import pyabc

    rvs = {}
    for p in priors:
        if p.kind == "uniform":
            rvs[p.name] = pyabc.RV("uniform", p.low, p.high - p.low)
        else:
            a, b = (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd
            rvs[p.name] = pyabc.RV("truncnorm", a, b, loc=p.mean, scale=p.sd)
    return pyabc.Distribution(**rvs)


class _Recorded(Exception):  # noqa: N818 - control flow, not an error
    """Raised by :class:`ReplayModel` in record mode, carrying the proposed parameters."""

    def __init__(self, theta: dict[str, float]) -> None:
        self.theta = theta


def _replay_model_class():
    import pyabc

    class ReplayModel(pyabc.Model):
        """A pyabc model that records proposals (record mode) or answers from simulated summaries (replay)."""

        def __init__(self, statistics: Sequence[str]) -> None:
            super().__init__(name="efficacy-sim")
            self.statistics = tuple(statistics)
            self.recording = True
            self.table: deque[tuple[dict[str, float], np.ndarray]] = deque()

        def sample(self, pars) -> dict[str, float]:
            theta = {k: float(v) for k, v in dict(pars).items()}
            if self.recording:
                raise _Recorded(theta)
            want, stats = self.table.popleft()
            if want != theta:  # pyabc drew something else on the replay: the rewind assumption broke
                raise RuntimeError(f"replayed proposal {theta} differs from the recorded {want}")
            return dict(zip(self.statistics, stats.tolist(), strict=True))

    return ReplayModel


def _distance_class():
    import pyabc

    class ZDistance(pyabc.PNormDistance):
        """``sqrt(sum ((s - target) / se)^2)``; a study whose summaries are not all numbers is infinitely far."""

        def __call__(self, x, x_0, t=None, par=None) -> float:
            d = super().__call__(x, x_0, t, par)
            return float(d) if np.isfinite(d) else math.inf

    return ZDistance


# ---- interruption -----------------------------------------------------------------------------------------
_STOP = threading.Event()


def request_stop(signum: int | None = None, frame: Any = None) -> None:
    """Signal handler: stop the fit at the next safe point (a second request stops at once).

    A KeyboardInterrupt raised inside pyabc's write of a generation leaves its database session
    unusable (pyabc then fails with an SQLAlchemy error, not an interruption); deferring the stop to
    the sampler, between batches of simulations, keeps every finished generation and a clean exit.
    """
    if _STOP.is_set():
        raise KeyboardInterrupt
    _STOP.set()


def stop_requested() -> bool:
    return _STOP.is_set()


def clear_stop() -> None:
    _STOP.clear()


def _safe_point() -> None:
    if _STOP.is_set():
        _STOP.clear()
        raise KeyboardInterrupt


def _sampler_class():
    from pyabc.sampler import Sampler

    class BatchSampler(Sampler):
        """pyabc sampler that simulates each round of proposals as batched runs (see the module docstring)."""

        def __init__(self, fit: _Fit) -> None:
            super().__init__()
            self.fit = fit
            self.rate = 0.5  # acceptance rate guess for the first round of a generation

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
            fit = self.fit
            g = 0 if all_accepted else t + 1
            # pyabc draws from NumPy's global generator, so that is the one to seed and rewind
            np.random.seed(np.random.SeedSequence(fit.seed, spawn_key=(0x5043, g)).generate_state(1)[0])  # noqa: NPY002
            model = fit.model
            sample = self._create_empty_sample()
            evals = 0
            rate = 1.0 if all_accepted else self.rate
            while sample.n_accepted < n and evals < max_eval:
                _safe_point()  # a requested stop takes effect here, never inside pyabc's database writes
                size = int(
                    min(max(fit.chunk_floor, math.ceil(1.1 * (n - sample.n_accepted) / max(rate, 0.01))), 20 * n)
                )
                state = np.random.get_state()  # noqa: NPY002
                model.recording, thetas = True, []
                for _ in range(size):
                    try:
                        simulate_one()
                    except _Recorded as rec:
                        thetas.append(rec.theta)
                    else:
                        raise RuntimeError("pyabc evaluated a particle without calling the model")
                keys = [g * KEY_STRIDE + evals + i for i in range(size)]
                stats = fit.simulate(thetas, keys, t)
                np.random.set_state(state)  # noqa: NPY002
                model.recording = False
                model.table = deque(zip(thetas, stats, strict=True))
                accepted_before = sample.n_accepted
                used = 0
                for _ in range(size):
                    particle = simulate_one()
                    sample.append(particle)
                    used += 1
                    if sample.n_accepted >= n or evals + used >= max_eval:
                        break
                evals += used
                rate = max((sample.n_accepted - accepted_before) / used, 0.5 / used)
            if not all_accepted:
                self.rate = sample.n_accepted / max(evals, 1)
            self.nr_evaluations_ = evals
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return BatchSampler


# ---- the fit ----------------------------------------------------------------------------------------------
@dataclass
class FitResult:
    """A finished (or stopped) fit: the weighted posterior sample and what it took."""

    posterior: pd.DataFrame  # one row per particle: parameters, weight, distance
    generations: pd.DataFrame  # per generation: t, epsilon, samples, particles, acceptance_rate, ess
    simulations: int
    wall_seconds: float
    resumed: bool
    stopped_by: str
    sims_per_second: float = math.nan
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Fit:
    targets: Targets
    budget: Budget
    seed: int
    executor: Executor
    bar: Any = None
    chunk_floor: int = 20
    simulated: int = 0
    sim_seconds: float = 0.0
    model: Any = None

    @property
    def statistics(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets.targets)

    def simulate(self, thetas: list[dict[str, float]], keys: list[int], t: int) -> np.ndarray:
        if self.bar is not None:
            self.bar.set_description("prior sample" if t < 0 else f"generation {t}")
        t0 = time.perf_counter()
        out = simulate_summaries(
            self.targets.design, thetas, self.seed, self.statistics, self.executor, keys, progress=self._tick
        )
        self.sim_seconds += time.perf_counter() - t0
        self.simulated += len(thetas)
        return out

    def _tick(self, runs: int) -> None:
        if self.bar is not None:
            self.bar.update(runs)


def spec(targets: Targets, budget: Budget, seed: int) -> dict[str, Any]:
    """What identifies a calibration (a folder holds one): targets, priors, design, budget, seed."""
    return {
        "targets": [asdict(t) for t in targets.targets],
        "priors": [asdict(p) for p in targets.priors],
        "design": targets.design.to_dict(),
        "budget": budget.to_dict(),
        "seed": int(seed),
        "method": "pyabc ABC-SMC",
    }


def _stop_reason(gens: pd.DataFrame, budget: Budget) -> str | None:
    if gens.empty:
        return None
    if len(gens) >= budget.generations:
        return f"generations: {len(gens)} of {budget.generations}"
    if float(gens["epsilon"].iloc[-1]) <= budget.min_epsilon:
        return f"min_epsilon: epsilon {float(gens['epsilon'].iloc[-1]):.3g} <= {budget.min_epsilon:g}"
    if int(gens["samples"].sum()) >= budget.simulations:
        return f"simulations: {int(gens['samples'].sum()):,} >= {budget.simulations:,}"
    return None


def _sessions(out: Path) -> list[dict[str, float]]:
    path = out / SESSIONS_NAME
    return json.loads(path.read_text()) if path.exists() else []


def _log_session(out: Path, seconds: float, simulated: int) -> None:
    """Add this session's wall time to the folder's log (also when interrupted: a resumed fit reports the total)."""
    if simulated:
        sessions = [*_sessions(out), {"seconds": round(seconds, 2), "simulated": simulated}]
        (out / SESSIONS_NAME).write_text(json.dumps(sessions, indent=1) + "\n")


def _all_simulations(history) -> int:
    """Every simulation the history counts, the calibration sample from the prior (``t = -1``) included."""
    pops = history.get_all_populations()
    return int(pops["samples"].sum()) if len(pops) else 0


def _generations(history) -> pd.DataFrame:
    from pyabc.weighted_statistics import effective_sample_size

    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    rows = []
    for _, r in pops.iterrows():
        t = int(r["t"])
        df, w = history.get_distribution(m=0, t=t)
        rows.append(
            dict(
                t=t,
                epsilon=float(r["epsilon"]),
                samples=int(r["samples"]),
                particles=len(df),
                acceptance_rate=len(df) / max(int(r["samples"]), 1),
                ess=float(effective_sample_size(w)),
            )
        )
    return pd.DataFrame(rows, columns=["t", "epsilon", "samples", "particles", "acceptance_rate", "ess"])


def posterior(history, priors: Sequence[Prior], t: int | None = None) -> pd.DataFrame:
    """The weighted particles of generation ``t`` (default: the last) -> ``[<parameters>, weight, distance]``."""
    t = history.max_t if t is None else t
    pop = history.get_population(t=t)
    rows = [
        {**{p.name: float(part.parameter[p.name]) for p in priors}, "weight": part.weight, "distance": part.distance}
        for part in pop.particles
    ]
    df = pd.DataFrame(rows)
    df["weight"] = df["weight"] / df["weight"].sum()
    return df


def fit(
    targets: Targets,
    out: str | Path,
    *,
    budget: Budget = DEFAULT_BUDGET,
    seed: int = 0,
    executor: Executor | None = None,
    progress: bool = True,
) -> FitResult:
    """Fit ``targets`` by ABC-SMC; the history lives in ``out`` (rerunning continues it).

    Parameters
    ----------
    targets : priors, design and target statistics (:func:`~.targets.load_targets`, :func:`~.targets.targets_from_panel`).
    out : the output folder; its ``history.db`` is resumed when it holds this calibration.
    budget : population, generations, simulations and the stop rules.
    seed : every random number of the fit derives from it.
    executor : where simulations run (default serial).
    progress : a tqdm bar on stderr (simulations done of the budget, rate, time left).

    Raises
    ------
    ConfigError
        ``out`` holds a different calibration (targets, priors, design, budget or seed).
    """
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Sampler").setLevel(logging.WARNING)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError("seed", seed, "a whole number >= 0")
    want = spec(targets, budget, seed)
    spec_path = out / SPEC_NAME
    db_path = out / DB_NAME
    if spec_path.exists():
        have = json.loads(spec_path.read_text())
        if have != json.loads(json.dumps(want)):
            raise ConfigError(
                "out",
                str(out),
                "an empty folder or one holding this same calibration (targets, priors, design, budget, seed)",
                "it holds a different one: choose another --out",
            )
    elif db_path.exists():
        db_path.unlink()  # a history without its spec is from an interrupted first write: start over
    executor = executor or Executor("serial")
    state = _Fit(targets, budget, seed, executor, chunk_floor=min(budget.population, 2 * executor.chunk_runs))
    state.model = _replay_model_class()(state.statistics)
    weights = {t.name: 1.0 / t.se for t in targets.targets}
    abc = pyabc.ABCSMC(
        models=state.model,
        parameter_priors=pyabc_prior(targets.priors),
        distance_function=_distance_class()(p=2, fixed_weights=weights),
        population_size=budget.population,
        sampler=_sampler_class()(state),
        eps=pyabc.QuantileEpsilon(alpha=budget.quantile),
    )
    x0 = {t.name: float(t.value) for t in targets.targets}
    db = f"sqlite:///{db_path.resolve()}"
    resumed = db_path.exists() and spec_path.exists()
    if resumed:
        history = abc.load(db, 1)
    else:
        history = abc.new(db, x0)
        spec_path.write_text(json.dumps(want, indent=2) + "\n")
    done_gens = _generations(history)
    stopped = _stop_reason(done_gens, budget)
    done_sims = int(done_gens["samples"].sum()) if not done_gens.empty else 0
    t0 = time.perf_counter()
    if stopped is None:
        if progress:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: keeps this process single-threaded for fork
            state.bar = tqdm(
                total=budget.simulations,
                initial=min(done_sims, budget.simulations),
                unit="sim",
                desc="calibrate",
                file=__import__("sys").stderr,
                dynamic_ncols=True,
                smoothing=0.1,
            )
        try:
            abc.run(
                minimum_epsilon=budget.min_epsilon,
                max_nr_populations=budget.generations - len(done_gens),
                max_total_nr_simulations=budget.simulations,
            )
        finally:
            if state.bar is not None:
                state.bar.close()
            executor.close()
            _log_session(out, time.perf_counter() - t0, state.simulated)
        done_gens = _generations(history)
        stopped = _stop_reason(done_gens, budget) or "pyabc stopped (acceptance too low)"
    wall = time.perf_counter() - t0
    sessions = _sessions(out)
    post = posterior(history, targets.priors)
    return FitResult(
        posterior=post,
        generations=done_gens,
        simulations=_all_simulations(history),
        wall_seconds=wall,
        resumed=resumed,
        stopped_by=stopped,
        sims_per_second=state.simulated / state.sim_seconds if state.sim_seconds > 0 else math.nan,
        extra={
            "simulated_this_session": state.simulated,
            "wall_seconds_total": sum(x["seconds"] for x in sessions),
            "sessions": len(sessions),
        },
    )


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float | Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (the inverse of the weighted empirical CDF, midpoint rule)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    o = np.argsort(x, kind="mergesort")
    x, w = x[o], w[o]
    c = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.atleast_1d(q), c, x)


def posterior_summary(post: pd.DataFrame, priors: Sequence[Prior], level: float = 0.9) -> pd.DataFrame:
    """Per parameter: weighted mean, median, SD and the central ``level`` credible interval."""
    a = (1 - level) / 2
    rows = []
    w = post["weight"].to_numpy()
    for p in priors:
        x = post[p.name].to_numpy()
        lo, med, hi = weighted_quantile(x, w, [a, 0.5, 1 - a])
        mean = float(np.sum(w * x) / w.sum())
        sd = float(np.sqrt(np.sum(w * (x - mean) ** 2) / w.sum()))
        rows.append(dict(parameter=p.name, mean=mean, median=float(med), sd=sd, lo=float(lo), hi=float(hi)))
    return pd.DataFrame(rows)


def draws(post: pd.DataFrame, priors: Sequence[Prior], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` parameter vectors resampled from the weighted posterior (with replacement, by weight)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x505043,)))  # "PPC"
    idx = rng.choice(len(post), size=n, replace=True, p=post["weight"].to_numpy())
    return [{p.name: float(post[p.name].iat[i]) for p in priors} for i in idx]


__all__ = [
    "Budget",
    "DEFAULT_BUDGET",
    "QUICK_BUDGET",
    "SHIPPED_BUDGET",
    "FitResult",
    "fit",
    "posterior",
    "posterior_summary",
    "draws",
    "weighted_quantile",
]
