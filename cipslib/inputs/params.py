"""Cycle parameters: one YAML file per survey cycle (``params/2025.yaml``) that says where the data
are and how to treat them. The same file drives the report notebooks through papermill.

Relative paths in a params file are read from the folder that holds the params file. ``data: demo``
means the demo file shipped with cipslib for that cycle; ``codebook: null`` means the shipped
codebook and ``indicators: null`` the shipped indicator definitions. Unknown keys and wrong types
are errors that list what is valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ProblemList
from .languages import catalogue_languages, where_catalogues_are
from .peers import peer_summary_problems
from .yamlfile import read_yaml

QUALITY_DEFAULTS: dict[str, Any] = {
    "speeder_ratio": 0.3,
    "straightline_min_items": 10,
    "min_completion": 0.5,
    "duplicate_min_items": 10,
    "exclude": ["duplicate", "speeder", "incomplete"],
}
QUALITY_FLAGS = ("duplicate", "speeder", "straightliner", "incomplete")
THRESHOLD_DEFAULTS: dict[str, float] = {
    "aligned_difference": 5.0,  # points on the 0-100 index below which two groups count as aligned
    "alpha_min": 0.6,  # Cronbach's alpha under which a factor's reliability is flagged
    # level of the tests (changes, differences), after Holm correction in families
    "significance": 0.05,
    # an estimate is marked low precision under this effective sample size ...
    "min_n_effective": 30.0,
    # ... or over this half-width of its 95% confidence interval (points)
    "max_half_width": 10.0,
}
FRACTION_THRESHOLDS = ("alpha_min", "significance")  # these must be below 1
# per group, what to compare it by and its trend decomposition's variable; a group the params do
# not name takes its codebook's defaults (Codebook.subgroups_of, Codebook.decompose_by_of)
ANALYSIS_DEFAULTS: dict[str, dict] = {"subgroups": {}, "decompose_by": {}}

DRIVER_DEFAULTS: dict[str, Any] = {
    # the outcome of the key-driver analysis: an item key or id (None: the codebook's first item
    # of construct "outcome")
    "outcome": None,
    # a group gets a driver analysis only with at least this effective sample size
    "min_n_effective": 100.0,
}

PUBLICATION_DEFAULTS: dict[str, Any] = {
    # the date the report is published (YYYY-MM-DD), printed on the first page and in the quality
    # note; None prints none (a render never prints today's date: the same params give the same
    # report)
    "date": None,
    # who answers questions about the report: text, or one text per language ({en: ..., uk: ...})
    "contact": None,
}

UNIT_DEFAULTS: dict[str, Any] = {
    # the respondent variable whose levels get a report each (None: no unit reports)
    "by": None,
    # withheld units of a group are pooled into one "other units" report when the pool is safe
    "pool": True,
}

# key: (accepted types, default, description)
PARAM_SPEC: dict[str, tuple[tuple[type, ...], Any, str]] = {
    "cycle": ((int,), None, "survey year, e.g. 2025 (required)"),
    "title": (
        (str, dict),
        "",
        "title of the report, or one per language: {en: ..., uk: ...}",
    ),
    "data": ((str,), "demo", "the survey export (CSV, XLSX, SAV, Parquet), or 'demo'"),
    "sheet": ((str, type(None)), None, "sheet of an Excel export holding the answers"),
    "codebook": (
        (str, type(None)),
        None,
        "questionnaire codebook YAML; empty for the shipped one",
    ),
    "population": (
        (dict,),
        {},
        "population figures per respondent group: {<group>: <population file>}",
    ),
    "previous": (
        (str, type(None)),
        None,
        "params file of the previous cycle, for trends",
    ),
    "language": (
        (str,),
        "en",
        "report language: a language with a catalogue and the codebook's wording, e.g. en",
    ),
    "min_cell": ((int,), 10, "smallest group shown in any table or chart"),
    "fieldwork": (
        (dict,),
        {},
        "fieldwork dates and mode: {start: 2025-09-15, end: 2025-09-30, mode: online}",
    ),
    "constants": (
        (dict,),
        {},
        "respondent variables the export has no column for, one value for every respondent: "
        "{group: private, mode: online}",
    ),
    "quality": (
        (dict,),
        {},
        "quality screen thresholds: " + ", ".join(QUALITY_DEFAULTS),
    ),
    "thresholds": (
        (dict,),
        {},
        "analysis thresholds: " + ", ".join(THRESHOLD_DEFAULTS),
    ),
    "analysis": (
        (dict,),
        {},
        "subgroups per group and the trend decomposition variable: " + ", ".join(ANALYSIS_DEFAULTS),
    ),
    "drivers": (
        (dict,),
        {},
        "key-driver analysis: " + ", ".join(DRIVER_DEFAULTS),
    ),
    "units": (
        (dict,),
        {},
        "one report per unit (e.g. region): " + ", ".join(UNIT_DEFAULTS),
    ),
    "publication": (
        (dict,),
        {},
        "publication date and contact line of the report: " + ", ".join(PUBLICATION_DEFAULTS),
    ),
    "questionnaire": (
        (dict,),
        {},
        "the printed questionnaire's texts: intro and anonymity (a text, or one per language)",
    ),
    "output": ((str,), "reports", "folder the report is written to"),
    "kpis": (
        (str, type(None)),
        "pmm_kpis.yaml",
        "PMM KPI definitions (skipped when the file does not exist)",
    ),
    "indicators": (
        (str, type(None)),
        None,
        "experience and behaviour indicator definitions (YAML); empty for the shipped ones",
    ),
    "benchmark": (
        (str, type(None)),
        None,
        "a benchmark's summary (benchmark-summary.json, written by cips benchmark): the report "
        "compares each factor index with the administrations' median and quartiles",
    ),
}


@dataclass(frozen=True)
class CycleParams:
    """Validated parameters of one cycle, with paths resolved.

    Examples
    --------
    >>> p = load_params("params/2025.yaml")          # from the repository's root
    >>> p.cycle, p.min_cell, p.previous.name
    (2025, 10, '2024.yaml')
    """

    cycle: int
    title: str
    data: str
    data_path: Path
    sheet: str | None
    codebook_path: Path | None
    population: dict[str, Path]
    previous: Path | None
    language: str
    min_cell: int
    fieldwork: dict[str, Any]
    quality: dict[str, Any]
    thresholds: dict[str, Any]
    output: Path
    analysis: dict[str, Any] = field(default_factory=dict)
    drivers: dict[str, Any] = field(default_factory=lambda: dict(DRIVER_DEFAULTS))
    units: dict[str, Any] = field(default_factory=lambda: dict(UNIT_DEFAULTS))
    kpis: Path | None = None
    indicators: Path | None = None
    """The user's own indicator definitions; None: the shipped ones (those whose items the
    codebook lacks are left out)."""
    benchmark: Path | None = None
    """A benchmark's summary (``benchmark-summary.json``) the report compares itself with."""
    publication: dict[str, Any] = field(default_factory=lambda: dict(PUBLICATION_DEFAULTS))
    questionnaire: dict[str, Any] = field(default_factory=dict)
    source: Path | None = field(default=None, compare=False)
    fixed: dict[str, str] = field(default_factory=dict)

    @property
    def constants(self) -> dict[str, str]:
        """Respondent variables the params fix for every respondent when the export has no column
        for them: the survey ``mode`` from ``fieldwork``, then the ``constants`` setting (which
        wins).

        Examples
        --------
        >>> load_params("params/2025.yaml").constants
        {'mode': 'online'}
        """
        mode = self.fieldwork.get("mode")
        return ({"mode": str(mode)} if mode else {}) | self.fixed


