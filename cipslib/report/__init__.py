"""Stage 5, reports: the blocks the report notebooks display, charts, and rendering (papermill,
nbconvert, PDF engines in a registry) with an atomic publish.

A notebook cell is one call on a :class:`Report` (a :class:`Comparison`, a
:class:`UnitReport`) shown with :func:`show`.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for type checkers and editors; at run time each name is imported on first use
    from .blocks import (
        Report,
        factors_present,
        groups_present,
        params_path,
        subgroup_variables,
    )
    from .comparison import Comparison
    from .display import each, show
    from .unit import UnitReport

__all__ = [
    "Comparison",
    "Report",
    "UnitReport",
    "each",
    "factors_present",
    "groups_present",
    "params_path",
    "show",
    "subgroup_variables",
]

# The public names and their modules, imported on first use (PEP 562): a render's own process
# imports ``cipslib.report.render`` without the findings, charts and analysis stack the notebook's
# kernel needs (the kernel imports them while it starts).
_LAZY = {
    "Comparison": ".comparison",
    "Report": ".blocks",
    "UnitReport": ".unit",
    "factors_present": ".blocks",
    "groups_present": ".blocks",
    "params_path": ".blocks",
    "each": ".display",
    "show": ".display",
    "subgroup_variables": ".blocks",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
