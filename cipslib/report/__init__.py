"""Stage 5, reports: the blocks the report notebooks display, charts, and rendering (papermill,
nbconvert, PDF engines in a registry) with an atomic publish.

A notebook cell is one call on a :class:`Report` (a :class:`Comparison`, a
:class:`UnitReport`) shown with :func:`show`.
"""

from .blocks import (
    Report,
    factors_present,
    groups_present,
    params_path,
    resolve_params,
    show,
    subgroup_variables,
)
from .comparison import Comparison
from .unit import UnitReport

__all__ = [
    "Comparison",
    "Report",
    "UnitReport",
    "factors_present",
    "groups_present",
    "params_path",
    "resolve_params",
    "show",
    "subgroup_variables",
]
