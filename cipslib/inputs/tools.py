"""The columns survey tools add to every export besides the questions (``data/survey_tools.yaml``).

A column that no codebook entry claims is looked up here: a tool's **metadata** (submission times,
progress, status) is ignored without a warning and never drafted as a question; a tool's
**identifiers** (IP address, recipient names, e-mail, GPS) are dropped as the codebook's own
identifiers are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .codebook import normalise_name
from .yamlfile import read_definitions


def shipped_tools_path() -> Path:
    return Path(str(resources.files("cipslib") / "data" / "survey_tools.yaml"))


@dataclass(frozen=True)
class SystemColumn:
    """What a survey tool's own column is: ``kind`` ``metadata`` or ``identifier``, of ``tool``."""

    kind: str
    tool: str


@cache
def _conventions() -> tuple[dict[str, SystemColumn], list[tuple[re.Pattern, SystemColumn]]]:
    tools = read_definitions(shipped_tools_path(), "survey tools", "tools")
    names: dict[str, SystemColumn] = {}
    patterns: list[tuple[re.Pattern, SystemColumn]] = []
    for tool, spec in tools.items():
        for kind, key in (("metadata", "metadata"), ("identifier", "identifiers")):
            for name in spec.get(key) or ():
                names.setdefault(normalise_name(name), SystemColumn(kind, tool))
        for pattern in spec.get("identifier_patterns") or ():
            patterns.append((re.compile(pattern), SystemColumn("identifier", tool)))
    return names, patterns


@cache
def submission_columns() -> tuple[str, ...]:
    """The columns in which survey tools record when an answer was submitted (each tool's
    ``submitted`` list), for the fieldwork monitor's daily count.

    Examples
    --------
    >>> "_submission_time" in submission_columns()
    True
    """
    tools = read_definitions(shipped_tools_path(), "survey tools", "tools")
    return tuple(name for spec in tools.values() for name in spec.get("submitted") or ())


def system_column(name: str) -> SystemColumn | None:
    """The survey tool column a header names, or None.

    Examples
    --------
    >>> system_column("Duration (in seconds)")
    SystemColumn(kind='metadata', tool='qualtrics')
    >>> system_column("RecipientEmail").kind, system_column("_submitted_by").kind
    ('identifier', 'identifier')
    >>> system_column("lead_01") is None
    True
    """
    norm = normalise_name(name)
    names, patterns = _conventions()
    if norm in names:
        return names[norm]
    return next((col for p, col in patterns if p.search(norm)), None)