def _type_names(types: tuple[type, ...]) -> str:
    names = {
        int: "a whole number",
        str: "text",
        dict: "a mapping (key: value lines)",
        type(None): "empty",
    }
    return " or ".join(names.get(t, t.__name__) for t in types)


def validate_params(raw: Any, file: str = "params", base: Path | None = None) -> CycleParams:
    """Check a params mapping (as read from YAML, or as papermill passes it) and resolve its
    paths."""
    problems = ProblemList()
    if not isinstance(raw, dict):
        problems.add(
            file,
            "a params file must be a mapping of settings",
            expected=", ".join(PARAM_SPEC),
        )
        problems.raise_if_errors()
    base = base or Path.cwd()
    values = _typed_values(problems, file, raw)
    if "cycle" not in raw:
        problems.add(
            file,
            "the setting 'cycle' is missing",
            expected="the survey year, e.g. cycle: 2025",
        )
    merged = {k: spec[1] for k, spec in PARAM_SPEC.items()} | values
    if isinstance(merged["language"], str):
        _language(problems, file, merged["language"])
    if isinstance(merged["min_cell"], int) and merged["min_cell"] < 1:
        problems.add(file, "'min_cell' must be at least 1", value=merged["min_cell"])
    quality = _quality(problems, file, merged["quality"] or {})
    thresholds = _thresholds(problems, file, merged["thresholds"] or {})
    analysis = _analysis(problems, file, merged["analysis"] or {})
    drivers = _drivers(problems, file, merged["drivers"] or {})
    units = _units(problems, file, merged["units"] or {})
    publication = _publication(problems, file, merged["publication"] or {})
    questionnaire = _questionnaire(problems, file, merged["questionnaire"] or {})
    fixed = _fixed(problems, file, merged["constants"] or {})
    population = _population(problems, file, base, merged["population"] or {})
    cycle = merged["cycle"]
    data_path = _data_path(problems, file, base, cycle, merged["data"])
    codebook = _resolve(base, merged["codebook"]) if merged["codebook"] else None
    if codebook is not None and not codebook.exists():
        problems.add(file, "the codebook file does not exist", value=str(codebook))
    indicators = _resolve(base, merged["indicators"]) if merged["indicators"] else None
    if indicators is not None and not indicators.exists():
        problems.add(file, "the indicators file does not exist", value=str(indicators))
    benchmark = _resolve(base, merged["benchmark"]) if merged["benchmark"] else None
    if benchmark is not None:
        problems.extend(peer_summary_problems(benchmark))
    previous = _resolve(base, merged["previous"]) if merged["previous"] else None
    if previous is not None and not previous.exists():
        problems.add(file, "the previous cycle's params file does not exist", value=str(previous))
    problems.raise_if_errors()
    return CycleParams(
        cycle=cycle,
        title=merged["title"],
        data=merged["data"],
        data_path=data_path,
        sheet=merged["sheet"],
        codebook_path=codebook,
        population=population,
        previous=previous,
        language=merged["language"],
        min_cell=merged["min_cell"],
        fieldwork=dict(merged["fieldwork"]),
        quality=quality,
        thresholds=thresholds,
        output=_resolve(base, merged["output"]),
        analysis=analysis,
        drivers=drivers,
        units=units,
        kpis=_resolve(base, merged["kpis"]) if merged["kpis"] else None,
        indicators=indicators,
        benchmark=benchmark,
        publication=publication,
        questionnaire=questionnaire,
        source=Path(file) if file != "params" else None,
        fixed=fixed,
    )


