"""Work done in a background thread while the notebook's cells run (nbconvert and WeasyPrint set
up), with the render's context, so that its steps are timed too."""

from __future__ import annotations

import contextvars


class _Background:
    """``fn(*args)`` in a daemon thread started by :meth:`start`, with this thread's context (so it
    records its timings); :meth:`result` waits for it and returns its value (or does the work here
    when the thread never started)."""

    def __init__(self, fn, *args):
        self._fn, self._args = fn, args
        self._thread = None
        self._value = self._error = None

    def _run(self, context: contextvars.Context) -> None:
        try:
            self._value = context.run(self._fn, *self._args)
        except BaseException as exc:  # re-raised by result()
            self._error = exc

    def start(self) -> None:
        import threading

        self._thread = threading.Thread(
            target=self._run, args=(contextvars.copy_context(),), daemon=True
        )
        self._thread.start()

    def result(self):
        if self._thread is None:
            return self._fn(*self._args)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value

    def wait(self) -> None:
        """Let the thread finish (a render that failed exits only after it)."""
        if self._thread is not None:
            self._thread.join()
