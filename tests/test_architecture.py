"""The layout holds: stages import only lower stages, no module imports itself back in a circle, and
importing cipslib leaves an analyst's plotting set-up alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "cipslib"
# lowest first; a module may import from its own stage and the stages before it
STAGES = [
    "survey",
    "errors",
    "files",
    "parallel",
    "inputs",
    "text",
    "questionnaire",
    "analysis",
    "exchange",
    "benchmark",
    "report",
    "cli",
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The cipslib modules a file imports, at any depth of the file (lazy imports count too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("cipslib"):
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("cipslib")}
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    return {m for m in found if m in modules and m != name}


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_lower_stages_never_import_higher_ones():
    wrong = []
    for module, targets in _graph().items():
        stage = _stage(module)
        if stage is None:
            continue
        for target in targets:
            other = _stage(target)
            if other is not None and STAGES.index(other) > STAGES.index(stage):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_the_survey_stage_imports_nothing_else_of_cipslib():
    graph = _graph()
    outside = {
        t for m, ts in graph.items() if _stage(m) == "survey" for t in ts if _stage(t) != "survey"
    }
    assert outside == set()


def test_no_import_cycle():
    graph = {m: {t for t in ts if not t.endswith("__init__")} for m, ts in _graph().items()}
    # a package's __init__ re-exports its modules: an edge into a package means an edge into its
    # __init__
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, path: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt == "cipslib" or node.startswith(nxt + "."):
                # a module may use its own package's re-exports (``from . import __version__``)
                continue
            if state.get(nxt) == 1:
                cycle.extend(path + [nxt])
                return True
            if state.get(nxt) is None and visit(nxt, path + [nxt]):
                return True
        state[node] = 2
        return False

    for module in sorted(graph):
        if state.get(module) is None and visit(module, [module]):
            break
    assert cycle == []


@pytest.mark.slow
def test_importing_cipslib_leaves_matplotlib_as_it_was():
    script = """
import importlib, pkgutil, matplotlib
matplotlib.use("svg")
before = (matplotlib.get_backend(), dict(matplotlib.rcParams))
import cipslib
for m in pkgutil.walk_packages(cipslib.__path__, "cipslib."):
    if not m.name.endswith("__main__"):
        importlib.import_module(m.name)
after = (matplotlib.get_backend(), dict(matplotlib.rcParams))
changed = [k for k in before[1] if before[1][k] != after[1][k]]
print(before[0], after[0], changed)
assert before[0] == after[0] and not changed
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_charts_package_exports_every_chart():
    """Each public function of a module of ``cipslib.report.charts`` is imported from the package
    itself (``from cipslib.report.charts import likert_pair``) and is the module's own object: a
    chart added to a module but not to the package's ``__init__`` fails here."""
    import importlib
    import inspect
    import pkgutil

    import cipslib.report.charts as charts

    functions = {}
    for info in pkgutil.iter_modules(charts.__path__):
        module = importlib.import_module(f"{charts.__name__}.{info.name}")
        functions |= {
            name: obj
            for name, obj in vars(module).items()
            if inspect.isfunction(obj)
            and obj.__module__ == module.__name__
            and not name.startswith("_")
        }
    assert {"likert_pair", "factor_dots", "driver_grid", "unit_dots", "styled"} <= set(functions)
    missing = sorted(n for n, f in functions.items() if getattr(charts, n, None) is not f)
    assert missing == []
    assert sorted(set(charts.__all__) - set(dir(charts))) == []
    assert set(functions) <= set(charts.__all__)


def test_drawing_a_chart_leaves_rcparams_and_pyplot_alone(codebook, findings_2024):
    import matplotlib
    import matplotlib.pyplot as plt

    from cipslib.report.charts import factor_dots

    before = dict(matplotlib.rcParams)
    figures = plt.get_fignums()
    fig = factor_dots(findings_2024, codebook, {}, "en")
    assert fig is not None and fig.axes
    assert dict(matplotlib.rcParams) == before and plt.get_fignums() == figures
    fig2, ax = plt.subplots()
    assert (
        factor_dots(findings_2024, codebook, {}, "en", ax=ax) is fig2
    )  # draws on the analyst's axes
    plt.close(fig2)


def test_the_public_api_has_runnable_examples():
    """Every name an analyst imports from cipslib, cipslib.survey and cipslib.report, and every verb
    of SurveyDesign, carries a numpydoc Examples section (run as a doctest by the suite)."""
    import inspect

    import cipslib
    import cipslib.report
    import cipslib.survey
    from cipslib.report.render import render

    objects = {f"cipslib.{n}": getattr(cipslib, n) for n in cipslib.__all__ if n != "__version__"}
    objects |= {f"cipslib.survey.{n}": getattr(cipslib.survey, n) for n in cipslib.survey.__all__}
    objects |= {f"cipslib.report.{n}": getattr(cipslib.report, n) for n in cipslib.report.__all__}
    objects["cipslib.report.render.render"] = render
    verbs = (
        "rake",
        "poststratify",
        "calibrate",
        "trim",
        "mean",
        "total",
        "proportion",
        "difference",
        "weight_summary",
    )
    objects |= {f"SurveyDesign.{v}": getattr(cipslib.SurveyDesign, v) for v in verbs}
    lacking = [
        name
        for name, obj in objects.items()
        if "Examples\n--------\n>>>" not in (inspect.getdoc(obj) or "")
    ]
    assert lacking == []
