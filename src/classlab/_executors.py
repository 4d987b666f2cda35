"""Executors: take units of work, run them, and hand back each result as it is ready (``Executor``).

A unit computes the same numbers wherever it runs, given the same thread count: ``threads`` is part
of the run's numerical setup.

* ``Serial``: one after the other, in this process (the default).
* ``Processes``: ``--workers N`` local processes, each with its share of the CPU threads.
* ``Ray``: each unit a Ray task (``--ray``, or ``--ray-address`` for an existing cluster).
"""

import os
import time
from typing import Callable, Protocol, runtime_checkable

from .errors import ClasslabError
from ._progress import Progress, unit_log
from ._units import Unit, quiet


@runtime_checkable
class Executor(Protocol):
    """What the runner needs of an executor."""

    def run(self, units: list[Unit], ctx, done: Callable[[Unit, dict, float], None], progress: Progress) -> None:
        """Run ``units`` with ``ctx``; call ``done(unit, result, seconds)`` in the calling process as each
        finishes (the runner saves the result there, so an interrupted run resumes from what was handed back)."""


def threads_per_unit(threads=None, workers=None, ray=False):
    """The threads each unit computes with: as asked; else all cores shared among local workers, 1 per Ray
    task, and torch's own default (None) for a serial run."""
    if threads is not None:
        return threads
    if workers:
        return max(1, (os.cpu_count() or 1) // workers)
    return 1 if ray else None


def release_memory():
    """Give a finished unit's memory back, so a run of many seeds stays as small as a run of one."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the allocator keeps its own counsel


# glibc returns freed blocks above its mmap threshold to the system at once, and shrinks the heap
# whenever its free top passes the trim threshold: a training step then allocates its activations as
# fresh pages every time, and the page faults (zeroing 4 KiB at a time) cost more than the arithmetic
# of the elementwise layers (measured in benchmarks/: 6,000 faults per CNN step, the CNN's evaluation
# three times slower). Kept in the process instead, memory is reused; release_memory() still gives it
# back between units.
MMAP_THRESHOLD = 64 << 20
TRIM_THRESHOLD = 256 << 20


def keep_freed_memory():
    """Tell glibc's malloc to reuse freed blocks up to MMAP_THRESHOLD instead of returning them (no-op elsewhere)."""
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, TRIM_THRESHOLD)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def set_threads(threads):
    if threads:
        import torch

        torch.set_num_threads(threads)


def run_unit(unit, ctx, threads, report):
    """Run one unit with ``threads`` threads and freed memory kept for reuse: returns (result, seconds)."""
    set_threads(threads)
    keep_freed_memory()
    t = time.perf_counter()
    result = unit.run(ctx, report)
    seconds = time.perf_counter() - t
    if unit.heavy:
        release_memory()
    return result, seconds


class Serial:
    """Run the units one after the other in this process."""

    def __init__(self, threads=None):
        self.threads = threads

    def run(self, units, ctx, done, progress):
        for unit in units:
            progress.begin(unit)
            done(unit, *run_unit(unit, ctx, self.threads, progress.reporter(unit)))


# ----------------------------------------------------------------------------- in another process

_CONTEXTS = {}  # one Context per run per process: its data are loaded once, not once per unit


def run_elsewhere(unit, ctx, threads, label):
    """Run ``unit`` in a worker (process or Ray task), logging its epochs as ``label`` (None: quiet)."""
    ctx = _CONTEXTS.setdefault((ctx.settings, ctx.inputs, ctx.folder), ctx)
    return run_unit(unit, ctx, threads, unit_log(label) if label else quiet)


def _by_cost(units, settings):
    """Longest first: the best simple order to keep several workers busy to the end."""
    return sorted(units, key=lambda u: -u.cost(settings))


class Processes:
    """Run the units in ``workers`` local processes, each computing with ``threads`` threads."""

    def __init__(self, workers, threads=None):
        self.workers = workers
        self.threads = threads_per_unit(threads, workers)

    def run(self, units, ctx, done, progress):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if not units:
            return
        pool = ProcessPoolExecutor(min(self.workers, len(units)), mp_context=multiprocessing.get_context("spawn"))
        try:
            futures = {pool.submit(run_elsewhere, u, ctx, self.threads, progress.log_label(u)): u
                       for u in _by_cost(units, ctx.settings)}
            for future in as_completed(futures):
                result, seconds = future.result()
                done(futures[future], result, seconds)
        except BaseException:
            for process in list((pool._processes or {}).values()):  # stop work in flight at once (Ctrl-C, error)
                process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()


class Ray:
    """Run each unit as a Ray task: on a local Ray instance, or on the cluster at ``address``."""

    def __init__(self, address=None, threads=None, gpus=0, max_retries=3):
        self.address, self.gpus, self.max_retries = address, gpus, max_retries
        self.threads = threads_per_unit(threads, ray=True)

    def run(self, units, ctx, done, progress):
        ray = import_ray()
        started_here = not ray.is_initialized()
        if started_here:
            options = {"address": self.address} if self.address else {"object_store_memory": 256 << 20}
            ray.init(log_to_driver=True, include_dashboard=False, **options)
        task = ray.remote(num_cpus=self.threads, num_gpus=self.gpus, max_retries=self.max_retries)(run_elsewhere)
        refs = {task.remote(u, ctx, self.threads, progress.log_label(u)): u for u in _by_cost(units, ctx.settings)}
        try:
            while refs:
                ready, _ = ray.wait(list(refs), num_returns=1)
                for ref in ready:
                    unit = refs.pop(ref)
                    try:
                        result, seconds = ray.get(ref)
                    except ray.exceptions.RayTaskError as err:
                        if isinstance(err.cause, ClasslabError):
                            raise err.cause from None
                        raise
                    done(unit, result, seconds)
        except BaseException:
            for ref in refs:
                ray.cancel(ref, force=True)
            raise
        finally:
            if started_here:
                ray.shutdown()


def import_ray():
    # Ray folds log lines that differ only in their numbers ("epoch 2/3" of seed 1 and of seed 2, or of a
    # retried task) into "[repeated Nx]" batches, some printed late or never; classlab's lines are all meant
    # to be read. Ray reads this when it is imported; a value the user set stays.
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    try:
        import ray
    except ImportError:
        raise ClasslabError("--ray needs Ray, which is not installed: pip install 'classlab[ray]'") from None
    return ray
