"""Response rate and coverage: how many of the people a cycle's figures describe took part.

The **response rate** of a group is the number of its respondents retained after the quality
screens who are in the scope of the group's population figures, divided by the population total
of those figures (e.g. the staff in the HR register at the figures' reference date):

    rate = in_scope / population * 100

A respondent is *in scope* when they have a value for every margin variable of the group's
population figures (the respondents the weighting rakes to them, :func:`cipslib.analysis.
weighting.in_any_frame`): every official; in the private sector the businesses, not the
associations, civil society and citizens, for whom there are no figures. Without population
figures for a group the rate cannot be computed and is missing.

**Coverage** is the same ratio per level of each margin the population figures give (region, role,
years of service, ...): the respondents with that level divided by the level's population count,
as the UK Civil Service People Survey and the US FEVS publish by organisation and group.

For an opt-in online survey the rate says how much of the population took part; it is not the
response rate of a probability sample, and a high rate does not make the respondents a
probability sample (the report's method says so).

Disclosure control follows the other count tables (:mod:`cipslib.analysis.disclosure`):

* a count of 1 to ``min_cell - 1`` respondents is hidden, and a rate is hidden with its count (the
  population being published, the rate would give the count back);
* the respondents read per group are those of the findings' ``quality`` table, hidden where it
  hides them;
* the respondents in scope and those outside it add up to the group's respondents, which are
  published: when the outside count is small, the in-scope count (and the rate) is hidden too;
* the levels of a margin add up to the group's respondents in scope, so a margin with a hidden
  level has at least two hidden (the same cells as the findings' ``sample`` table, which shows the
  same counts).

Unit reports get the same rate per published unit and group:
:func:`cipslib.analysis.units.unit_response`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .disclosure import COMPLEMENTARY, SMALL, suppress_counts
from .weighting import in_any_frame

if TYPE_CHECKING:  # pragma: no cover
    from .prepare import PreparedCycle

RESPONSE_COLUMNS = [
    "group",
    "variable",
    "level",
    "read",
    "respondents",
    "in_scope",
    "population",
    "rate",
    "reference_date",
    "suppressed",
    "hidden",
]
"""The columns of the ``response`` table (``hidden``: why a row's counts are hidden, "small" or
"complementary")."""


def response_rate(respondents: float, population: float | None) -> float:
    """Respondents as a percentage of the population; NaN when either is unknown or the
    population is not positive.

    Examples
    --------
    >>> response_rate(4091, 9912)
    41.27320419693301
    >>> response_rate(40, None), response_rate(float("nan"), 100)
    (nan, nan)
    """
    if population is None or respondents is None:
        return np.nan
    if not np.isfinite(population) or population <= 0 or not np.isfinite(respondents):
        return np.nan
    return 100 * float(respondents) / float(population)


def _small(n: float, min_cell: int) -> bool:
    return bool(0 < n < min_cell)


def response_table(
    current: PreparedCycle,
    min_cell: int = 10,
    *,
    sample: pd.DataFrame | None = None,
    quality: pd.DataFrame | None = None,
    groups: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The ``response`` table of a prepared cycle: per group a row with the respondents read,
    retained and in scope, the population total and the response rate (%); then one row per level
    of each margin of the group's population figures (coverage).

    ``sample`` and ``quality`` are the findings' tables of the same name: the margin rows hide the
    cells ``sample`` hides and ``read`` is what ``quality`` shows, so that the tables agree; without
    them the counts are suppressed here with the same rules. Group rows have ``variable`` and
    ``level`` missing; margin rows have ``read`` missing. Rates are in percent.

    Examples
    --------
    >>> from cipslib.analysis.prepare import prepare_cycle
    >>> t = response_table(prepare_cycle("params/2024.yaml"))
    >>> t.loc[t["variable"].isna(), ["group", "respondents", "in_scope", "population"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          group  respondents  in_scope  population
    0   official        444.0     444.0      9912.0
    12   private        470.0     470.0     50000.0
    >>> r = t.loc[1]
    >>> print(f"{t.loc[0, 'rate']:.1f}%", r["variable"], r["level"], f"{r['rate']:.1f}%")
    4.5% region central_office 6.6%
    """
    data = current.data
    present = list(pd.unique(data["group"].dropna().astype(object)))
    listed = current.codebook.group_names if groups is None else groups
    order = [g for g in listed if g in present] + [g for g in present if g not in listed]
    members = {g: (data["group"].astype(object) == g).to_numpy() for g in order}
    read = _read(current, quality, order, min_cell)
    rows: list[dict] = []
    for g in order:
        pop = current.populations.get(g)
        n = int(members[g].sum())
        row = {
            "group": g,
            "variable": None,
            "level": None,
            "read": read.get(g, np.nan),
            "respondents": float(n),
            "in_scope": np.nan,
            "population": np.nan if pop is None else float(pop.total),
            "rate": np.nan,
            "reference_date": None if pop is None else pop.reference_date,
            "suppressed": False,
            "hidden": None,
        }
        if pop is None:
            if _small(n, min_cell):
                row.update(respondents=np.nan, suppressed=True, hidden=SMALL)
            rows.append(row)
            continue
        in_scope = int((members[g] & in_any_frame(data, {g: pop})).sum())
        line = pd.DataFrame([[in_scope, n - in_scope]], columns=["in", "out"])
        hide = suppress_counts(line, min_cell, row_totals=True, col_totals=False)
        if _small(n, min_cell):
            row.update(respondents=np.nan, suppressed=True, hidden=SMALL)
        elif hide.cells.loc[0, "in"]:  # shown, it would give away the few out of scope
            row.update(suppressed=True, hidden=COMPLEMENTARY)
        else:
            row.update(in_scope=float(in_scope), rate=response_rate(in_scope, pop.total))
        rows.append(row)
        # the margin's levels add up to the respondents in scope: hidden there, hidden here
        rows += _margin_rows(data, members[g], g, pop, sample, min_cell, row["suppressed"])
    out = pd.DataFrame(rows, columns=RESPONSE_COLUMNS)
    for c in ("read", "respondents", "in_scope", "population", "rate"):
        out[c] = out[c].astype(float)
    out["suppressed"] = out["suppressed"].astype(bool)
    return out


