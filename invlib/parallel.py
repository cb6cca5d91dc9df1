"""The library's one way to run many independent jobs: in this process, one after
the other, or on a Dask cluster (:mod:`dask.distributed`).

:func:`run_all` calls ``function(*task)`` for every task and hands each result to
``store(task, result)`` *in the calling process* as soon as it arrives, in the
order the jobs finish. Storing on the caller's side means the workers need no
shared disk: a cluster on other machines (``tcp://HOST:PORT``, for example a
SLURM allocation through dask-jobqueue) stores exactly what a local one does.
Results never depend on where a job ran: every job's random numbers come from its
own coordinates (see :mod:`invlib.experiments`), so serial, 2 workers and 200
workers give the same numbers, bit for bit; only the measured times differ.

A cluster is named by a string:

* ``"serial"``: this process, no Dask at all;
* ``"local:N"``: a :class:`dask.distributed.LocalCluster` of ``N`` worker
  processes with one thread each (started here, stopped at the end);
* ``"tcp://HOST:PORT"``: the scheduler of a cluster that is already running.

Ctrl-C stops the workers at once and raises :class:`KeyboardInterrupt` in the
caller; what was stored stays stored.

On a cluster the tasks travel in chunks (:func:`chunks`): a job of a tenth of a
second costs the scheduler about as much as it does the worker, so one job runs a
chunk of tasks and hands back their results together; ``store`` still sees one
task at a time, in the order the chunk ran them. The chunks shrink as the work
runs out (about :data:`CHUNKS_PER_WORKER` per worker of what is left), so the
last ones keep every worker busy to the end; give the tasks longest first to help
that. A chunk's results arrive when the whole chunk is done, so Ctrl-C loses the
finished tasks of the chunks under way: at most :data:`MAX_CHUNK` per worker.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import warnings

from .checks import InvalidParameter

#: At most this many local workers (a typo such as local:2000 is refused).
MAX_LOCAL_WORKERS = 256

#: A chunk holds about 1 / (this * workers) of the tasks still to hand out...
CHUNKS_PER_WORKER = 4
#: ... and at most this many tasks.
MAX_CHUNK = 16


def default_cluster() -> str:
    """``local:N`` with N the cores this process may use."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:                 # macOS and Windows
        cores = os.cpu_count() or 1
    return f"local:{max(1, cores)}"


def check_cluster(cluster) -> str:
    """Return ``cluster`` if it is ``serial``, ``local:N`` or ``tcp://HOST:PORT``."""
    text = cluster if isinstance(cluster, str) else ""
    local = re.fullmatch(r"local:(\d+)", text)
    if text == "serial" or re.fullmatch(r"tcp://[^\s:/]+:\d{1,5}", text):
        return text
    if local and 1 <= int(local.group(1)) <= MAX_LOCAL_WORKERS:
        return text
    raise InvalidParameter(f"cluster must be 'serial', 'local:N' with N in [1, "
                           f"{MAX_LOCAL_WORKERS}] or 'tcp://HOST:PORT', "
                           f"got {cluster!r}")


def workers(cluster: str) -> int | None:
    """The number of workers of a ``serial`` or ``local:N`` cluster (None for a
    remote one, which may change size while it runs)."""
    cluster = check_cluster(cluster)
    if cluster == "serial":
        return 1
    return int(cluster[6:]) if cluster.startswith("local:") else None


#: What a local worker starts with: forked from a server process that has
#: loaded it once (see :func:`_start_method`), a new worker loads nothing.
PRELOAD = ("invlib._preload",)


