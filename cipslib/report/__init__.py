"""Stage 5, reports: the blocks the report notebooks display, charts, and rendering (papermill,
nbconvert, PDF engines in a registry) with an atomic publish.

A notebook cell is one call on a section of a :class:`Report` (``report.factors.table()``; the
sections are in :mod:`cipslib.report.sections`), on a :class:`Comparison`, a
:class:`UnitReport` or a :class:`BenchmarkReport`, shown with :func:`show`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:  # for type checkers and editors; at run time each name is imported on first use
    from .benchmark import BenchmarkReport
    from .blocks import Report, params_path
    from .comparison import Comparison
    from .context import factors_present, groups_present, subgroup_variables
    from .display import each, show
    from .unit import NationalReports, UnitReport, national_reports

__all__ = [
    "BenchmarkReport",
    "Comparison",
    "NationalReports",
    "Report",
    "UnitReport",
    "each",
    "factors_present",
    "groups_present",
    "national_reports",
    "params_path",
    "show",
    "subgroup_variables",
]

# The public names and their modules, imported on first use (PEP 562): a render's own process
# imports ``cipslib.report.render`` without the findings, charts and analysis stack the notebook's
# kernel needs (the kernel imports them while it starts).
_LAZY = {
    "benchmark": ["BenchmarkReport"],
    "comparison": ["Comparison"],
    "blocks": ["Report", "params_path"],
    "context": ["factors_present", "groups_present", "subgroup_variables"],
    "unit": ["NationalReports", "UnitReport", "national_reports"],
    "display": ["each", "show"],
}


__getattr__, __dir__, _ = lazy_loader.attach(__name__, submod_attrs=_LAZY)
