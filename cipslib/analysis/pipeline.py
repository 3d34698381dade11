"""The one path from a params file to a cycle's findings: :func:`analyse`.

Every command that computes figures takes it (``cips findings``, ``cips render``, the report
notebooks, an analyst's ``cipslib.analyse``), so the same params give the same ``findings.json``
whichever of them wrote it. Its stages, each a function of its own module:

1. :func:`~cipslib.analysis.prepare.prepare_inputs`: every input checked (``cips check`` stops
   here), the cycle and the earlier cycles of its ``previous`` chain loaded, screened and weighted;
2. :func:`~cipslib.analysis.findings.compute_findings`: the findings' tables and key findings, with
   the params' options and the indicators they define;
3. with unit reports (``units_by``, or the params' ``units: by:``):
   :func:`~cipslib.analysis.units.compute_units` and the national subgroup cells the unit reports
   withhold hidden too (:func:`~cipslib.analysis.units.hide_national_cells`), so no unit's figure
   can be worked out from the national ones.
"""

from __future__ import annotations

from pathlib import Path

from ..inputs.params import CycleParams, load_params
from .findings import Findings, Options, compute_findings
from .prepare import prepare_inputs
from .units import compute_units, hide_national_cells, national_cells_to_hide


def analyse(
    params: CycleParams | str | Path,
    units_by: str | None = None,
    *,
    with_previous: bool = True,
) -> Findings:
    """Findings of the cycle a params file describes: trends against its ``previous`` cycle (unless
    ``with_previous`` is False) and, with unit reports (``units_by`` or the params' ``units: by:``),
    the unit figures, with the national subgroup cells they withhold hidden. The findings keep what
    they were computed from (``inputs``) and the unit figures (``units``).

    Examples
    --------
    >>> f = analyse("params/2024.yaml")
    >>> len(f.key_findings) > 5 and f.key_findings[0]["rank"] == 1
    True
    >>> f.inputs.current.cycle, f.units is None
    (2024, True)
    >>> analyse("params/2025.yaml", "region").units.by
    'region'
    """
    p = params if isinstance(params, CycleParams) else load_params(params)
    by = units_by or p.units["by"]
    inputs = prepare_inputs(p, with_previous=with_previous, units_by=by)
    options = Options.from_params(p, inputs.current.codebook)
    definitions = inputs.definitions
    findings = compute_findings(
        inputs.current,
        inputs.previous,
        options,
        indicators=definitions.indicators,
        earlier=inputs.earlier[1:],
        omitted=definitions.omitted,
    )
    findings.inputs = inputs
    if by:
        figures = compute_units(
            inputs.current,
            by,
            inputs.previous,
            options=options,
            indicators=definitions.indicators,
            pool=p.units["pool"],
        )
        tables = findings.tables
        cells = national_cells_to_hide(figures, tables["subgroups"])
        tables["subgroups"], tables["subgroup_tests"] = hide_national_cells(
            tables["subgroups"], tables["subgroup_tests"], cells
        )
        findings.units = figures
    return findings


__all__ = ["analyse"]
