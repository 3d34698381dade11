"""cipslib: analysis toolkit for the WCO Customs Integrity Perception Survey (CIPS).

Load a cycle's survey export through the questionnaire codebook, check it, screen its quality,
weight it to the staff population, compute design-based estimates that agree with R's survey
package, and turn them into integrity findings (factor scores, comparisons, trends, words vs action,
key findings, PMM KPIs) under disclosure control.
"""

from .analysis.findings import Findings, Options, analyse, compute_findings
from .analysis.prepare import PreparedCycle, prepare_cycle
from .analysis.quality import QualityReport, screen
from .analysis.weighting import weight_cycle
from .errors import CipsDataError, CipsError, Problem
from .inputs.codebook import Codebook, load_codebook
from .inputs.demo import demo_cycle, demo_data
from .inputs.loading import CycleData, load_cycle, load_responses, save_responses
from .inputs.params import CycleParams, load_params
from .inputs.population import Population, load_population
from .survey import DesignError, SurveyDesign, compare_independent

__version__ = "0.1.0"

__all__ = [
    "CipsDataError",
    "CipsError",
    "Codebook",
    "CycleData",
    "DesignError",
    "CycleParams",
    "Findings",
    "Options",
    "Population",
    "PreparedCycle",
    "Problem",
    "QualityReport",
    "SurveyDesign",
    "__version__",
    "analyse",
    "compare_independent",
    "compute_findings",
    "demo_cycle",
    "demo_data",
    "load_codebook",
    "load_cycle",
    "load_params",
    "load_population",
    "load_responses",
    "prepare_cycle",
    "save_responses",
    "screen",
    "weight_cycle",
]
