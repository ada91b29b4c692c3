"""efficacy-sim: an agent-based simulation of self-efficacy feedback loops (Bandura)."""

from sim.config import Config
from sim.errors import ConfigError

__all__ = ["Batch", "Config", "ConfigError", "EfficacyModel", "Learner"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Imported on first use: the command line starts without NumPy kernels or Mesa, workers without Mesa.
    if name == "Batch":
        from sim.batch import Batch

        return Batch
    if name == "EfficacyModel":
        from sim.model import EfficacyModel

        return EfficacyModel
    if name == "Learner":
        from sim.agents import Learner

        return Learner
    raise AttributeError(name)
