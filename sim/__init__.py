"""efficacy-sim: an agent-based simulation of self-efficacy feedback loops (Bandura)."""

from sim.batch import Batch
from sim.config import Config
from sim.errors import ConfigError

__all__ = ["Batch", "Config", "ConfigError", "EfficacyModel", "Learner"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Mesa is imported lazily so the array core (sweeps, workers) starts fast.
    if name == "EfficacyModel":
        from sim.model import EfficacyModel

        return EfficacyModel
    if name == "Learner":
        from sim.agents import Learner

        return Learner
    raise AttributeError(name)
