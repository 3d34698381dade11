"""The fieldwork monitor: how a survey still in the field stands, from the export so far and the
population figures, every morning of the fieldwork (``cips fieldwork``).

* **Response** per group and per level of its population figures' margins: respondents retained
  after the quality screens who are in the figures' scope, over the population (the report's
  :func:`~cipslib.analysis.response.response_table`, with its disclosure control).
* **Representativeness** per group: the R-indicator ``R = 1 - 2 S(rho)`` and the coefficient of
  variation ``CV = S(rho) / mean(rho)`` of the response propensities (Schouten, Cobben and
  Bethlehem 2009; Schouten et al. 2012). The propensities come from the population margins: a
  respondent's propensity is the inverse of their raking weight to the group's margins (with one
  margin, ``rho`` of a level is its response rate), and over the population
  ``S^2 = sum_i w_i (rho_i - rho_bar)^2 / (N - 1)`` with ``rho_bar = n / N`` (respondents in scope
  over the population). R = 1 and CV = 0 when every level answers at the same rate.
* **Units** (the params' ``units: by:``): respondents per unit and group under the report's
  disclosure control (a count under ``min_cell`` hidden, and another with it wherever the group's
  total would give it away), whether the unit has a report yet, and the projected half-width of a
  factor index's 95% CI at today's count, ``1.96 SD / sqrt(n)`` with SD the median over the ten
  factors of the respondents' factor scores in the group so far.
* **Daily submissions** from the export's submission time (the survey tools' submission columns of
  ``data/survey_tools.yaml``), under the same control against the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CipsError
from ..inputs.codebook import load_codebook, normalise_name
from ..inputs.loading import load_cycle
from ..inputs.params import CycleParams, load_params
from ..inputs.population import load_population
from ..inputs.readers import read_table
from ..inputs.tools import submission_columns
from ..survey.errors import DesignError
from .disclosure import column_sums, protect_counts
from .findings import json_records
from .prepare import PreparedCycle
from .quality import screen
from .response import response_table
from .scoring import factor_scores, item_scores
from .weighting import in_any_frame, weight_cycle

Z95 = 1.959963984540054


@dataclass
class Fieldwork:
    """The state of the fieldwork: its tables (disclosure-controlled) and what they rest on."""

    cycle: int
    min_cell: int
    by: str | None
    read: int
    respondents: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "min_cell": self.min_cell,
            "by": self.by,
            "respondents_read": self.read,
            "respondents": self.respondents,
            "notes": list(self.notes),
            "tables": {name: json_records(t) for name, t in self.tables.items()},
        }


def fieldwork_status(
    params: CycleParams | str | Path, data: str | Path | None = None, by: str | None = None
) -> Fieldwork:
    """The fieldwork monitor's figures for a params file and the export so far (``data``; the
    params' data by default), with units of ``by`` (the params' ``units: by:`` by default).

    Examples
    --------
    >>> fw = fieldwork_status("params/2025.yaml", by="region")
    >>> sorted(fw.tables)
    ['daily', 'representativeness', 'response', 'units']
    """
    p = params if isinstance(params, CycleParams) else load_params(params)
    cb = load_codebook(p.codebook_path)
    path = Path(data) if data is not None else p.data_path
    loaded = load_cycle(path, cb, p.cycle, sheet=p.sheet, constants=p.constants)
    quality = screen(loaded.data, cb, p.quality)
    kept = quality.retained(loaded.data).reset_index(drop=True)
    populations = {g: load_population(f, cb) for g, f in p.population.items()}
    prepared = PreparedCycle(
        p.cycle, kept, loaded.reasons, cb, populations, None, None, quality, loaded.report, p
    )
    by = by or p.units["by"]
    fw = Fieldwork(p.cycle, p.min_cell, by, int(len(loaded.data)), int(len(kept)))
    fw.tables["response"] = response_table(prepared, p.min_cell)
    fw.tables["representativeness"], notes = representativeness(kept, populations, cb.staff_group)
    fw.notes += notes
    fw.tables["units"] = unit_status(kept, cb, by, p.min_cell) if by else pd.DataFrame()
    fw.tables["daily"] = daily_submissions(path, p.sheet, len(loaded.data), p.min_cell)
    return fw


def r_indicator(weights: np.ndarray, population: float) -> tuple[float, float, float]:
    """R-indicator, CV of the propensities and their mean, from the calibration weights of the
    respondents (propensity = 1 / weight) and the population size.

    Examples
    --------
    >>> # one margin, two levels of 100 and 300 people answering 50 and 30: rates 0.5 and 0.1
    >>> w = np.r_[np.full(50, 2.0), np.full(30, 10.0)]
    >>> [round(v, 4) for v in r_indicator(w, 400)]
    [0.6532, 0.8671, 0.2]
    """
    w = np.asarray(weights, dtype=float)
    rho = 1.0 / w
    mean = len(w) / population
    s = float(np.sqrt(np.sum(w * (rho - mean) ** 2) / (population - 1)))
    return 1 - 2 * s, s / mean, mean


def representativeness(
    data: pd.DataFrame, populations: dict, staff: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """Per group with population figures: respondents in scope, population, R-indicator, CV of
    the response propensities, their mean (the response rate as a share). A group whose
    respondents cannot be raked yet (a margin level nobody in it has answered) gets none, with a
    note saying why."""
    rows, notes = [], []
    for g, pop in populations.items():
        members = (data["group"].astype(object) == g).to_numpy()
        in_scope = members & in_any_frame(data, {g: pop})
        row = {"group": g, "respondents": int(in_scope.sum()), "population": float(pop.total)}
        try:
            design = weight_cycle(data[in_scope].reset_index(drop=True), {g: pop}, staff=staff)
            r, cv, mean = r_indicator(design.weights.to_numpy(), pop.total)
            row |= {"r_indicator": r, "cv": cv, "propensity": mean}
        except (CipsError, DesignError) as exc:
            row |= {"r_indicator": np.nan, "cv": np.nan, "propensity": np.nan}
            notes.append(f"{g}: no R-indicator yet ({str(exc).splitlines()[-1].strip(' -')})")
        rows.append(row)
    return pd.DataFrame(rows), notes


def unit_status(data: pd.DataFrame, cb, by: str, min_cell: int) -> pd.DataFrame:
    """Per unit of ``by`` and group: respondents (disclosure-controlled against the group's total,
    hidden cells missing with their reason), whether the unit has a report yet (``min_cell``
    respondents), and the projected half-width of a factor index's 95% CI at today's count."""
    if by not in data.columns:
        raise CipsError(f"the units are by '{by}', which the export has no column for")
    groups = [g for g in cb.group_names if (data["group"].astype(object) == g).any()]
    levels = list(cb.variables[by].levels) if by in cb.variables else sorted(data[by].dropna())
    counts = pd.crosstab(data[by].astype(object), data["group"].astype(object))
    counts = counts.reindex(index=levels, columns=groups, fill_value=0)
    table = pd.concat([counts, counts.sum().to_frame("_total").T])
    protection = protect_counts(table, min_cell, sums=column_sums(table, levels, "_total"))
    sd = _factor_sd(data, cb)
    rows = []
    for g in groups:
        for unit in levels:
            n = int(counts.loc[unit, g])
            reason = protection.reasons.loc[unit, g]
            rows.append(
                {
                    "unit": unit,
                    "group": g,
                    "respondents": np.nan if pd.notna(reason) else n,
                    "hidden": reason if pd.notna(reason) else None,
                    "report": n >= min_cell,
                    "half_width": Z95 * sd.get(g, np.nan) / np.sqrt(n) if n >= min_cell else np.nan,
                }
            )
    return pd.DataFrame(rows)


def _factor_sd(data: pd.DataFrame, cb) -> dict[str, float]:
    """Per group: the median over the factors of the standard deviation of the respondents' factor
    scores (0-100) so far."""
    fav, score = item_scores(data, cb)
    index, _ = factor_scores(data, cb, fav, score)
    out = {}
    for g in cb.group_names:
        members = (data["group"].astype(object) == g).to_numpy()
        sds = [index.loc[members, c].std(ddof=1) for c in index.columns]
        sds = [s for s in sds if pd.notna(s)]
        if sds:
            out[g] = float(np.median(sds))
    return out


def daily_submissions(path: Path, sheet: str | None, total: int, min_cell: int) -> pd.DataFrame:
    """Submissions per day from the export's submission-time column (none: an empty table), a day
    under ``min_cell`` hidden, and another with it wherever the total would give it away."""
    raw = read_table(path, sheet)
    known = {normalise_name(n) for n in submission_columns()}
    column = next((c for c in raw.columns if normalise_name(c) in known), None)
    if column is None:
        return pd.DataFrame(columns=["date", "submissions", "hidden"])
    stamps = pd.to_datetime(raw.frame.iloc[:, raw.columns.index(column)], errors="coerce")
    days = stamps.dt.date.value_counts().sort_index()
    names = [*map(str, days.index)]
    table = pd.DataFrame({"n": [*days.to_numpy(), total]}, index=[*names, "_all"])
    protection = protect_counts(table, min_cell, sums=column_sums(table, names, "_all"))
    rows = []
    for day, n in zip(names, days.to_numpy(), strict=True):
        reason = protection.reasons.loc[day, "n"]
        rows.append(
            {
                "date": day,
                "submissions": np.nan if pd.notna(reason) else int(n),
                "hidden": reason if pd.notna(reason) else None,
            }
        )
    return pd.DataFrame(rows, columns=["date", "submissions", "hidden"])


__all__ = [
    "Fieldwork",
    "daily_submissions",
    "fieldwork_status",
    "r_indicator",
    "representativeness",
    "unit_status",
]
