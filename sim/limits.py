"""Declared limits: every size the project accepts from a file, a command line or a request.

Each limit is checked before anything is allocated, computed or written, and a value over it is refused
with a :class:`~sim.errors.ConfigError` naming the field, the value and the limit. They are generous for
real work on one machine (the defaults of every shipped experiment are far below them) and stop a typo
(``replications = 1e12``) from hanging the machine or filling its memory. Change them here only.
"""

from __future__ import annotations

# -- input files -------------------------------------------------------------------------------------
MAX_TOML_BYTES = 1_000_000
"""Largest scenario, experiment or strategy file read (bytes); real ones are a few kB."""
MAX_TOML_DEPTH = 8
"""Deepest nesting of tables and arrays in such a file (the deepest real shape, an experiment's
``conditions.NAME.interventions[i].field``, is 4 deep)."""
MAX_NAME_LENGTH = 100
"""Longest scenario, experiment, strategy or condition name (characters); a name may become a folder name."""
MAX_TEXT_LENGTH = 10_000
"""Longest free-text description (characters)."""

# -- sweep size --------------------------------------------------------------------------------------
MAX_POINTS = 100_000
"""Most design points (grid x sampler rows x conditions) one experiment may have."""
MAX_RUNS = 1_000_000
"""Most runs (design points x replications) one experiment may have."""
MAX_AGENT_STEPS = 100_000_000_000
"""Most agent-steps (sum over runs of agents x steps) one experiment or run may have: about three
hours on two cores at the measured ten million agent-steps per second per core."""
MAX_MEMORY_BYTES = 12 * 2**30
"""Largest estimated working memory of a sweep or run (see :func:`sim.engine.run.memory_estimate`): half
of the 24 GiB of the machines this project runs on, enough for one run of the declared maximum of agents."""

# -- execution ---------------------------------------------------------------------------------------
MAX_WORKERS = 256
"""Most worker processes (``--workers``); a sweep never starts more workers than it has chunks to compute."""
SCHEDULER_TIMEOUT = 5.0
"""Seconds to wait for a Dask scheduler to connect and answer its handshake before giving up."""
SCHEDULER_MAX_FRAME = 64 * 2**20
"""Largest first message (bytes) accepted from a Dask scheduler's handshake; a larger announced size
means the address is not a Dask scheduler."""
