"""cipslib: analysis toolkit for the WCO Customs Integrity Perception Survey (CIPS).

Load a cycle's survey export through the questionnaire codebook, check it, screen its quality,
weight it to the staff population, compute design-based estimates that agree with R's survey
package, and turn them into integrity findings (factor scores, comparisons, trends, words vs action,
key findings, PMM KPIs) under disclosure control.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader as _lazy

if TYPE_CHECKING:  # for type checkers and editors; at run time each name is imported on first use
    from .analysis.findings import Findings, Options, compute_findings
    from .analysis.pipeline import analyse
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

# The public names by module, imported on first use (PEP 562, with lazy_loader): ``import
# cipslib`` stays cheap, so ``cips`` and a render's own process (which only starts the notebook's
# kernel) do not import the analysis stack (scipy, statsmodels, pingouin, matplotlib: over 1 s).
_LAZY = {
    "analysis.findings": ["Findings", "Options", "compute_findings"],
    "analysis.pipeline": ["analyse"],
    "analysis.prepare": ["PreparedCycle", "prepare_cycle"],
    "analysis.quality": ["QualityReport", "screen"],
    "analysis.weighting": ["weight_cycle"],
    "errors": ["CipsDataError", "CipsError", "Problem"],
    "inputs.codebook": ["Codebook", "load_codebook"],
    "inputs.demo": ["demo_cycle", "demo_data"],
    "inputs.loading": ["CycleData", "load_cycle", "load_responses", "save_responses"],
    "inputs.params": ["CycleParams", "load_params"],
    "inputs.population": ["Population", "load_population"],
    "survey": ["DesignError", "SurveyDesign", "compare_independent"],
}
# the subpackages and modules, also imported on first use (``import cipslib; cipslib.survey``)
_SUBMODULES = {"analysis", "cli", "errors", "files", "inputs", "lazy", "report", "survey", "text"}


__getattr__, __dir__, _ = _lazy.attach(__name__, sorted(_SUBMODULES), _LAZY)
