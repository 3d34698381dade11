"""Disclosure audit of a rendered report: does anything shown rest on fewer than ``min_cell``
respondents, could a hidden cell be worked out from the totals shown, does any identifier leak?

The audit reads what a reader gets, not the code that made it:

* ``findings.json``: every count field (``n``, ``n_*``, ``*_n``, ``sample_n``) of every shown record
  must be at least ``min_cell``; in every line of subgroups (group, variable, measure) and of the
  sample table (group, variable) the number of hidden cells is 0 or at least 2 (one hidden cell
  beside a shown total could be recovered); key findings may only quote shown figures.
* The HTML: every "n = N" printed in text, tables or chart alternative text has N of at least
  ``min_cell``, and no respondent identifier of the data appears.

:func:`audit_report` returns a list of violations (empty when the report passes).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

COUNT_KEY = re.compile(r"^(n|n_[a-z]+|[a-z_]+_n)$")
N_IN_TEXT = re.compile(r"\bn\s*=\s*([0-9][0-9,.\u202f\u00a0 ]*)")
EXCLUDED_KEYS = {"population_n"}  # population counts, not respondents


def _counts(record: dict) -> Iterable[tuple[str, float]]:
    for key, value in record.items():
        if key in EXCLUDED_KEYS or not COUNT_KEY.match(key):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            yield key, value


def audit_findings(doc: dict, min_cell: int) -> list[str]:
    """Violations in a findings document (as read from ``findings.json``)."""
    problems = []
    for name, records in doc.get("tables", {}).items():
        for i, rec in enumerate(records):
            for key, value in _counts(rec):
                if 0 < value < min_cell:
                    problems.append(
                        f"findings.json: table {name}, record {i}: "
                        f"{key} = {value} is under {min_cell}"
                    )
    for family_table, keys in (
        ("subgroups", ("group", "variable", "measure")),
        ("sample", ("group", "variable")),
    ):
        lines: dict[tuple, list[bool]] = defaultdict(list)
        for rec in doc.get("tables", {}).get(family_table, []):
            lines[tuple(rec.get(k) for k in keys)].append(bool(rec.get("suppressed")))
        for line, hidden in lines.items():
            if sum(hidden) == 1:
                problems.append(
                    f"findings.json: table {family_table}, line {line}: "
                    "a single hidden cell could be "
                    "worked out from the total"
                )
    for rec in doc.get("key_findings", []):
        for key, value in _counts(rec):
            if 0 < value < min_cell:
                problems.append(
                    f"findings.json: key finding {rec.get('rank')}: "
                    f"{key} = {value} is under {min_cell}"
                )
    return problems


def _number(text: str) -> float | None:
    digits = re.sub(r"[^0-9]", "", text.split(".")[0] if "." in text and "," in text else text)
    return float(digits) if digits else None


def audit_html(page: str, min_cell: int, identifiers: Iterable[str] = ()) -> list[str]:
    """Violations in a rendered HTML page: small bases printed as "n = N", identifiers present."""
    problems = []
    text = re.sub(r"<img[^>]*src=\"data:[^\"]*\"", "<img", page)  # image bytes are not text
    for match in N_IN_TEXT.finditer(text):
        value = _number(match.group(1))
        if value is not None and 0 < value < min_cell:
            start = max(0, match.start() - 60)
            problems.append(
                f"HTML: a base under {min_cell} is printed: ...{text[start : match.end()]}"
            )
    for ident in identifiers:
        if ident and ident in text:
            problems.append(f"HTML: the identifier '{ident}' appears")
    return problems


def audit_report(
    folder: str | Path, min_cell: int = 10, identifiers: Iterable[str] = ()
) -> list[str]:
    """Audit a rendered report folder (``findings.json`` and every ``*.html``)."""
    folder = Path(folder)
    problems = []
    path = folder / "findings.json"
    if path.exists():
        problems += audit_findings(json.loads(path.read_text(encoding="utf-8")), min_cell)
    ids = list(identifiers)
    for page in sorted(folder.glob("*.html")):
        problems += [
            f"{page.name}: {p}" for p in audit_html(page.read_text(encoding="utf-8"), min_cell, ids)
        ]
    return problems
