"""Errors that cipslib raises for bad input, with messages a non-programmer can act on.

Every check in cipslib collects *all* the problems it finds before raising, so a user fixes a file
once instead of meeting its errors one at a time. A problem names the file and, where it applies,
the row, the column, the value found and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .survey.errors import DesignError

MAX_LISTED = 40


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    ``row`` is the row number a person sees when opening the file: in a CSV or Excel sheet the
    header is row 1 and the first answer is row 2; in an SPSS or Parquet file it is the case number
    (1-based).

    Examples
    --------
    >>> print(Problem("export.csv", "unknown answer code", row=3, column="lead_01", value=9,
    ...               expected="1-5, 8 or 9"))
    export.csv, row 3, column 'lead_01': unknown answer code (found 9; expected 1-5, 8 or 9)
    >>> print(Problem("export.csv", "unknown answer code", row=3, column="CSAT",
    ...               column_note="item q05"))
    export.csv, row 3, column 'CSAT' (item q05): unknown answer code
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: Any = None
    expected: str | None = None
    severity: str = "error"
    column_note: str | None = None

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            note = f" ({self.column_note})" if self.column_note else ""
            where.append(f"column '{self.column}'{note}")
        text = ", ".join(where) + ": " + self.message if where else self.message
        details = []
        if self.value is not None:
            details.append(f"found {self.value!r}")
        if self.expected:
            details.append(f"expected {self.expected}")
        if details:
            text += " (" + "; ".join(details) + ")"
        return text


class CipsError(Exception):
    """Base class of every error cipslib raises on purpose.

    Examples
    --------
    >>> issubclass(CipsDataError, CipsError)
    True
    """


class CipsDataError(CipsError):
    """Bad input: a data file, codebook, population figures or parameters that cannot be used.

    ``problems`` lists every problem found; ``str(error)`` lists them one per line.

    Examples
    --------
    >>> err = CipsDataError([Problem("pop.yaml", "the margins disagree"),
    ...                      Problem("pop.yaml", "a count is negative", row=4)])
    >>> print(err)
    2 problems found:
      - pop.yaml: the margins disagree
      - pop.yaml, row 4: a count is negative
    """

    def __init__(self, problems: list[Problem] | str, file: str = ""):
        if isinstance(problems, str):
            problems = [Problem(file=file, message=problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        head = "1 problem found" if len(errors) == 1 else f"{len(errors)} problems found"
        lines = [f"{head}:"]
        lines += [f"  - {p}" for p in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            lines.append(f"  ... and {len(errors) - MAX_LISTED} more of the same kinds.")
        return "\n".join(lines)


BAD_INPUT = (CipsError, DesignError)
"""What ``cips`` reports as bad input (exit 2): cipslib's own errors and the survey stage's design
errors."""


class ProblemList(list):
    """A list of :class:`Problem` that raises them all at once."""

    def add(self, file: str, message: str, **kw: Any) -> None:
        self.append(Problem(file=file, message=message, **kw))

    def warn(self, file: str, message: str, **kw: Any) -> None:
        self.append(Problem(file=file, message=message, severity="warning", **kw))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise CipsDataError(self.errors)