def _start_method() -> str:
    """How local workers start: ``forkserver`` where there is one (Linux,
    macOS). A server process imports Dask and :data:`PRELOAD` once, the first
    time this process starts workers, and forks every worker from itself, so a
    worker starts in a fraction of a second instead of starting Python and
    importing everything anew (``spawn``, Dask's default, and Windows' only
    way); this process may hold threads, which ``fork`` is not safe with. A
    cluster's start and stop then cost about a second instead of three, which
    matters to a sweep of a few minutes' work on two cores."""
    import multiprocessing
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"
    import dask
    from distributed.utils import get_mp_context
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        context = get_mp_context()       # Dask's own preload list, set once
    from multiprocessing import forkserver
    if getattr(forkserver._forkserver, "_forkserver_pid", None) is None:
        # not started yet: add the library to what the server imports
        preload = list(getattr(forkserver._forkserver, "_preload_modules", []))
        context.set_forkserver_preload(preload + [m for m in PRELOAD
                                                  if m not in preload])
    return "forkserver"


#: What Dask says while a local cluster starts that is not news here, and
#: would land in a notebook's output (the workers start in the background,
#: so in whichever cell runs meanwhile): a second cluster on this machine finds
#: the dashboard's port taken (the library never serves a dashboard), and on a
#: busy machine, making the scratch folders takes over a second.
QUIET = ("Port .* is already in use",
         "Creating scratch directories is taking a surprisingly long time")


def quiet_dask() -> None:
    """Ignore the warnings of :data:`QUIET` in this process (its scheduler and
    nannies; the workers fork from a process that called this too). Added to
    the filters, not in a ``catch_warnings`` block, and by the thread that
    asks for a cluster before the background thread that starts it: a
    ``catch_warnings`` block in either thread (matplotlib and scipy open them)
    puts back the filters it found when it ends, and so would undo filters
    added by the other thread meanwhile."""
    for message in QUIET:
        warnings.filterwarnings("ignore", message=message)


def _connect(cluster: str):
    """A Dask client (and the local cluster it owns, or None)."""
    import dask
    from dask.distributed import Client, LocalCluster
    if cluster.startswith("local:"):
        method = _start_method()
        with dask.config.set({"distributed.worker.multiprocessing-method": method}):
            local = LocalCluster(n_workers=int(cluster[6:]), threads_per_worker=1,
                                 processes=True, dashboard_address=None,
                                 silence_logs=logging.ERROR)
        return Client(local), local
    try:
        return Client(cluster, timeout="10s"), None
    except OSError as err:
        raise InvalidParameter(f"cluster {cluster!r} cannot be reached ({err})") \
            from None


class LocalCluster:
    """Local workers kept for several calls: every ``cluster=`` of the library
    takes :attr:`address`, so several sweeps in a row pay for one start of the
    workers (seconds) instead of one each; the numbers are the same as on any
    other cluster. A notebook starts one in an early cell and calls
    :meth:`close` in its last; ``with LocalCluster(2) as cluster:`` closes it at
    the end of a block (at once on Ctrl-C or a failure)."""

    def __init__(self, n_workers: int | None = None):
        name = check_cluster(default_cluster() if n_workers is None
                             else f"local:{n_workers}")
        self.workers = workers(name)
        self._client = self._local = self._error = self._address = None
        quiet_dask()           # here, not in the thread (see quiet_dask)
        # the workers start in the background, so a notebook's next cells run
        # (on one core) while they start (on the other): :attr:`address` waits
        self._starting = threading.Thread(target=self._start, args=(name,),
                                          daemon=True)
        self._starting.start()

    def _start(self, name: str) -> None:
        try:
            self._client, self._local = _connect(name)
            self._address = self._local.scheduler_address
        except BaseException as err:         # raised where the address is asked
            self._error = err

    @property
    def address(self) -> str:
        """The scheduler's ``tcp://HOST:PORT``, once the workers have started."""
        self._starting.join()
        if self._error is not None:
            raise self._error
        return self._address

    def close(self, at_once: bool = False) -> None:
        """Stop the workers (a second call does nothing)."""
        self._starting.join()
        if self._client is not None:
            _stop(self._client, self._local, at_once=at_once)
            self._client = self._local = None

    def __enter__(self) -> str:
        return self.address

    def __exit__(self, kind, value, traceback) -> None:
        self.close(at_once=kind is not None)

    def __repr__(self) -> str:
        state = ("starting" if self._starting.is_alive() else "closed"
                 if self._client is None else self._address)
        return f"LocalCluster({self.workers} workers, {state})"


