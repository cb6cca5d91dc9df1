"""What the server process that forks local workers loads before it forks any
(:func:`invlib.parallel._start_method`): the library, scipy's statistics, and
the compiled learning loops from numba's disk cache. A worker forked from it
starts with all of that in memory, instead of each worker loading it again
before its first job (about a second each)."""
import logging

import scipy.stats  # noqa: F401  (the demand tables and the tests use it)

from . import agents, approx, bias, experiments, parallel, scoring, sweep  # noqa: F401

parallel.quiet_dask()
# the workers print nothing (Dask passes the cluster's silence_logs on to a
# worker's nanny logger alone): what they would print lands in whichever
# notebook cell runs, be it a busy machine's "event loop was unresponsive" or a
# heartbeat that meets the scheduler closing at the end. A task's own error
# comes back to the caller as its exception, and a lost worker as a failed run.
logging.getLogger("distributed").setLevel(logging.CRITICAL)
agents._compile_once()
approx._compile_once()