def _read(current, quality: pd.DataFrame | None, groups: list[str], min_cell: int) -> dict:
    """Respondents read per group, as the quality table shows them (NaN where it hides them)."""
    if quality is not None and not quality.empty and "screen" in quality.columns:
        q = quality.set_index("screen")
        if "respondents" in q.index:
            return {g: float(q.loc["respondents", g]) for g in groups if g in q.columns}
    summary = current.quality.summary
    out = {}
    for g in groups:
        if "respondents" in summary.index and g in summary.columns:
            n = float(summary.loc["respondents", g])
            out[g] = np.nan if _small(n, min_cell) else n
    return out


def _margin_rows(data, members, group, pop, sample, min_cell, hide_all) -> list[dict]:
    """One row per level of each margin: respondents in scope with the level, the level's
    population count and the coverage rate (every count hidden when ``hide_all``)."""
    in_scope = members & in_any_frame(data, {group: pop})
    rows = []
    for var, counts in pop.margins.items():
        levels = list(counts)
        col = data.loc[in_scope, var].astype(object)
        n = col.value_counts().reindex(levels).fillna(0).astype(int)
        hidden = _margin_hidden(sample, group, var, levels)
        if hidden is None:  # no sample table: the same rule as the sample table
            line = pd.DataFrame([n.to_numpy()], columns=levels)
            cells = suppress_counts(line, min_cell, row_totals=True, col_totals=False).cells
            small = n < min_cell
            hidden = {
                lev: (SMALL if small[lev] else COMPLEMENTARY) if cells.loc[0, lev] else None
                for lev in levels
            }
        for lev in levels:
            shown = not (hidden[lev] or hide_all)
            rows.append(
                {
                    "group": group,
                    "variable": var,
                    "level": lev,
                    "read": np.nan,
                    "respondents": float(n[lev]) if shown else np.nan,
                    "in_scope": float(n[lev]) if shown else np.nan,
                    "population": float(counts[lev]),
                    "rate": response_rate(n[lev], counts[lev]) if shown else np.nan,
                    "reference_date": pop.reference_date,
                    "suppressed": not shown,
                    "hidden": None if shown else hidden[lev] or COMPLEMENTARY,
                }
            )
    return rows


def _margin_hidden(sample, group, var, levels) -> dict[str, str | None] | None:
    """Why the findings' sample table hides each level of a margin ("small", "complementary" or
    None when shown; None without the table)."""
    if sample is None or sample.empty:
        return None
    part = sample[(sample["group"] == group) & (sample["variable"] == var)]
    if part.empty:
        return None
    why = part["hidden"] if "hidden" in part else part["suppressed"].map({True: SMALL})
    reasons = dict(zip(part["level"], why.where(part["suppressed"].astype(bool)), strict=True))
    return {lev: reasons.get(lev) if isinstance(reasons.get(lev), str) else None for lev in levels}


__all__ = [
    "RESPONSE_COLUMNS",
    "response_rate",
    "response_table",
]
