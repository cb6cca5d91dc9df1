"""The one parallel path: tasks travel to a cluster in chunks that shrink as the
work runs out, and every task's result still reaches ``store`` on its own."""
import os

import pytest

from invlib.parallel import CHUNKS_PER_WORKER, MAX_CHUNK, chunks, run_all


@pytest.mark.parametrize("tasks, workers", [(144, 2), (144, 1), (7, 2), (1, 4),
                                            (19440, 2)])
def test_chunks_keep_the_order_and_shrink_to_single_tasks(tasks, workers):
    items = list(range(tasks))
    out = chunks(items, workers)
    assert [t for chunk in out for t in chunk] == items
    sizes = [len(chunk) for chunk in out]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1
    assert sizes[0] == min(MAX_CHUNK, -(-tasks // (CHUNKS_PER_WORKER * workers)))
    # several chunks per worker, but far fewer jobs than tasks on a big sweep
    assert len(out) >= min(tasks, CHUNKS_PER_WORKER * workers)
    if tasks > 1000:
        assert len(out) < tasks / (MAX_CHUNK / 2)


def square_plus(x, y):
    return x * x + y


@pytest.mark.parametrize("cluster", ["serial", "local:2"])
def test_every_task_is_stored_with_its_own_result(cluster):
    tasks = [(x, 1) for x in range(30)]
    got = {}
    run_all(square_plus, tasks, lambda task, result: got.setdefault(task, result),
            cluster)
    assert got == {task: task[0] ** 2 + 1 for task in tasks}


def worker_pid(_):
    import os
    return os.getpid()


def test_a_kept_cluster_serves_several_calls_and_stops_at_the_end():
    from dask.distributed import Client

    from invlib.parallel import LocalCluster
    pids = []
    with LocalCluster(2) as cluster:
        assert cluster.startswith("tcp://")
        for _ in range(2):
            got = {}
            run_all(worker_pid, [(k,) for k in range(8)],
                    lambda task, pid, got=got: got.setdefault(task, pid), cluster)
            pids.append(set(got.values()))
    # the same two worker processes ran both calls, none of them this one
    assert len(pids[0] | pids[1]) <= 2
    assert os.getpid() not in pids[0] | pids[1]
    with pytest.raises(OSError):
        Client(cluster, timeout="2s")


def test_a_cluster_kept_across_notebook_cells_closes_once():
    from dask.distributed import Client

    from invlib.parallel import LocalCluster
    cluster = LocalCluster(1)
    assert cluster.workers == 1 and cluster.address in repr(cluster)
    got = {}
    run_all(square_plus, [(k, 1) for k in range(5)], got.__setitem__,
            cluster.address)
    assert got == {(k, 1): k ** 2 + 1 for k in range(5)}
    cluster.close()
    cluster.close()                      # a second close does nothing
    assert "closed" in repr(cluster)
    with pytest.raises(OSError):
        Client(cluster.address, timeout="2s")


def nap(seconds):
    import time
    time.sleep(seconds)
    return seconds


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_the_workers_without_a_traceback(capfd, workers):
    """Ctrl-C (here raised by ``store``) kills the workers with runs under
    way; the connections closing under the scheduler must print nothing."""
    import time
    stored = []

    def store(task, result):
        stored.append(task)
        if len(stored) == 3:
            raise KeyboardInterrupt
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_all(nap, [(0.2,)] * 40, store, f"local:{workers}")
    assert time.monotonic() - start < 8          # queued runs were dropped
    time.sleep(1)                                # anything logged late
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Comm Closed" not in err, err
    # the closing connections log at INFO, possibly after the cluster has
    # restored its handlers (which made this flaky to observe): the logger
    # itself must no longer pass INFO on
    import logging
    assert not logging.getLogger("distributed.batched").isEnabledFor(
        logging.INFO)


def test_dask_start_up_chatter_is_quiet_and_other_warnings_are_not():
    """A cluster starts in the background, so what Dask says meanwhile lands
    in whichever notebook cell runs: its two start-up remarks that are not
    news are ignored (in this process and in the workers' fork server), and
    nothing else is."""
    import warnings

    from invlib.parallel import quiet_dask
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_dask()
        warnings.warn("Creating scratch directories is taking a surprisingly "
                      "long time. (1.52s) This is often due to ...", stacklevel=1)
        warnings.warn("Port 8787 is already in use. Perhaps you already have "
                      "a cluster running?", stacklevel=1)
        warnings.warn("something else", stacklevel=1)
    assert [str(w.message) for w in caught] == ["something else"]


def _worker_chatter():
    """On a worker: whether its scratch-folder remark, its warnings and its
    errors reach stderr."""
    import logging
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn("Creating scratch directories is taking a surprisingly "
                      "long time. (1.52s)", stacklevel=1)
    logger = logging.getLogger("distributed.worker")
    return (len(caught), logger.isEnabledFor(logging.WARNING),
            logger.isEnabledFor(logging.ERROR))


def test_local_workers_print_nothing():
    """The workers (forked from the server that loaded invlib._preload) ignore
    the same remarks and log nothing: a line of theirs would land in whichever
    notebook cell runs (a heartbeat meeting the scheduler's close printed a
    traceback after a sweep); a task's error reaches the caller instead, as
    test_parallel's other tests check."""
    import multiprocessing

    from dask.distributed import Client

    from invlib.parallel import LocalCluster
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("local workers fork from a preloaded server only where "
                    "there is a fork server (Linux, macOS)")
    with LocalCluster(1) as address:
        client = Client(address)
        try:
            [said] = client.run(_worker_chatter).values()
        finally:
            client.close()
    assert said == (0, False, False)


def _fails(x):
    if x == 3:
        raise ValueError(f"task {x} went wrong")
    return x


def test_a_failed_task_reaches_the_caller_as_its_exception(capfd):
    """The workers print nothing, so a task's error must come back: run_all
    raises it, after storing what finished, and no worker's log is printed."""
    stored = []
    with pytest.raises(ValueError, match="task 3 went wrong"):
        run_all(_fails, [(x,) for x in range(8)],
                lambda task, result: stored.append(result), "local:1")
    assert 3 not in stored
    assert "Traceback" not in capfd.readouterr().err
