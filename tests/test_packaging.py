"""The install is reproducible: pip and conda list the same dependencies; package data ships."""

from __future__ import annotations

import re
import tomllib

import yaml

from cipslib.inputs.codebook import shipped_codebook_path
from cipslib.inputs.demo import DEMO_FILES, demo_dir

from .conftest import ROOT

CONDA_NAMES = {"matplotlib-base": "matplotlib", "python-duckdb": "duckdb"}  # conda-forge -> PyPI


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(req: str) -> str:
    return req.strip()[len(_name(req)) :].replace(" ", "")


def test_conda_and_pip_dependencies_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    pip_deps = {_name(r): _spec(r) for r in reqs}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {
        CONDA_NAMES.get(_name(d), _name(d)): _spec(d)
        for d in env["dependencies"]
        if isinstance(d, str) and _name(d) not in ("python", "pip")
    }
    assert conda == pip_deps
    assert "matplotlib-base" in {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    assert project["requires-python"] == ">=3.11"


def test_required_runtime_dependencies_are_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = {_name(r) for r in project["dependencies"]}
    for needed in (
        "pandas",
        "numpy",
        "scipy",
        "pingouin",
        "seaborn",
        "matplotlib",
        "papermill",
        "nbconvert",
        "ipykernel",
        "jupyterlab",
        "pyyaml",
        "babel",
        "openpyxl",
        "pyreadstat",
        "pyarrow",
        "duckdb",
    ):
        assert needed in deps
    assert project["scripts"]["cips"] == "cipslib.cli:main"


def test_package_data_is_present():
    assert shipped_codebook_path().exists()
    for name in DEMO_FILES.values():
        assert (demo_dir() / name).stat().st_size > 10_000


def test_readme_gives_the_ci_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make report" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
