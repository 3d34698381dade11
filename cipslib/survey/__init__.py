"""Stage 1, survey statistics: a design object (weights, strata, PSUs, finite population
correction), its calibration (raking, post-stratification, linear calibration, trimming),
Taylor-linearised variance that accounts for the calibration, inference (t and logit intervals,
tests, multiplicity) and design-based GLMs, agreeing with R's ``survey`` package. It knows nothing
about CIPS and imports nothing from the rest of cipslib."""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

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
    "errors": ["DesignError"],
    "design": ["SurveyDesign"],
    "inference": ["compare_independent", "difference_table", "holm", "logit_interval", "welch_df"],
    "regression": ["glm"],
}


__getattr__, __dir__, _ = lazy_loader.attach(__name__, submod_attrs=_LAZY)
