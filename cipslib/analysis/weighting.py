"""Weighting a CIPS cycle to its population figures.

:func:`weight_cycle` builds one design for the whole cycle, stratified by respondent group
(officials and private sector are separate samples), and rakes each group to its own population
margins:

* officials to the staff margins (e.g. region, role, tenure band);
* private-sector respondents in the frame (businesses, by business type) to the frame's margins.
  Respondents outside the frame (associations, civil society, citizens) have no population figures:
  they keep their sample share within the private group (their weight is the mean frame weight).
* A group without population figures keeps equal weights.

Margins are interacted with the group, so raking one group never moves another group's weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CipsDataError, Problem
from ..inputs.population import Population
from ..survey.design import SurveyDesign

OUTSIDE = "(outside the frame)"


def _margin_column(data: pd.DataFrame, group: str, var: str) -> pd.Series:
    members = (data["group"].astype(object) == group).to_numpy()
    values = data[var].astype(object).to_numpy()
    out = np.where(members, values, "(" + data["group"].astype(str).to_numpy() + ")")
    return pd.Series(out, index=data.index, dtype=object)


def in_any_frame(data: pd.DataFrame, populations: Mapping[str, Population]) -> np.ndarray:
    """Rows that belong to a group with population figures and have all of its margin variables."""
    keep = np.zeros(len(data), dtype=bool)
    groups = data["group"].astype(object).to_numpy()
    for g, pop in populations.items():
        vars_ = [v for v in pop.margins if v in data.columns]
        keep |= (groups == g) & data[vars_].notna().all(axis=1).to_numpy()
    return keep


def _check_levels(data: pd.DataFrame, populations: Mapping[str, Population], source: str) -> None:
    """Every margin level has respondents, and every respondent's level has a population count."""
    groups = data["group"].astype(object)
    for g, pop in populations.items():
        members = (groups == g).to_numpy()
        for var, counts in pop.margins.items():
            if var not in data.columns:
                raise CipsDataError(
                    [
                        Problem(
                            source,
                            f"the data have no column '{var}', which the population "
                            f"figures of '{g}' weight on",
                            column=var,
                            expected=f"a '{var}' column, or no '{var}' margin in {pop.path}",
                        )
                    ]
                )
            seen = set(data.loc[members, var].dropna().astype(str))
            empty = [lev for lev in counts if str(lev) not in seen]
            if empty:
                raise CipsDataError(
                    [
                        Problem(
                            str(pop.path or g),
                            f"margin '{var}', level '{empty[0]}' has a "
                            f"population count but no {g} respondent in {Path(source).name}",
                            column=var,
                            value=empty[0],
                            expected="merge it with a neighbouring level in the population file",
                        )
                    ]
                )
            extra = sorted(seen - {str(lev) for lev in counts})
            if extra:
                raise CipsDataError(
                    [
                        Problem(
                            str(pop.path or g),
                            f"margin '{var}' has no population count for "
                            f"the level '{extra[0]}' that {g} respondents in "
                            f"{Path(source).name} have",
                            column=var,
                            value=extra[0],
                            expected="a count for every level: " + ", ".join(map(str, counts)),
                        )
                    ]
                )


def weight_cycle(
    data: pd.DataFrame,
    populations: Mapping[str, Population],
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
    source: str = "data",
    staff: str | None = None,
) -> SurveyDesign:
    """Rake a cycle's respondents (one row each, with a ``group`` column) to the population figures.

    Returns a :class:`SurveyDesign` stratified by group whose weights hit every margin; the design
    remembers the raking so that standard errors account for it. ``source`` names the data file in
    messages. The ``staff`` group's figures describe all its members (the codebook's
    :attr:`~cipslib.inputs.codebook.Codebook.staff_group`): each must have every margin variable;
    other groups' members without them are outside the frame (associations, citizens) and keep
    their weight.

    Examples
    --------
    >>> from cipslib import demo_data, load_codebook, load_population, screen
    >>> cb = load_codebook()
    >>> data = screen(demo_data(2024), cb).retained(demo_data(2024))
    >>> pops = {"official": load_population("params/population/scs_staff.yaml", cb),
    ...         "private": load_population("params/population/private_frame.yaml", cb)}
    >>> design = weight_cycle(data, pops)
    >>> design.weight_summary(by="group")["group"].tolist()
    ['official', 'private']
    """
    if "group" not in data.columns:
        raise CipsDataError([Problem(source, "the data have no 'group' column", column="group")])
    groups = data["group"].astype(object)
    present = list(pd.unique(groups.dropna()))
    absent = [g for g, pop in populations.items() if g not in present]
    if absent:
        pop = populations[absent[0]]
        raise CipsDataError(
            [
                Problem(
                    str(pop.path or absent[0]),
                    f"population figures are given for the group "
                    f"'{absent[0]}' but the data have no {absent[0]} respondents",
                    expected="respondents of that group, or no population file for it",
                )
            ]
        )
    data = data.copy()
    strata = "group" if len(present) > 1 else None
    group_totals: dict[str, float] = {}
    outside: dict[str, tuple[np.ndarray, float]] = {}
    for g in present:
        members = (groups == g).to_numpy()
        pop = populations.get(g)
        if pop is None:
            group_totals[g] = float(members.sum())
            continue
        frame_vars = list(pop.margins)
        in_frame = members & data[frame_vars].notna().all(axis=1).to_numpy()
        out_frame = members & ~in_frame
        n_in = int(in_frame.sum())
        if n_in == 0:
            raise CipsDataError(
                [
                    Problem(
                        str(pop.path or g),
                        f"no {g} respondent has the margin variables {', '.join(frame_vars)}",
                        expected="respondents to weight",
                    )
                ]
            )
        # the staff must all be in the frame: a missing region/role/tenure cannot be weighted
        if out_frame.any() and g == staff:
            var = next(v for v in frame_vars if data.loc[members, v].isna().any())
            raise CipsDataError(
                [
                    Problem(
                        source,
                        f"{int(out_frame.sum())} respondents of the group '{g}' have no "
                        f"'{var}', so they cannot be weighted to the staff figures",
                        column=var,
                        expected="a value for every member of the staff (impute, or exclude them)",
                    )
                ]
            )
        extra = float(out_frame.sum()) * pop.total / n_in
        outside[g] = (out_frame, extra)
        group_totals[g] = pop.total + extra
    _check_levels(data.loc[in_any_frame(data, populations)], populations, source)
    margins: dict[str, dict] = {}
    for g, pop in populations.items():
        if g not in present:
            continue
        for var, counts in pop.margins.items():
            col = f"_margin_{g}_{var}"
            values = _margin_column(data, g, var)
            out_frame, extra = outside.get(g, (np.zeros(len(data), bool), 0.0))
            values[out_frame] = OUTSIDE
            data[col] = values
            targets = dict(counts)
            if out_frame.any():
                targets[OUTSIDE] = extra
            for other in present:
                if other != g:
                    targets[f"({other})"] = group_totals[other]
            margins[col] = targets
    design = SurveyDesign(data, strata=strata)
    if not margins:
        return design
    return design.rake(margins, max_iter=max_iter, tol=tol)
