"""The package as a user installs it: the built wheel in a fresh virtual environment, used from a
folder outside the checkout, with a broken ``python3`` kernelspec on ``JUPYTER_PATH``."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow  # a wheel built and installed in a new environment, renders


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(dist.glob("cipslib-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    # --no-compile: pip's byte-compiling of every installed module is half the install's time
    # (and never fails it); the modules the commands import are compiled as they are imported
    subprocess.run(
        [
            env / "bin" / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "-c",
            str(ROOT / "constraints.txt"),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env


@pytest.fixture(scope="module")
def user_folder(tmp_path_factory) -> Path:
    """A user's folder outside the checkout: their params files, and a kernelspec named python3 that
    cannot start (as a conda base or a stale user kernelspec may be)."""
    home = tmp_path_factory.mktemp("user")
    shutil.copytree(ROOT / "params", home / "params")
    kernel = home / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(
        json.dumps(
            {
                "argv": ["/bin/false", "{connection_file}"],
                "display_name": "broken",
                "language": "python",
            }
        )
    )
    return home


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))
    }
    env["JUPYTER_PATH"] = str(cwd / "jupyter")
    return subprocess.run(
        [str(venv / "bin" / "cips"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def test_installed_cips_renders_from_outside_the_checkout(venv, user_folder):
    done = _run(venv, user_folder, "render", "params/2025.yaml", "--format", "html,pdf", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""  # --quiet prints errors only
    folder = user_folder / "reports" / "2025"
    assert {p.suffix for p in folder.iterdir()} >= {".html", ".pdf", ".json", ".ipynb"}
    page = next(folder.glob("*.html")).read_text(encoding="utf-8")
    assert "1. Summary" in page and "Traceback" not in page


def test_installed_demo_data_writes_into_the_current_folder(venv, user_folder):
    site = next((venv / "lib").glob("python*/site-packages")) / "cipslib"
    before = _tree_digest(site)
    done = _run(venv, user_folder, "demo-data")
    assert done.returncode == 0, done.stderr
    assert (user_folder / "cips_2024.csv").exists() and (user_folder / "cips_2025.sav").exists()
    assert _tree_digest(site) == before


def test_installed_check_of_a_missing_file(venv, user_folder):
    done = _run(venv, user_folder, "check", "missing.csv", "--cycle", "2025")
    assert done.returncode == 2
    assert done.stdout == "" and "missing.csv" in done.stderr and "Traceback" not in done.stderr


def test_every_third_party_import_is_a_declared_dependency(wheel):
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        requires = Parser().parsestr(zf.read(meta).decode()).get_all("Requires-Dist") or []
        sources = [zf.read(n).decode() for n in zf.namelist() if n.endswith(".py")]
        shipped = set(zf.namelist())
    declared = {
        r.split(";")[0]
        .split("[")[0]
        .split("<")[0]
        .split(">")[0]
        .split("=")[0]
        .strip()
        .lower()
        .replace("_", "-")
        for r in requires
        if "extra ==" not in r
    }
    imported = set()
    for text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    dists = packages_distributions()
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m != "cipslib"}
    missing = {
        m
        for m in third_party
        if not {d.lower().replace("_", "-") for d in dists.get(m, [m])} & declared
    }
    assert missing == set()
    assert "cipslib/report/notebooks/findings_report.ipynb" in shipped
    assert "cipslib/report/report.css" in shipped and "cipslib/text/catalogues/uk.yaml" in shipped
