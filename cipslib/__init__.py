"""cipslib: analysis toolkit for the WCO Customs Integrity Perception Survey (CIPS).

Load a cycle's survey export through the questionnaire codebook, check it, screen its quality, weight it
to the staff population and compute design-based estimates that agree with R's survey package.
"""

from .codebook import Codebook, load_codebook
from .demo import demo_cycle, demo_data
from .design import SurveyDesign, compare_independent
from .errors import CipsDataError, CipsError, Problem
from .loading import CycleData, load_cycle, load_responses
from .params import CycleParams, load_params
from .population import Population, load_population
from .quality import QualityReport, screen
from .weighting import weight_cycle

__version__ = "0.1.0"

__all__ = [
    "CipsDataError", "CipsError", "Codebook", "CycleData", "CycleParams", "Population", "Problem",
    "QualityReport", "SurveyDesign", "__version__", "compare_independent", "demo_cycle", "demo_data",
    "load_codebook", "load_cycle", "load_params", "load_population", "load_responses", "screen", "weight_cycle",
]
