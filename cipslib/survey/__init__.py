"""Stage 1, survey statistics: a design object (weights, strata, PSUs, finite population
correction), its calibration (raking, post-stratification, linear calibration, trimming),
Taylor-linearised variance that accounts for the calibration, inference (t and logit intervals,
tests, multiplicity) and design-based GLMs, agreeing with R's ``survey`` package. It knows nothing
about CIPS and imports nothing from the rest of cipslib."""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for type checkers and editors; at run time each name is imported on first use
    from .design import SurveyDesign
    from .errors import DesignError
    from .inference import compare_independent, difference_table, holm, logit_interval, welch_df
    from .regression import glm

__all__ = [
    "DesignError",
    "SurveyDesign",
    "compare_independent",
    "glm",
    "holm",
    "logit_interval",
    "difference_table",
    "welch_df",
]

# The public names and their modules, imported on first use (PEP 562): ``cipslib.errors`` needs
# only ``DesignError`` (``survey.errors``), not the design's scipy and statsmodels.
_LAZY = {
    "DesignError": ".errors",
    "SurveyDesign": ".design",
    "compare_independent": ".inference",
    "difference_table": ".inference",
    "glm": ".regression",
    "holm": ".inference",
    "logit_interval": ".inference",
    "welch_df": ".inference",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
