"""Stage 1, survey statistics: a design object (weights, strata, PSUs, finite population
correction), its calibration (raking, post-stratification, linear calibration, trimming),
Taylor-linearised variance that accounts for the calibration, inference (t and logit intervals,
tests, multiplicity) and design-based GLMs, agreeing with R's ``survey`` package. It knows nothing
about CIPS and imports nothing from the rest of cipslib."""

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
