"""The wall-clock time of a render's steps, recorded only when the caller asks for them
(``render(timings=...)``, as ``benchmarks/render.py`` does): :func:`_step` times a block,
:func:`_record` a span measured elsewhere (the kernel's own start and warm-up)."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

# where render() records the wall-clock (start, end) of its steps, when asked (``timings=``)
_TIMINGS: contextvars.ContextVar[dict[str, tuple[float, float]] | None] = contextvars.ContextVar(
    "cipslib_render_timings", default=None
)


def _record(label: str, start: float, end: float | None = None) -> None:
    timings = _TIMINGS.get()
    if timings is not None:
        timings[label] = (start, time.time() if end is None else end)


@contextmanager
def _step(label: str) -> Iterator[None]:
    start = time.time()
    try:
        yield
    finally:
        _record(label, start)


@contextmanager
def _recording(timings: dict[str, tuple[float, float]] | None) -> Iterator[None]:
    """Record the steps run inside the block (in this thread and the threads it starts with its
    context) into ``timings``; nothing is recorded when it is None."""
    token = _TIMINGS.set(timings)
    try:
        yield
    finally:
        _TIMINGS.reset(token)
