"""Population figures: the known totals that a cycle's sample is weighted to.

A population file (YAML) describes one respondent group, e.g. the staff of the Customs
administration by region, role and tenure band, as one-way margins that all add up to the same
total. Example::

    group: official
    source: HR register, 1 January 2025     # or one text per language: {en: ..., fr: ...}
    illustrative: false
    total: 9912
    margins:
      region: {central_office: 668, west: 2611, ...}
      role: {manager: 2031, non_manager: 7881}

Loading checks that every margin adds up to ``total``, that counts are positive numbers, and (given
a codebook) that variables and levels exist in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ProblemList
from .codebook import Codebook
from .yamlfile import read_yaml

POPULATION_KEYS = (
    "group",
    "title",
    "source",
    "reference_date",
    "illustrative",
    "note",
    "total",
    "margins",
)


@dataclass(frozen=True)
class Population:
    """Known population counts of one respondent group.

    Examples
    --------
    >>> pop = load_population("params/population/scs_staff.yaml")
    >>> list(pop.margins), round(pop.total)
    (['region', 'role', 'tenure'], 9912)
    """

    group: str
    total: float
    margins: dict[str, dict[str, float]]
    source: str = ""
    illustrative: bool = False
    reference_date: str | None = None
    path: Path | None = field(default=None, compare=False)
    sources: dict[str, str] = field(default_factory=dict)
    """The source in each language when the file gives one per language (``source`` is then the
    English one, or the first)."""

    def source_in(self, language: str) -> str:
        """The source in ``language`` (its one text when the file gives no text per language)."""
        return self.sources.get(language) or self.source

    def shares(self, variable: str) -> dict[str, float]:
        """A margin as population shares."""
        return {k: v / self.total for k, v in self.margins[variable].items()}


def load_population(path: str | Path, codebook: Codebook | None = None) -> Population:
    """Load and check a population file; every problem is reported at once as a CipsDataError.

    Examples
    --------
    >>> pop = load_population("params/population/scs_staff.yaml")
    >>> round(pop.shares("role")["manager"], 2)
    0.2
    """
    path = Path(path)
    file = str(path)
    raw = read_yaml(path, "population figures")
    problems = ProblemList()
    if not isinstance(raw, dict):
        problems.add(
            file, "population figures must be a YAML mapping with 'group', 'total' and 'margins'"
        )
        problems.raise_if_errors()
    unknown = sorted(set(raw) - set(POPULATION_KEYS))
    if unknown:
        problems.add(
            file, f"unknown setting(s) {unknown}", expected="one of " + ", ".join(POPULATION_KEYS)
        )
    group = raw.get("group")
    groups = codebook.group_names if codebook is not None else None
    if not isinstance(group, str) or (groups is not None and group not in groups):
        problems.add(
            file,
            "'group' says whom the figures describe",
            value=group,
            expected=" or ".join(groups) if groups else "a respondent group of the codebook",
        )
    total = raw.get("total")
    if isinstance(total, bool) or not isinstance(total, (int, float)) or total <= 0:
        problems.add(file, "'total' must be the population size, a positive number", value=total)
        total = None
    margins_raw = raw.get("margins")
    margins: dict[str, dict[str, float]] = {}
    if not isinstance(margins_raw, dict) or not margins_raw:
        problems.add(
            file,
            "'margins' must give the population counts of at least one variable",
            expected="e.g. margins: {role: {manager: 2031, non_manager: 7881}}",
        )
        margins_raw = {}
    for var, counts in margins_raw.items():
        if not isinstance(counts, dict) or not counts:
            problems.add(file, f"margin '{var}': expected level: count pairs", value=counts)
            continue
        clean: dict[str, float] = {}
        for level, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, (int, float)):
                problems.add(
                    file, f"margin '{var}', level '{level}': the count is not a number", value=count
                )
            elif count <= 0:
                problems.add(
                    file,
                    f"margin '{var}', level '{level}': counts must be positive",
                    value=count,
                    expected="a number above 0 (drop levels nobody belongs to)",
                )
            else:
                clean[str(level)] = float(count)
        margins[str(var)] = clean
        if total is not None and len(clean) == len(counts):
            s = sum(clean.values())
            if abs(s - total) > 1e-6 * total:
                problems.add(
                    file,
                    f"margin '{var}' adds up to {s:g} but 'total' is {total:g}",
                    expected="every margin to add up to the same total",
                )
        if codebook is not None:
            variable = codebook.variables.get(str(var))
            if variable is None or variable.type != "category":
                problems.add(
                    file,
                    f"margin '{var}' is not a category variable of the codebook",
                    expected=", ".join(
                        n for n, v in codebook.variables.items() if v.type == "category"
                    ),
                )
            else:
                for level in clean:
                    if level not in variable.levels:
                        problems.add(
                            file,
                            f"margin '{var}': unknown level '{level}'",
                            expected=", ".join(variable.levels),
                        )
    source = raw.get("source", "")
    sources: dict[str, str] = {}
    if isinstance(source, dict):
        sources = {str(k): str(v) for k, v in source.items() if v is not None}
        source = sources.get("en") or next(iter(sources.values()), "")
    illustrative = raw.get("illustrative", False)
    if not isinstance(illustrative, bool):
        problems.add(file, "'illustrative' must be true or false", value=illustrative)
    problems.raise_if_errors()
    return Population(
        str(group),
        float(total),
        margins,
        str(source),
        bool(illustrative),
        None if raw.get("reference_date") is None else str(raw.get("reference_date")),
        path,
        sources,
    )
