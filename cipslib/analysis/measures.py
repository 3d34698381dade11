"""The measures of a cycle: one column per indicator, one row per respondent, ready to be weighted.

Every number the findings report is the weighted mean of one of these columns over a group of
respondents. Measure ids are stable across cycles (items are named by their cross-cycle key), so the
same id is followed from one cycle to the next and used in KPI formulas:

========================  =========================================================  =====
id                        what                                                       unit
========================  =========================================================  =====
``item_fav.KEY``          % favourable of an agree/disagree item                     %
``item_score.KEY``        mean 0-100 score of the item (reverse items turned)        0-100
``factor_index.K``        factor index of Revised Arusha Declaration factor K        0-100
``factor_fav.K``          % favourable answers in factor K (respondent-level share)  %
``gap.KEY``               words vs action: % "exists" minus % "effective" (KEY of    points
                          the "exists" item), same respondents
``indicator.ID``          experience indicator from ``data/indicators.yaml``         %
``option.KEY``            % selecting an option of a multiple-choice question (KEY   %
                          of the option: ``<question key>__<code>``)
========================  =========================================================  =====

Shares are held as 0/1 (and 0-1 shares) in the columns and reported as percentages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.codebook import Codebook
from .scoring import (
    Indicator,
    answer_codes,
    factor_scores,
    gap_scores,
    indicator_values,
    item_scores,
)

UNITS = {
    "item_fav": "%",
    "item_score": "index",
    "factor_index": "index",
    "factor_fav": "%",
    "gap": "points",
    "indicator": "%",
    "option": "%",
}
PERCENT_KINDS = ("item_fav", "factor_fav", "gap", "indicator", "option")
PROPORTION_KINDS = ("item_fav", "indicator", "option")  # 0/1 columns: logit confidence intervals


@dataclass
class Measures:
    """Per-respondent measure values and what each column is."""

    values: pd.DataFrame  # one column per measure id
    info: pd.DataFrame  # measure, kind, ref, factor, item, unit

    def columns(self, *kinds: str) -> list[str]:
        return list(self.info.loc[self.info["kind"].isin(kinds), "measure"])


def build_measures(
    data: pd.DataFrame, codebook: Codebook, indicators: dict[str, Indicator]
) -> Measures:
    """All measures of a cycle's respondents (see the module docstring for the ids)."""
    fav, score = item_scores(data, codebook)
    f_index, f_fav = factor_scores(data, codebook, fav, score)
    gaps = gap_scores(codebook, fav)
    inds = indicator_values(data, codebook, indicators)
    items = codebook.items.set_index("id")
    cols: dict[str, np.ndarray] = {}
    info = []

    def add(kind: str, ref: str, values: pd.Series, factor=None, item=None) -> None:
        mid = f"{kind}.{ref}"
        cols[mid] = values.to_numpy(dtype=float)
        info.append(
            {
                "measure": mid,
                "kind": kind,
                "ref": str(ref),
                "factor": factor,
                "item": item,
                "unit": UNITS[kind],
            }
        )

    for iid in fav.columns:
        key, factor = items.loc[iid, "key"], int(items.loc[iid, "factor"])
        add("item_fav", key, fav[iid], factor, iid)
        if score[iid].notna().any():
            add("item_score", key, score[iid], factor, iid)
    for k in f_index.columns:
        add("factor_index", str(k), f_index[k], int(k))
        add("factor_fav", str(k), f_fav[k], int(k))
    for iid in gaps.columns:
        add("gap", items.loc[iid, "key"], gaps[iid], int(items.loc[iid, "factor"]), iid)
    for ind in inds.columns:
        add("indicator", ind, inds[ind], None, None)
    options = codebook.items[codebook.items["parent"].notna()]
    for iid, key in zip(options["id"], options["key"], strict=True):
        if iid in data:
            add("option", key, pd.Series(answer_codes(data[iid])), None, iid)
    frame = pd.DataFrame(cols, index=data.index)
    info_df = pd.DataFrame(info, columns=["measure", "kind", "ref", "factor", "item", "unit"])
    info_df["factor"] = info_df["factor"].astype("Int64")
    return Measures(frame, info_df)


def to_percent(
    table: pd.DataFrame, kinds: pd.Series, columns=("estimate", "se", "ci_low", "ci_high")
) -> None:
    """Scale the share columns of an estimate table to percentages in place (rows whose kind is a
    share)."""
    mask = kinds.isin(PERCENT_KINDS).to_numpy()
    for c in columns:
        if c in table.columns:
            table.loc[mask, c] = table.loc[mask, c].astype(float) * 100
