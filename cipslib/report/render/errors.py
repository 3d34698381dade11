"""The error a render raises: every module of the render raises it, so it lives below them all."""

from __future__ import annotations

from ...errors import CipsError


class RenderError(CipsError):
    """A report could not be rendered; the message names the step (and the cell) that failed.

    ``bad_input`` is True when the cell failed on the input (data, codebook, population figures):
    the message is then cipslib's own description of the problem.
    """

    def __init__(self, message: str, bad_input: bool = False):
        super().__init__(message)
        self.bad_input = bad_input
