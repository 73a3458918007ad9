"""Both cores where it pays, and the only module that knows about processes.

Files are parsed in workers (`ordered_map`); groups of messages — which never share a task — are
hashed and judged in workers (`by_groups`); the CSV files are encoded in pieces by workers
(`forked`). Workers start as copies of this process (fork), so they see the run's frames without
their being sent; only each piece's result comes back. Pieces are put back in their original
order: the result is the same as a run on one core (a test checks it byte for byte). Small
inputs stay in this process, where the workers' start would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")
R = TypeVar("R")

MIN_BYTES_PER_WORKER = 1 << 20     # parse in parallel from this much input per worker
MIN_ROWS_PER_WORKER = 40_000       # classify in parallel from this many messages per worker


def workers(jobs: int) -> int:
    """--jobs: 0 means every core this process may use."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:          # not on Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(fn: Callable[[T], R], items: Iterable[T], jobs: int) -> Iterable[R]:
    """fn over items, results in the items' order; in `jobs` worker processes when jobs > 1."""
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        yield from map(fn, items)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context) as pool:
        yield from pool.map(fn, items)


def can_fork() -> bool:
    """Workers that start as copies of this process see its frames without their being sent."""
    return "fork" in multiprocessing.get_all_start_methods()


def balanced(sizes: list[int], buckets: int) -> list[list[int]]:
    """Indexes of `sizes` dealt into `buckets` lists of about equal total size (largest first)."""
    out: list[list[int]] = [[] for _ in range(buckets)]
    totals = [0] * buckets
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        k = totals.index(min(totals))
        out[k].append(i)
        totals[k] += sizes[i]
    return [sorted(b) for b in out if b]


# what a forked() call's workers read: set just before they fork, cleared after (one call at a time)
_SHARED: dict = {}


def _run_shared(item):
    return _SHARED["fn"](_SHARED["data"], item)


def forked(fn: Callable[[Any, T], R], data: Any, items: list[T], jobs: int) -> list[R]:
    """fn(data, item) for each item, in `jobs` forked workers that see `data` without its being sent;
    results in the items' order."""
    if jobs <= 1 or len(items) <= 1 or not can_fork():
        return [fn(data, item) for item in items]
    _SHARED.update(fn=fn, data=data)
    try:
        return list(ordered_map(_run_shared, items, jobs))
    finally:
        _SHARED.clear()


class Later:
    """fn(*args) for what it writes, done by a forked worker while this process goes on (background), or
    here: when there is no worker, and when the worker did not finish (it failed, or was killed), so a
    failure is this process's own, reported as any other."""

    def __init__(self, fn: Callable[..., Any], args: tuple, worker: Any = None) -> None:
        self._fn, self._args, self._worker = fn, args, worker

    def wait(self) -> None:
        if self._worker is not None:
            self._worker.join()
            if self._worker.exitcode == 0:
                return
        self._fn(*self._args)

    def cancel(self) -> None:
        """This process failed or is done: a worker still running is stopped."""
        if self._worker is not None and self._worker.is_alive():
            self._worker.terminate()
            self._worker.join()


def _quietly(fn: Callable[..., Any], args: tuple) -> None:
    """A background worker's body: exit 0 when done, 1 on any failure — never a traceback on the terminal
    (the parent then does the work itself and reports what goes wrong)."""
    try:
        fn(*args)
    except BaseException:
        os._exit(1)


def background(fn: Callable[..., Any], *args, jobs: int) -> Later:
    """fn(*args), a function writing a file, started in one forked worker that sees this process's data as
    it was at the fork, when there is a core for it (`jobs` > 1) and the system can fork; else done in
    this process when waited for, so a run on one core does the same work in the same order."""
    if jobs <= 1 or not can_fork():
        return Later(fn, args)
    worker = multiprocessing.get_context("fork").Process(target=_quietly, args=(fn, args), daemon=True)
    worker.start()
    return Later(fn, args, worker)


def _rows_of(frame_and_fn, rows):
    df, fn = frame_and_fn
    return fn(df.iloc[rows].reset_index(drop=True))


def by_groups(df: pd.DataFrame, group_column: str, fn: Callable[[pd.DataFrame], R],
              jobs: int) -> list[tuple[np.ndarray, R]]:
    """fn over parts of df that keep every group whole, in `jobs` forked workers (which see df without
    its being sent); [(row positions of the part, fn's result)]. One part, in this process, when df is
    small, has one group, or the system cannot fork."""
    jobs = min(jobs, len(df) // MIN_ROWS_PER_WORKER)
    groups = list(df.groupby(group_column, sort=True).indices.values())
    if jobs <= 1 or len(groups) < 2 or not can_fork():
        return [(np.arange(len(df)), fn(df.reset_index(drop=True)))]
    buckets = balanced([len(g) for g in groups], jobs)
    parts = [np.sort(np.concatenate([groups[k] for k in bucket])) for bucket in buckets]
    return list(zip(parts, forked(_rows_of, (df, fn), parts, jobs)))


def gather(parts: list[tuple[np.ndarray, list]], n: int) -> list:
    """Per-row results of by_groups() parts put back in row order."""
    out: list = [None] * n
    for rows, values in parts:
        for i, v in zip(rows.tolist(), values):
            out[i] = v
    return out
