"""cipslib: analysis toolkit for the WCO Customs Integrity Perception Survey (CIPS).

Load a cycle's survey export through the questionnaire codebook, check it, screen its quality,
weight it to the staff population, compute design-based estimates that agree with R's survey
package, and turn them into integrity findings (factor scores, comparisons, trends, words vs action,
key findings, PMM KPIs) under disclosure control.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

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

# The public names and their modules, imported on first use (PEP 562): ``import cipslib`` stays
# cheap, so ``cips`` and a render's own process (which only starts the notebook's kernel) do not
# import the analysis stack (scipy, statsmodels, pingouin, matplotlib: over a second).
# ``from cipslib import X``, ``cipslib.X`` and ``from cipslib import *`` work as before.
_LAZY = {
    "Findings": ".analysis.findings",
    "Options": ".analysis.findings",
    "analyse": ".analysis.pipeline",
    "compute_findings": ".analysis.findings",
    "PreparedCycle": ".analysis.prepare",
    "prepare_cycle": ".analysis.prepare",
    "QualityReport": ".analysis.quality",
    "screen": ".analysis.quality",
    "weight_cycle": ".analysis.weighting",
    "CipsDataError": ".errors",
    "CipsError": ".errors",
    "Problem": ".errors",
    "Codebook": ".inputs.codebook",
    "load_codebook": ".inputs.codebook",
    "demo_cycle": ".inputs.demo",
    "demo_data": ".inputs.demo",
    "CycleData": ".inputs.loading",
    "load_cycle": ".inputs.loading",
    "load_responses": ".inputs.loading",
    "save_responses": ".inputs.loading",
    "CycleParams": ".inputs.params",
    "load_params": ".inputs.params",
    "Population": ".inputs.population",
    "load_population": ".inputs.population",
    "DesignError": ".survey",
    "SurveyDesign": ".survey",
    "compare_independent": ".survey",
}
# the subpackages and modules, also imported on first use (``import cipslib; cipslib.survey``)
_SUBMODULES = {"analysis", "cli", "errors", "files", "inputs", "report", "survey", "text"}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(_import_module(_LAZY[name], __name__), name)
    elif name in _SUBMODULES:
        value = _import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
