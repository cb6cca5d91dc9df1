"""What the server process that forks local workers loads before it forks any
(:func:`invlib.parallel._start_method`): the library, scipy's statistics, and
the compiled learning loops from numba's disk cache. A worker forked from it
starts with all of that in memory, instead of each worker loading it again
before its first job (about a second each)."""
import logging

import scipy.stats  # noqa: F401  (the demand tables and the tests use it)

from . import agents, approx, bias, experiments, parallel, scoring, sweep  # noqa: F401

parallel.quiet_dask()
# the workers log errors only, as the cluster asks of its scheduler and nannies
# (silence_logs), which Dask passes on to a worker's nanny logger alone: a
# worker's warnings (a busy machine's "event loop was unresponsive") would land
# in whichever notebook cell runs
logging.getLogger("distributed").setLevel(logging.ERROR)
agents._compile_once()
approx._compile_once()
