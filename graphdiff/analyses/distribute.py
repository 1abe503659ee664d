"""Many points beyond one machine: the chunks of points go to a Dask cluster (``pip install 'graphdiff[dask]'``).

What a worker needs is sent once: the program's text and what to compute (the worker builds its graph and its
generated program from them, once, and keeps them); each chunk of points is then one task, whose rows come
back in point order. A worker that dies takes its tasks with it and Dask runs them again on another (each
point is answered once: rows are collected by chunk). ``local`` starts a LocalCluster on this machine's
loopback address.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Iterable, Iterator, Mapping

from ..base.errors import InputError
from .points import PointRow, Points, chunks, in_order

#: Chunks in flight per worker: enough to keep every worker busy, few enough that a file streams through.
IN_FLIGHT = 4
_JOBS: dict[str, Points] = {}


def _job(spec: tuple) -> Points:
    """The worker's Points for ``spec``, built once per worker and kept."""
    key = hashlib.blake2b(repr(spec).encode(), digest_size=16).hexdigest()
    job = _JOBS.get(key)
    if job is None:
        from ..language.graph import loads

        text, source, what, of, wrt, mode, ieee = spec
        job = _JOBS[key] = Points(loads(text, source), what, of=of, wrt=wrt, mode=mode, ieee=ieee)
    return job


def run_chunk(spec: tuple, chunk: list, start: int) -> list[PointRow]:
    """One task: the rows of a chunk of points (run on a worker)."""
    return _job(spec).run(chunk, start)


def spec_of(job: Points) -> tuple:
    g = job.g
    if g.text is None:
        raise InputError("--dask needs the program's text (a graph built in Python has none)")
    of = [g.names[o] for o in job.outs]
    wrt = [g.names[i] for i in job.ins]
    return (g.text, g.source, job.what, of, wrt, job.mode, job.ieee)


def client_for(address: str):
    """A Dask client: ``local`` starts a LocalCluster (two worker processes on 127.0.0.1, no dashboard)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--dask needs Dask: pip install 'graphdiff[dask]'") from None
    if address == "local":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                               processes=True, silence_logs=40)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="20s"), None
    except OSError as e:
        raise InputError(f"--dask {address}: cannot reach the scheduler: {e}") from None


def at_points_on(address_or_client, job: Points, points: Iterable[tuple[int, Mapping[str, object]]], size: int,
                 progress: Callable[[int], None] | None = None) -> Iterator[PointRow]:
    """Every point's row, in point order, computed by the cluster's workers a chunk a task."""
    own = isinstance(address_or_client, str)
    client, cluster = client_for(address_or_client) if own else (address_or_client, None)
    try:
        spec = client.scatter(spec_of(job), broadcast=True)
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        tasks = (client.submit(run_chunk, spec, b, s, pure=False, retries=5) for b, s in chunks(points, size))
        yield from in_order(tasks, lambda f: f.result(), IN_FLIGHT * workers, progress)
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
