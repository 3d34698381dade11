"""A benchmark's summary as a national report reads it (params ``benchmark:``): per respondent
group and factor, the median and quartiles of the administrations' indices and how many
administrations they rest on (``benchmark-summary.json``, written by ``cips benchmark``). It holds
no administration's own figure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..errors import Problem, ProblemList

COLUMNS = ("group", "factor", "administrations", "q1", "median", "q3")
"""What each row of the summary's ``peers`` gives."""


def _read(path: Path) -> tuple[dict | None, list[Problem]]:
    problems = ProblemList()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problems.add(str(path), "cannot read the benchmark summary", value=exc.strerror)
        return None, problems
    except ValueError as exc:
        problems.add(str(path), "the benchmark summary is not JSON", value=str(exc)[:80])
        return None, problems
    rows = data.get("peers") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        problems.add(str(path), "not a benchmark summary", expected="a 'peers' list")
        return None, problems
    for i, row in enumerate(rows, start=1):
        missing = [c for c in COLUMNS if not isinstance(row, dict) or c not in row]
        if missing:
            problems.add(
                str(path), f"peers row {i} lacks {', '.join(missing)}", expected=", ".join(COLUMNS)
            )
    return data, problems


def peer_summary_problems(path: str | Path) -> list[Problem]:
    """What is wrong with a benchmark summary file (nothing: an empty list)."""
    path = Path(path)
    if not path.exists():
        return [Problem(str(path), "the benchmark summary file does not exist")]
    return list(_read(path)[1])


def load_peer_summary(path: str | Path) -> pd.DataFrame:
    """The summary's peer rows: ``group``, ``factor``, ``administrations``, ``q1``, ``median``,
    ``q3`` (missing where the benchmark hid them).

    Examples
    --------
    >>> import json, tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    ...     json.dump({"peers": [{"group": "g", "factor": 1, "administrations": 5,
    ...                           "q1": 50.0, "median": 55.0, "q3": 60.0}]}, f)
    >>> load_peer_summary(f.name)[["factor", "median"]].to_dict("records")
    [{'factor': 1, 'median': 55.0}]
    """
    data, problems = _read(Path(path))
    problems.raise_if_errors()
    t = pd.DataFrame(data["peers"], columns=list(COLUMNS))
    return t.astype({"factor": "int64", "q1": float, "median": float, "q3": float})
