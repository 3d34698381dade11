"""From a params file to a weighted cycle ready for analysis: load, screen, weight.

:func:`prepare_cycle` is what the report notebooks and ``cips`` call; an analyst in JupyterLab calls
it too and gets the same respondents, weights and design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..inputs.codebook import Codebook, load_codebook
from ..inputs.loading import CycleData, LoadReport, load_cycle
from ..inputs.params import CycleParams, load_params
from ..inputs.population import Population, load_population
from ..survey.design import SurveyDesign
from .quality import QualityReport, screen
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
    design = weight_cycle(data, populations, source=loaded.report.file)
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
    return weight_cycle(prepared.data, populations)