def chunks(tasks: list, workers: int) -> list[list]:
    """``tasks`` cut, in order, into chunks of decreasing size: each holds about
    ``1 / (CHUNKS_PER_WORKER * workers)`` of the tasks not yet in a chunk, and at
    most :data:`MAX_CHUNK`."""
    out, start = [], 0
    while start < len(tasks):
        size = min(MAX_CHUNK,
                   -(-(len(tasks) - start) // (CHUNKS_PER_WORKER * workers)))
        out.append(tasks[start:start + size])
        start += size
    return out


def run_chunk(function, chunk) -> list:
    """``function(*task)`` for each task of a chunk, in order (on a worker)."""
    return [function(*task) for task in chunk]


def run_all(function, tasks, store, cluster: str = "serial", bar=None) -> None:
    """``store(task, function(*task))`` for every task (a tuple of arguments),
    on ``cluster``; ``bar`` (a tqdm bar, optional) advances once per result."""
    cluster = check_cluster(cluster)
    tasks = [tuple(task) for task in tasks]
    if not tasks:
        return
    if cluster == "serial":
        for task in tasks:
            store(task, function(*task))
            if bar is not None:
                bar.update()
        return
    from dask.distributed import as_completed
    quiet_dask()
    client, local = _connect(cluster)
    futures = {}
    try:
        size = workers(cluster) or max(1, sum(client.nthreads().values()))
        # pure=False: equal arguments are still separate jobs (each is timed)
        futures = {client.submit(run_chunk, function, chunk, pure=False): chunk
                   for chunk in chunks(tasks, size)}
        for future in as_completed(futures):
            for task, result in zip(futures[future], future.result(), strict=True):
                store(task, result)
                if bar is not None:
                    bar.update()
    except BaseException:
        # Ctrl-C or a failed job: drop what is queued and stop the workers now,
        # without waiting for the runs under way (their results are not wanted)
        if local is None:
            client.cancel(list(futures), force=True)
        _stop(client, local, at_once=True)
        raise
    _stop(client, local)


def _stop(client, local, at_once: bool = False) -> None:
    """Close the client and the local cluster it owns (if any). Politely by
    default: killed workers would be restarted by their nannies, which then log
    an error to stderr (into a notebook's output) as the cluster closes. At once
    (``at_once``) on Ctrl-C or a failure, when that noise matters less than the
    wait."""
    if not at_once:
        client.close()
        if local is not None:
            local.close()
        return
    # the killed workers' connections close under the scheduler and the
    # client, which log it with a traceback at INFO; that is the intended end,
    # not news, and Ctrl-C must print one line (the distributed package
    # restores its handlers' levels when a cluster closes, not its logger's)
    quiet = logging.getLogger("distributed")
    quiet.setLevel(max(quiet.level, logging.ERROR))
    if local is not None:
        _kill_workers(local)
    with contextlib.suppress(Exception):
        client.close(timeout=1)
        if local is not None:
            local.close(timeout=1)


def _kill_workers(local) -> None:
    """Terminate a local cluster's worker processes (and their children) at
    once; the cluster's own close then finds them gone."""
    import psutil
    nannies = list(local.workers.values())
    for nanny in nannies:
        # else a nanny restarts its killed worker, and the exit then waits
        # (seconds) for the new one to start before it can close it
        with contextlib.suppress(Exception):
            nanny.close_gracefully(reason="interrupted")
    for nanny in nannies:
        pid = getattr(getattr(getattr(nanny, "process", None), "process", None),
                      "pid", None)
        if pid is None:
            continue                      # not started yet, or gone already
        try:
            worker = psutil.Process(pid)
            for process in [*worker.children(recursive=True), worker]:
                process.kill()
        except psutil.Error:
            pass
