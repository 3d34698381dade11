"""Independent tasks run side by side on the machine's cores, in forked copies of this process.

Most of cipslib's work holds the interpreter (pandas glue, matplotlib's text layout), so threads do
not run two pieces of it at once. :func:`side_by_side` runs each further share of the tasks in a
forked copy of the process, which already holds the data the tasks read, and brings the results back
pickled through a pipe, with the warnings the tasks raised. The results are those of running the
tasks one by one:

* on one core, or where forking is unsafe or missing (not Linux), the tasks run here in turn;
* a child that fails (its task raised, or its result does not pickle) has its tasks run again here,
  so their exceptions are raised as usual;
* a child draws nothing on the screen: its output goes nowhere, and it leaves with ``os._exit``
  (no clean-up of objects that belong to this process, such as a notebook kernel's sockets).
"""

from __future__ import annotations

import os
import pickle
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
MAX_WORKERS = 4  # processes at once, this one included


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def side_by_side(tasks: Sequence[Callable[[], T]], workers: int | None = None) -> list[T]:
    """The result of each task (a function without arguments), in order, the tasks shared
    round-robin among up to ``workers`` processes (default: :func:`cores`, at most
    :data:`MAX_WORKERS`); this process runs the first share.

    Examples
    --------
    >>> side_by_side([lambda: 1 + 1, lambda: os.getpid(), lambda: "three"], workers=2)[::2]
    [2, 'three']
    """
    tasks = list(tasks)
    n = min(len(tasks), workers or cores(), MAX_WORKERS)
    if n < 2 or not sys.platform.startswith("linux"):
        return [task() for task in tasks]
    shares = [range(k, len(tasks), n) for k in range(n)]
    children = [_start(tasks, share) for share in shares[1:]]
    results: dict[int, Any] = {}
    try:
        results.update((i, tasks[i]()) for i in shares[0])
    finally:  # the children are waited for even when a task here raised
        outcomes = [_finish(*child) if child else None for child in children]
    for share, outcome in zip(shares[1:], outcomes, strict=True):
        if outcome is None:  # the child failed: its tasks run here, raising what they raise
            outcome = [tasks[i]() for i in share], []
        values, caught = outcome
        for message, category, filename, lineno in caught:
            warnings.warn_explicit(message, category, filename, lineno)
        results.update(zip(share, values, strict=True))
    return [results[i] for i in range(len(tasks))]


def _start(tasks: list, share: range) -> tuple[int, int] | None:
    """Fork a child that runs ``tasks[i]`` for ``i`` in ``share`` and writes the pickled results
    and warnings to a pipe; returns its pid and the pipe's reading end, or None when the system
    cannot fork now (no memory or process left): the share then runs here."""
    read, write = os.pipe()
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns when a process with threads forks; the child uses none of them (a
            # kernel's message threads): it computes, writes to its pipe and leaves with os._exit
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid:
        os.close(write)
        return pid, read
    status = 1
    try:
        os.close(read)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (left open: os._exit)
        with warnings.catch_warnings(record=True) as caught:
            values = [tasks[i]() for i in share]
        raised = [(w.message, w.category, w.filename, w.lineno) for w in caught]
        payload = pickle.dumps((values, raised), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)


def _finish(pid: int, read: int) -> tuple[list, list] | None:
    """What a child sent, or None when it failed."""
    with os.fdopen(read, "rb") as pipe:
        payload = pipe.read()
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped already (SIGCHLD ignored): the payload tells
        status = 0
    if status != 0 or not payload:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 (a result that does not unpickle here: run the task here)
        return None