def _language(problems: ProblemList, file: str, language: str) -> None:
    """The report language needs a catalogue (whether the codebook gives its wording in it is
    checked with the codebook: :func:`cipslib.inputs.languages.language_problems`)."""
    available = catalogue_languages()
    if language not in available:
        problems.add(
            file,
            "unknown report language: there is no language catalogue for it",
            value=language,
            expected=f"one of {', '.join(available)} (catalogues in {where_catalogues_are()})",
        )


def _fixed(problems: ProblemList, file: str, raw: dict) -> dict[str, str]:
    """The ``constants`` setting: variable names to one value each (a level name, code or
    label; checked against the codebook when the export is read)."""
    out = {}
    for name, value in raw.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            problems.add(
                file,
                f"constants: the value of '{name}' must be one value for every respondent",
                value=value,
                expected="e.g. constants: {group: private, mode: online}",
            )
            continue
        out[str(name)] = str(value)
    return out


def _typed_values(problems: ProblemList, file: str, raw: dict) -> dict[str, Any]:
    """The settings of ``raw`` whose key is known and whose value has the expected type."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in PARAM_SPEC:
            problems.add(
                file,
                f"unknown setting '{key}'",
                expected="one of " + ", ".join(PARAM_SPEC),
            )
            continue
        types = PARAM_SPEC[key][0]
        if isinstance(value, (dt.date, dt.datetime)) and str in types:
            value = value.isoformat()
        if isinstance(value, bool) or not isinstance(value, types):
            problems.add(
                file,
                f"'{key}' has the wrong type ({PARAM_SPEC[key][2]})",
                value=value,
                expected=_type_names(types),
            )
            continue
        values[key] = value
    return values


def _quality(problems: ProblemList, file: str, given: dict) -> dict[str, Any]:
    """The quality screen settings: defaults overridden by valid given values."""
    quality = dict(QUALITY_DEFAULTS)
    for key, value in given.items():
        if key not in QUALITY_DEFAULTS:
            problems.add(
                file,
                f"unknown quality setting '{key}'",
                expected="one of " + ", ".join(QUALITY_DEFAULTS),
            )
        elif key == "exclude":
            bad = [v for v in (value or []) if v not in QUALITY_FLAGS]
            if not isinstance(value, list) or bad:
                problems.add(
                    file,
                    "'quality: exclude' lists the screens that exclude a respondent",
                    value=value,
                    expected="a list drawn from " + ", ".join(QUALITY_FLAGS),
                )
            else:
                quality[key] = value
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.add(
                file,
                f"quality setting '{key}' must be a number of at least 0",
                value=value,
            )
        else:
            quality[key] = value
    for ratio in ("speeder_ratio", "min_completion"):
        if isinstance(quality[ratio], (int, float)) and quality[ratio] > 1:
            problems.add(
                file,
                f"quality setting '{ratio}' is a fraction",
                value=quality[ratio],
                expected="a number between 0 and 1",
            )
    return quality


def _thresholds(problems: ProblemList, file: str, given: dict) -> dict[str, float]:
    """The test and reporting thresholds: defaults overridden by valid given values."""
    thresholds = dict(THRESHOLD_DEFAULTS)
    for key, value in given.items():
        if key not in THRESHOLD_DEFAULTS:
            problems.add(
                file,
                f"unknown threshold '{key}'",
                expected="one of " + ", ".join(THRESHOLD_DEFAULTS),
            )
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.add(file, f"threshold '{key}' must be a number of at least 0", value=value)
        elif key in FRACTION_THRESHOLDS and value >= 1:
            problems.add(
                file,
                f"threshold '{key}' must be below 1",
                value=value,
                expected="e.g. 0.05",
            )
        else:
            thresholds[key] = float(value)
    return thresholds


def _drivers(problems: ProblemList, file: str, given: dict) -> dict[str, Any]:
    """The key-driver settings: defaults overridden by valid given values."""
    drivers = dict(DRIVER_DEFAULTS)
    for key, value in given.items():
        if key not in DRIVER_DEFAULTS:
            problems.add(
                file, f"unknown drivers setting '{key}'", expected=", ".join(DRIVER_DEFAULTS)
            )
        elif key == "outcome" and value is not None and not isinstance(value, str):
            problems.add(
                file, "drivers 'outcome' names an item", value=value, expected="an item key or id"
            )
        elif key == "min_n_effective" and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < 2
        ):
            problems.add(
                file, "drivers 'min_n_effective' must be a number of at least 2", value=value
            )
        else:
            drivers[key] = value if key == "outcome" else float(value)
    return drivers


def _units(problems: ProblemList, file: str, given: dict) -> dict[str, Any]:
    """The unit-report settings: defaults overridden by valid given values."""
    units = dict(UNIT_DEFAULTS)
    for key, value in given.items():
        if key not in UNIT_DEFAULTS:
            problems.add(file, f"unknown units setting '{key}'", expected=", ".join(UNIT_DEFAULTS))
        elif key == "by" and value is not None and not isinstance(value, str):
            problems.add(
                file,
                "units 'by' names a respondent variable",
                value=value,
                expected="e.g. region",
            )
        elif key == "pool" and not isinstance(value, bool):
            problems.add(file, "units 'pool' must be true or false", value=value)
        else:
            units[key] = value
    return units


def _publication(problems: ProblemList, file: str, given: dict) -> dict[str, Any]:
    """The publication settings: a date (YYYY-MM-DD, kept as that text) and a contact line (text,
    or one text per report language).

    Examples
    --------
    >>> _publication(ProblemList(), "p", {"date": dt.date(2025, 11, 20), "contact": "a@b.org"})
    {'date': '2025-11-20', 'contact': 'a@b.org'}
    """
    publication = dict(PUBLICATION_DEFAULTS)
    languages = catalogue_languages()
    for key, value in given.items():
        if key not in PUBLICATION_DEFAULTS:
            problems.add(
                file,
                f"unknown publication setting '{key}'",
                expected="one of " + ", ".join(PUBLICATION_DEFAULTS),
            )
        elif value is None:
            continue
        elif key == "date":
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value.strip())
                except ValueError:
                    value = None
            if not isinstance(value, dt.date):
                problems.add(
                    file,
                    "publication 'date' must be a date",
                    value=given[key],
                    expected="a date written YYYY-MM-DD, e.g. date: 2025-11-20",
                )
            else:
                publication["date"] = value.isoformat()
        elif _text_or_per_language(value, languages) is not None:
            publication["contact"] = _text_or_per_language(value, languages)
        else:
            problems.add(
                file,
                "publication 'contact' is one line of text, or one per language",
                value=value,
                expected="e.g. contact: integrity@customs.example, or {"
                + ", ".join(f"{lang}: ..." for lang in languages)
                + "}",
            )
    return publication


def _text_or_per_language(value: Any, languages) -> str | dict[str, str] | None:
    """A setting's text: one line, or one per language of ``languages`` (each stripped; no-break
    spaces inside are kept); None when it is neither.

    Examples
    --------
    >>> _text_or_per_language(" a\u00a0: b ", ["en"]), _text_or_per_language({"en": "x"}, ["en"])
    ('a\xa0: b', {'en': 'x'})
    >>> _text_or_per_language({"xx": "x"}, ["en"]) is None
    True
    """
    if isinstance(value, str) and value.strip():
        return value.strip()
    if (
        isinstance(value, dict)
        and value
        and all(lang in languages for lang in value)
        and all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        return {str(lang): v.strip() for lang, v in value.items()}
    return None


QUESTIONNAIRE_KEYS = ("intro", "anonymity")


def _questionnaire(problems: ProblemList, file: str, given: dict) -> dict[str, Any]:
    """The printed questionnaire's introduction and promise of anonymity: each a text, or one
    text per language.

    Examples
    --------
    >>> _questionnaire(ProblemList(), "p", {"intro": {"en": "Welcome.", "uk": "Вітаємо."}})
    {'intro': {'en': 'Welcome.', 'uk': 'Вітаємо.'}}
    """
    out: dict[str, Any] = {}
    languages = catalogue_languages()
    for key, value in given.items():
        if key not in QUESTIONNAIRE_KEYS:
            problems.add(
                file,
                f"unknown questionnaire setting '{key}'",
                expected="one of " + ", ".join(QUESTIONNAIRE_KEYS),
            )
        elif _text_or_per_language(value, languages) is not None:
            out[key] = _text_or_per_language(value, languages)
        elif value is not None:
            problems.add(
                file,
                f"questionnaire '{key}' is a text, or one text per language",
                value=value,
                expected="{" + ", ".join(f"{lang}: ..." for lang in languages) + "}",
            )
    return out


def _analysis(problems: ProblemList, file: str, given: dict) -> dict[str, dict]:
    """Subgroup and decomposition variables per group: defaults overridden by valid given values."""
    analysis = {k: dict(v) for k, v in ANALYSIS_DEFAULTS.items()}
    for key, value in given.items():
        if key not in ANALYSIS_DEFAULTS:
            problems.add(
                file,
                f"unknown analysis setting '{key}'",
                expected="one of " + ", ".join(ANALYSIS_DEFAULTS),
            )
            continue
        if not isinstance(value, dict):
            problems.add(
                file,
                f"'analysis: {key}' is a mapping per respondent group (the codebook's groups)",
                value=value,
            )
            continue
        for group, spec in value.items():
            ok = (
                (isinstance(spec, list) and all(isinstance(v, str) for v in spec))
                if key == "subgroups"
                else isinstance(spec, str)
            )
            if not ok:
                problems.add(
                    file,
                    f"'analysis: {key}: {group}' must be "
                    + (
                        "a list of respondent variables"
                        if key == "subgroups"
                        else "a respondent variable"
                    ),
                    value=spec,
                )
            else:
                analysis[key][group] = spec
    return analysis


def _population(problems: ProblemList, file: str, base: Path, given: dict) -> dict[str, Path]:
    """Population files per group, resolved against ``base``; each must exist."""
    population: dict[str, Path] = {}
    for group, path in given.items():
        if not isinstance(path, str):
            problems.add(file, f"'population: {group}' must be a file path", value=path)
        else:
            population[group] = _resolve(base, path)
    for group, path in population.items():
        if not path.exists():
            problems.add(
                file,
                f"the population file for '{group}' does not exist",
                value=str(path),
            )
    return population


def _data_path(problems: ProblemList, file: str, base: Path, cycle: Any, data: Any) -> Path | None:
    """The survey export's path: the shipped demo file for ``demo``, else ``data`` resolved
    against ``base``."""
    data_path = None
    if isinstance(cycle, int) and isinstance(data, str):
        if data == "demo":
            from .demo import DEMO_FILES, demo_path

            if cycle in DEMO_FILES:
                data_path = demo_path(cycle)
            else:
                problems.add(
                    file,
                    f"'data: demo' only exists for the demo cycles {list(DEMO_FILES)}",
                    value=cycle,
                    expected="the path of your survey export",
                )
        else:
            data_path = _resolve(base, data)
            if not data_path.exists():
                problems.add(file, "the data file does not exist", value=str(data_path))
    return data_path


def _resolve(base: Path, path: str) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def load_params(path: str | Path) -> CycleParams:
    """Read and validate a cycle's params file; relative paths are read from the file's folder.

    Examples
    --------
    >>> load_params("params/2024.yaml").population["official"].name
    'scs_staff.yaml'
    """
    path = Path(path)
    raw = read_yaml(path, "params")
    return validate_params(raw, str(path), base=path.resolve().parent)


def previous_chain(params: CycleParams) -> list[CycleParams]:
    """The params of the earlier cycles, following ``previous`` (newest first). A chain that comes
    back to a cycle it already passed, or whose cycles do not go back in time, is bad input.

    Examples
    --------
    >>> [p.cycle for p in previous_chain(load_params("params/2025.yaml"))]
    [2024]
    """
    chain: list[CycleParams] = []
    seen = {params.cycle}
    current = params
    while current.previous is not None:
        earlier = load_params(current.previous)
        if earlier.cycle in seen or earlier.cycle >= current.cycle:
            problems = ProblemList()
            problems.add(
                str(current.previous),
                "the chain of previous cycles must go back in time",
                value=earlier.cycle,
                expected=f"a cycle before {current.cycle}",
            )
            problems.raise_if_errors()
        seen.add(earlier.cycle)
        chain.append(earlier)
        current = earlier
    return chain
