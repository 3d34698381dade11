"""The one error the survey stage raises: a design, calibration or estimate that cannot be computed
from the data it was given."""

from __future__ import annotations

from typing import Any


class DesignError(ValueError):
    """A design, calibration or estimate that cannot be computed from the data given.

    ``column``, ``row`` (1-based), ``value`` and ``expected`` say where the problem is and what was
    found, when they apply.

    Examples
    --------
    >>> str(DesignError("weights must be positive", column="pw", row=4, value=-1.0))
    "survey design, row 4, column 'pw': weights must be positive (found -1.0)"
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        row: int | None = None,
        value: Any = None,
        expected: str | None = None,
    ):
        self.message, self.column, self.row, self.value, self.expected = (
            message,
            column,
            row,
            value,
            expected,
        )
        super().__init__(message)

    def __str__(self) -> str:
        where = ["survey design"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        details = [f"found {self.value!r}"] if self.value is not None else []
        details += [f"expected {self.expected}"] if self.expected else []
        return (
            ", ".join(where) + ": " + self.message + (f" ({'; '.join(details)})" if details else "")
        )
