"""cipslib: analysis toolkit for the WCO Customs Integrity Perception Survey (CIPS).

Load a cycle's survey export through the questionnaire codebook, check it, screen its quality, weight it
to the staff population, compute design-based estimates that agree with R's survey package, and turn them
into integrity findings (factor scores, comparisons, trends, words vs action, key findings, PMM KPIs) under
disclosure control.
"""

from .codebook import Codebook, load_codebook
from .demo import demo_cycle, demo_data
from .design import SurveyDesign, compare_independent
from .errors import CipsDataError, CipsError, Problem
from .findings import Findings, Options, analyse, compute_findings
from .loading import CycleData, load_cycle, load_responses, save_responses
from .params import CycleParams, load_params
from .pipeline import PreparedCycle, prepare_cycle
from .population import Population, load_population
from .quality import QualityReport, screen
from .weighting import weight_cycle

__version__ = "0.1.0"

__all__ = [
    "CipsDataError", "CipsError", "Codebook", "CycleData", "CycleParams", "Findings", "Options", "Population",
    "PreparedCycle", "Problem", "QualityReport", "SurveyDesign", "__version__", "analyse", "compare_independent",
    "compute_findings", "demo_cycle", "demo_data", "load_codebook", "load_cycle", "load_params", "load_population",
    "load_responses", "prepare_cycle", "save_responses", "screen", "weight_cycle",
]
