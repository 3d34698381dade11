"""Stage 5, reports: the blocks the report notebooks display, charts, and rendering (papermill,
nbconvert, PDF engines in a registry) with an atomic publish.

A notebook cell is one call on a :class:`Report` (or a :class:`Comparison`) shown with :func:`show`.
"""

from .blocks import (
    Report,
    factors_present,
    groups_present,
    resolve_params,
    show,
    subgroup_variables,
)
from .comparison import Comparison

__all__ = [
    "Comparison",
    "Report",
    "factors_present",
    "groups_present",
    "resolve_params",
    "show",
    "subgroup_variables",
]
