"""From a params file to a weighted cycle ready for analysis: load, screen, weight.

:func:`prepare_inputs` is what ``cips check``, ``cips findings`` and the report notebooks call: it
checks every input a report reads (the params and the chain of previous cycles, the codebook, the
population figures, the indicator and KPI definitions, the driver outcome, the unit and subgroup
variables) and loads, screens and weights every cycle of the chain, so the three accept and refuse
the same inputs. :func:`prepare_cycle` does it for one cycle; an analyst in JupyterLab calls it
too and gets the same respondents, weights and design.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import CipsDataError, Problem
from ..inputs.codebook import Codebook, load_codebook, shipped_codebook_path
from ..inputs.languages import language_problems
from ..inputs.loading import CycleData, LoadReport, load_cycle
from ..inputs.params import CycleParams, load_params, previous_chain
from ..inputs.population import Population, load_population
from ..parallel import side_by_side
from ..survey.design import SurveyDesign
from .drivers import outcome_omission
from .kpi import Kpi, load_kpis
from .omissions import Omission
from .quality import QualityReport, screen
from .scoring import Indicator, load_indicators, shipped_indicators_path
from .weighting import weight_cycle


@dataclass
class PreparedCycle:
    """A cycle after loading, quality screening and weighting.

    ``data`` and ``reasons`` hold the retained respondents only; ``design`` is weighted to the
    cycle's population figures and ``raw`` is the same respondents unweighted (for raw comparisons).

    Examples
    --------
    >>> pc = prepare_cycle("params/2024.yaml")
    >>> len(pc.data), int(pc.quality.summary.loc["excluded", "all"])
    (914, 11)
    """

    cycle: int
    data: pd.DataFrame = field(repr=False)
    reasons: pd.DataFrame = field(repr=False)
    codebook: Codebook = field(repr=False)
    populations: dict[str, Population] = field(repr=False)
    design: SurveyDesign = field(repr=False)
    raw: SurveyDesign = field(repr=False)
    quality: QualityReport = field(repr=False)
    load: LoadReport = field(repr=False)
    params: CycleParams | None = field(default=None, repr=False)
    source: str = ""


def prepare_data(
    loaded: CycleData,
    populations: dict[str, Population],
    quality: dict | None = None,
    params: CycleParams | None = None,
) -> PreparedCycle:
    """Screen a loaded cycle, keep the retained respondents and weight them to the population
    figures."""
    q = screen(loaded.data, loaded.codebook, quality)
    data = q.retained(loaded.data).reset_index(drop=True)
    # the load details live in ``loaded.report``; pandas deep-copies attrs on every operation, which
    # would dominate the analysis time
    data.attrs = {}
    keep = ~q.flags["exclude"].reindex(loaded.data.index).fillna(False).astype(bool).to_numpy()
    reasons = loaded.reasons.loc[keep].reset_index(drop=True)
    design = weight_cycle(
        data, populations, source=loaded.report.file, staff=loaded.codebook.staff_group
    )
    strata = "group" if data["group"].nunique() > 1 else None
    raw = SurveyDesign(design.data, strata=strata)
    source = Path(loaded.report.file).name
    return PreparedCycle(
        loaded.cycle,
        design.data,
        reasons,
        loaded.codebook,
        populations,
        design,
        raw,
        q,
        loaded.report,
        params,
        source,
    )


def prepare_cycle(
    params: CycleParams | str | Path, codebook: Codebook | None = None
) -> PreparedCycle:
    """Load, screen and weight the cycle a params file describes.

    Examples
    --------
    >>> pc = prepare_cycle("params/2024.yaml")
    >>> pc.design
    <SurveyDesign: 914 rows, 914 PSUs in 2 strata, df 912, weighting: rake>
    """
    p = params if isinstance(params, CycleParams) else load_params(params)
    cb = codebook or load_codebook(p.codebook_path)
    populations = {g: load_population(path, cb) for g, path in p.population.items()}
    loaded = load_cycle(p.data_path, cb, p.cycle, sheet=p.sheet, constants=p.constants)
    return prepare_data(loaded, populations, p.quality, p)


def reweight(prepared: PreparedCycle, populations: dict[str, Population]) -> SurveyDesign:
    """The same respondents raked to other population figures (for composition-standardised
    trends)."""
    return weight_cycle(prepared.data, populations, staff=prepared.codebook.staff_group)


@dataclass
class Definitions:
    """What a cycle's findings are built from beyond the data, checked against its codebook: the
    indicators (the params' ``indicators`` file, or the shipped ones that fit the codebook), the
    KPIs (the params' ``kpis`` file; empty without one) and what is left out, and why."""

    indicators: dict[str, Indicator]
    kpis: dict[str, Kpi]
    omitted: list[Omission] = field(default_factory=list)


def load_definitions(
    params: CycleParams, codebook: Codebook, units_by: str | None = None
) -> Definitions:
    """Check the definitions and settings a cycle's report reads against its codebook; every
    problem is raised at once, naming the file that holds it.

    A shipped indicator whose item the codebook lacks is left out, and so is a KPI resting on it
    (or on a factor without items); in the user's own indicator file the same is an error. A
    subgroup or decomposition variable the codebook does not define is left out when it is one of
    the defaults and an error when the params name it. The driver outcome must be an item, the
    unit variable (``units_by``, else the params' ``units: by``) a category variable; a cycle whose
    questionnaire did not ask the driver outcome (its ``cycles:``) has no key drivers. The report
    language (the params' ``language``) needs a catalogue, the codebook's wording and a text of
    every indicator and KPI in it.

    Examples
    --------
    >>> p = load_params("params/2025.yaml")
    >>> d = load_definitions(p, load_codebook())
    >>> len(d.indicators), len(d.kpis), d.omitted
    (17, 8, [])
    """
    file = str(params.source or "params")
    problems: list[Problem] = []
    omitted: list[Omission] = []
    indicators: dict[str, Indicator] = {}
    kpis: dict[str, Kpi] = {}
    try:
        indicators = load_indicators(codebook, params.indicators, omitted)
    except CipsDataError as exc:
        problems += exc.problems
    if params.kpis is None or not params.kpis.exists():
        omitted.append(Omission("kpis", "no_kpi_file", whole=True))
    elif not problems:  # KPIs name indicators: checked once those are
        try:
            kpis = load_kpis(params.kpis, codebook, indicators, omitted)
        except CipsDataError as exc:
            problems += exc.problems
        if not kpis and not problems:
            omitted.append(Omission("kpis", "no_kpis", whole=True))
    items = codebook.items
    outcome = params.drivers["outcome"]
    if outcome is not None and not ((items["key"] == outcome) | (items["id"] == outcome)).any():
        known = items.loc[items["construct"] == "outcome", "key"].head(3).tolist()
        problems.append(
            Problem(
                file,
                "drivers 'outcome' is not an item of the codebook",
                value=outcome,
                expected="an item key or id" + (", e.g. " + ", ".join(known) if known else ""),
            )
        )
    else:
        no_outcome = outcome_omission(codebook, outcome, params.cycle)
        if no_outcome is not None and no_outcome.reason == "outcome_not_asked":
            omitted.append(no_outcome)
    categories = [n for n, v in codebook.variables.items() if v.type == "category"]
    by = units_by or params.units["by"]
    if by is not None and by not in categories:
        problems.append(
            Problem(
                file,
                f"the unit reports are by '{by}', which is not a category variable of the codebook",
                value=by,
                expected="one of " + ", ".join(categories),
            )
        )
    groups = codebook.group_names
    named = [("population", g) for g in params.population]
    for key in ("subgroups", "decompose_by"):
        named += [(f"analysis: {key}", g) for g in params.analysis[key]]
    for setting, group in named:
        if group not in groups:
            problems.append(
                Problem(
                    file,
                    f"'{setting}' names the group '{group}', which the codebook does not have",
                    value=group,
                    expected="one of " + ", ".join(groups),
                )
            )
    for key in ("subgroups", "decompose_by"):
        for group, given in params.analysis[key].items():
            for var in [given] if isinstance(given, str) else given:
                if var not in categories:
                    problems.append(
                        Problem(
                            file,
                            f"'analysis: {key}: {group}' names '{var}', which is not a "
                            "category variable of the codebook",
                            value=var,
                            expected="one of " + ", ".join(categories),
                        )
                    )
    problems += _language_problems(params, codebook, indicators, kpis)
    if problems:
        raise CipsDataError(problems)
    return Definitions(indicators, kpis, _unique(omitted))


def _language_problems(
    params: CycleParams, codebook: Codebook, indicators: dict[str, Indicator], kpis: dict[str, Kpi]
) -> list[Problem]:
    """Why the report cannot be written in the params' language (empty when it can)."""
    lang = params.language
    out = language_problems(
        lang,
        codebook.languages,
        str(params.source or "params"),
        str(params.codebook_path or shipped_codebook_path()),
    )
    lacking = [i for i, ind in indicators.items() if not str(ind.text.get(lang) or "").strip()]
    if lacking:
        out.append(
            Problem(
                str(params.indicators or shipped_indicators_path()),
                f"{len(lacking)} indicator(s) have no '{lang}' text, so the report cannot be in "
                f"'{lang}': {', '.join(lacking[:5])}",
                expected=f"each indicator's text in '{lang}'",
            )
        )
    lacking = [k for k, kpi in kpis.items() if kpi.names and not kpi.names.get(lang)]
    if lacking:
        out.append(
            Problem(
                str(params.kpis),
                f"{len(lacking)} KPI name(s) have no '{lang}' text, so the report cannot be in "
                f"'{lang}': {', '.join(lacking[:5])}",
                expected=f"each KPI's name in '{lang}', or one name for every language",
            )
        )
    return out


def _unique(omitted: list[Omission]) -> list[Omission]:
    """Each omission once (a default subgroup variable is left out for both groups)."""
    seen, out = set(), []
    for o in omitted:
        key = (o.section, o.reason, o.name)
        if key not in seen:
            seen.add(key)
            out.append(o)
    return out


@dataclass
class PreparedInputs:
    """Everything a cycle's findings and report read, checked: the params, the definitions, the
    prepared cycle and the earlier cycles of its ``previous`` chain (newest first)."""

    params: CycleParams
    definitions: Definitions
    current: PreparedCycle
    earlier: list[PreparedCycle] = field(default_factory=list)

    @property
    def previous(self) -> PreparedCycle | None:
        return self.earlier[0] if self.earlier else None


def prepare_inputs(
    params: CycleParams | str | Path,
    *,
    with_previous: bool = True,
    units_by: str | None = None,
) -> PreparedInputs:
    """Check every input of a cycle's findings and report, and load, screen and weight each cycle
    of the chain (side by side). ``cips check``, ``cips findings`` and ``cips render`` all call it,
    so they accept and refuse the same inputs.

    Examples
    --------
    >>> inputs = prepare_inputs("params/2025.yaml")
    >>> inputs.current.cycle, [c.cycle for c in inputs.earlier]
    (2025, [2024])
    """
    p = params if isinstance(params, CycleParams) else load_params(params)
    chain = previous_chain(p) if with_previous else []
    cb = load_codebook(p.codebook_path)
    definitions = load_definitions(p, cb, units_by)
    current, *earlier = side_by_side(
        [
            functools.partial(prepare_cycle, p, cb),
            *(functools.partial(prepare_cycle, q) for q in chain),
        ]
    )
    return PreparedInputs(p, definitions, current, earlier)
