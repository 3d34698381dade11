"""Data-quality screens: duplicate submissions, speeders, straight-liners and incomplete
questionnaires.

Each screen flags respondents; the params say which flags exclude a respondent from the analysis
(default: duplicate, speeder, incomplete; straight-lining alone is flagged but kept, because a
uniformly positive or negative respondent may be sincere). Excluded respondents are counted in the
summary, never silently lost.

Definitions (thresholds from the params ``quality`` section):

* duplicate: same respondent variables and the same answer to every item as an earlier row, among
  rows with at least ``duplicate_min_items`` answers (so two near-empty questionnaires are not
  "duplicates"). The first copy is kept.
* speeder: an online completion time below ``speeder_ratio`` x the median time of the respondent's
  group.
* straightliner: at least ``straightline_min_items`` agree/disagree items answered, all with the
  same code (reverse-coded items make this pattern self-contradictory).
* incomplete: fewer than ``min_completion`` of the respondent's perception items answered (a
  don't-know counts as not answered).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.codebook import CONSTRUCTS_WITH_FACTOR, Codebook, load_codebook
from ..inputs.params import QUALITY_DEFAULTS, QUALITY_FLAGS


@dataclass
class QualityReport:
    """Per-respondent flags (``flags``, indexed like the data) and a summary table.

    Examples
    --------
    >>> from cipslib import demo_data, load_codebook
    >>> q = screen(demo_data(2024), load_codebook())
    >>> int(q.summary.loc["retained", "all"])
    914
    """

    flags: pd.DataFrame
    summary: pd.DataFrame
    thresholds: dict

    @property
    def excluded(self) -> pd.Series:
        return self.flags["exclude"]

    def retained(self, data: pd.DataFrame) -> pd.DataFrame:
        """The respondents kept for analysis."""
        return data.loc[~self.flags["exclude"].reindex(data.index).fillna(False).astype(bool)]


def screen(
    data: pd.DataFrame, codebook: Codebook | None = None, thresholds: dict | None = None
) -> QualityReport:
    """Run the quality screens on loaded responses (the output of
    :func:`cipslib.load_responses`).

    Examples
    --------
    >>> from cipslib import demo_data, load_codebook
    >>> data = demo_data(2024)
    >>> q = screen(data, load_codebook())
    >>> len(q.retained(data))
    914
    """
    cb = codebook or load_codebook()
    th = dict(QUALITY_DEFAULTS) | dict(thresholds or {})
    items = [i for i in cb.items["id"] if i in data.columns]
    perception = [
        i for i in cb.items_for(construct=CONSTRUCTS_WITH_FACTOR)["id"] if i in data.columns
    ]
    codes = pd.DataFrame({i: data[i].astype("Float64") for i in items}, index=data.index)
    pcodes = codes[perception]
    groups = data["group"].astype(object)

    asked = pd.DataFrame(False, index=data.index, columns=perception)
    for _, item in cb.items_for(construct=CONSTRUCTS_WITH_FACTOR).iterrows():
        if item["id"] in asked:
            asked[item["id"]] = groups.isin(item["instruments"]).to_numpy()
    n_asked = asked.sum(axis=1)
    n_answered = pcodes.notna().sum(axis=1)
    completion = (n_answered / n_asked.where(n_asked > 0)).fillna(0.0)
    # a respondent asked no perception item (a questionnaire without them) is not incomplete
    incomplete = (completion < float(th["min_completion"])) & (n_asked > 0)

    agree = [i for i in perception if cb.scales[cb.item(i)["scale"]].type == "ordinal"]
    a = codes[agree].to_numpy(dtype=float, na_value=np.nan)
    answered = ~np.isnan(a)
    # initial: no ordinal perception item at all (a yes/no or nominal questionnaire)
    lowest = np.where(answered, a, np.inf).min(axis=1, initial=np.inf)
    highest = np.where(answered, a, -np.inf).max(axis=1, initial=-np.inf)
    one_answer = lowest == highest
    straight = pd.Series(
        (answered.sum(axis=1) >= int(th["straightline_min_items"])) & one_answer, index=data.index
    )

    speeder = pd.Series(False, index=data.index)
    if "duration_s" in data and data["duration_s"].notna().any():
        median = data.groupby(groups, observed=True)["duration_s"].transform("median")
        speeder = (data["duration_s"] < float(th["speeder_ratio"]) * median).fillna(False)

    key_cols = [
        c for c in cb.variables if c in data.columns and c not in ("respondent_id", "duration_s")
    ]
    enough = codes.notna().sum(axis=1) >= int(th["duplicate_min_items"])
    signature = pd.concat([data[key_cols].astype(str), codes.fillna(-1).astype("int64")], axis=1)
    duplicate = enough & signature[enough].duplicated(keep="first").reindex(
        data.index, fill_value=False
    )

    flags = pd.DataFrame(
        {
            "respondent_id": data["respondent_id"]
            if "respondent_id" in data
            else pd.Series(index=data.index),
            "group": groups,
            "duplicate": duplicate.astype(bool),
            "speeder": speeder.astype(bool),
            "straightliner": straight.astype(bool),
            "incomplete": incomplete.astype(bool),
            "completion": completion.round(4),
        },
        index=data.index,
    )
    exclude_on = [f for f in th["exclude"] if f in QUALITY_FLAGS]
    flags["exclude"] = flags[exclude_on].any(axis=1) if exclude_on else False
    return QualityReport(flags, _summary(flags, exclude_on), th)


def _summary(flags: pd.DataFrame, exclude_on: list[str]) -> pd.DataFrame:
    rows = []
    for name in (*QUALITY_FLAGS, "exclude"):
        row = {
            "screen": "excluded" if name == "exclude" else name,
            "excludes": name in exclude_on or name == "exclude",
        }
        for group, sub in flags.groupby("group", observed=True):
            row[str(group)] = int(sub[name].sum())
        row["all"] = int(flags[name].sum())
        rows.append(row)
    total = {"screen": "respondents", "excludes": False}
    for group, sub in flags.groupby("group", observed=True):
        total[str(group)] = len(sub)
    total["all"] = len(flags)
    excluded = rows[-1]
    counts = [k for k in total if k not in ("screen", "excludes")]
    kept = {"screen": "retained", "excludes": False, **{k: total[k] - excluded[k] for k in counts}}
    return pd.DataFrame([total, *rows, kept]).set_index("screen")
