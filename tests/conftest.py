from __future__ import annotations

import fcntl
import hashlib
import numbers
import os
import pickle
import re
import sys
from pathlib import Path, PurePath

import numpy as np
import pandas as pd
import pytest

import cipslib
from cipslib.inputs.synthetic import simulate_cycle

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params"

# nbformat validates with jsonschema, which builds rfc3987_syntax's lark grammars when that is
# importable (seconds in every test process), for the ``iri`` format that notebook validation never
# checks; cips render imports papermill the same way
# (cipslib.report.render.execute._import_papermill)
sys.modules.setdefault("rfc3987_syntax", None)


# -- session fixtures: built once per test run ----------------------------------------------------
# Built by the first test process that needs one; in a parallel run (pytest-xdist) the other
# workers read a pickled copy of it (_shared). Read-only: a test that changes one works on a copy
# (copy.deepcopy, dataclasses.replace, DataFrame.copy); after each module that used one, its
# contents are checked (_shared_unchanged).

_SHARED: dict[str, tuple[object, dict[str, str]]] = {}


def _digest(value) -> str:
    """A digest of an array's or a pandas object's values, labels and dtypes."""
    h = hashlib.sha256()
    if isinstance(value, np.ndarray):
        h.update(f"{value.dtype}{value.shape}".encode())
        h.update(value.tobytes() if value.dtype != object else repr(value.tolist()).encode())
        return h.hexdigest()
    frame = value.to_frame(index=False) if isinstance(value, pd.Index) else pd.DataFrame(value)
    h.update(repr(list(frame.columns)).encode() + repr([str(t) for t in frame.dtypes]).encode())
    for col in range(frame.shape[1]):
        column = frame.iloc[:, col]
        try:
            h.update(pd.util.hash_pandas_object(column, index=True).to_numpy().tobytes())
        except TypeError:  # unhashable cells (lists)
            h.update(repr(list(column.items())).encode())
    return h.hexdigest()


def _state(value, path: str = "", out: dict | None = None, seen: set | None = None) -> dict:
    """What a shared object holds, as {path: digest}: its tables, arrays, values and containers,
    reached through public attributes (private ones are caches)."""
    out = {} if out is None else out
    seen = set() if seen is None else seen
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index, np.ndarray)):
        out[path] = _digest(value)
    elif value is None or isinstance(value, (str, bytes, bool, numbers.Number, PurePath)):
        out[path] = repr(value)
    elif id(value) in seen:
        pass
    else:
        seen.add(id(value))
        if isinstance(value, dict):
            out[path + "{}"] = repr(sorted(map(repr, value)))
            for key, item in value.items():
                _state(item, f"{path}[{key!r}]", out, seen)
        elif isinstance(value, (list, tuple)):
            out[path + "#"] = str(len(value))
            for i, item in enumerate(value):
                _state(item, f"{path}[{i}]", out, seen)
        elif isinstance(value, (set, frozenset)):
            out[path] = repr(sorted(map(repr, value)))
        elif hasattr(value, "__dict__"):
            for key, item in vars(value).items():
                if not key.startswith("_"):
                    _state(item, f"{path}.{key}", out, seen)
        else:
            out[path] = type(value).__name__
    return out


def _shared(name: str, make, tmp_path_factory):
    """``make()``, built once per run: alone, here; in a pytest-xdist worker, by the first worker
    that asks for it (under a lock), which leaves a pickled copy that the other workers load (it
    takes milliseconds where building takes seconds). An object that does not pickle is built by
    each worker that needs it."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        value = make()
    else:
        # the run's temporary folder, above each worker's own
        folder = tmp_path_factory.getbasetemp().parent / "shared-fixtures"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.pickle"
        with open(folder / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
            if path.exists():
                value = pickle.loads(path.read_bytes())
            else:
                value = make()
                try:
                    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 (not picklable: each worker builds its own)
                    data = None
                if data is not None:
                    part = path.with_suffix(".part")
                    part.write_bytes(data)
                    part.replace(path)
    _SHARED[name] = (value, _state(value))
    return value


def _changes(name: str) -> list[str]:
    """The paths of a shared object whose contents differ from when it was built (attributes added
    since, such as cached properties, are not changes)."""
    value, before = _SHARED[name]
    after = _state(value)
    return [path for path, digest in before.items() if after.get(path) != digest]


@pytest.fixture(scope="module", autouse=True)
def _shared_unchanged(request):
    """Fails the module that changed an object of a shared session fixture (the tests after it
    would read the change)."""
    yield
    module = request.module
    used = {
        name
        for item in request.session.items
        if getattr(item, "module", None) is module
        for name in getattr(item, "fixturenames", ())
    }
    changed = {name: _changes(name) for name in sorted(used & _SHARED.keys())}
    changed = {name: paths for name, paths in changed.items() if paths}
    if changed:
        what = "; ".join(f"{name} ({', '.join(paths[:5])})" for name, paths in changed.items())
        pytest.fail(f"{module.__name__} changed shared session fixtures: {what}", pytrace=False)


@pytest.fixture(scope="session")
def codebook(tmp_path_factory):
    return _shared("codebook", cipslib.load_codebook, tmp_path_factory)


@pytest.fixture(scope="session")
def demo2024(tmp_path_factory):
    return _shared("demo2024", lambda: cipslib.demo_cycle(2024), tmp_path_factory)


@pytest.fixture(scope="session")
def demo2025(tmp_path_factory):
    return _shared("demo2025", lambda: cipslib.demo_cycle(2025), tmp_path_factory)


@pytest.fixture(scope="session")
def raw2024(codebook, tmp_path_factory) -> pd.DataFrame:
    """The 2024 export as the generator produces it (numeric codes, canonical column names)."""
    return _shared("raw2024", lambda: simulate_cycle(2024, codebook), tmp_path_factory)


@pytest.fixture(scope="session")
def raw2025(codebook, tmp_path_factory) -> pd.DataFrame:
    """The 2025 export as the generator produces it; a test that changes it takes a copy."""
    return _shared("raw2025", lambda: simulate_cycle(2025, codebook), tmp_path_factory)


def write_csv(frame: pd.DataFrame, path: Path, sep: str = ",", encoding: str = "utf-8") -> Path:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    out.to_csv(path, sep=sep, index=False, encoding=encoding)
    return path


@pytest.fixture(scope="session")
def prepared_2024(tmp_path_factory):
    """``prepare_cycle(params/2024.yaml)``: the 2024 demo loaded, screened and weighted."""
    from cipslib.analysis.prepare import prepare_cycle

    return _shared("prepared_2024", lambda: prepare_cycle(PARAMS / "2024.yaml"), tmp_path_factory)


@pytest.fixture(scope="session")
def prepared_2025(tmp_path_factory):
    """``prepare_cycle(params/2025.yaml)``."""
    from cipslib.analysis.prepare import prepare_cycle

    return _shared("prepared_2025", lambda: prepare_cycle(PARAMS / "2025.yaml"), tmp_path_factory)


@pytest.fixture(scope="session")
def findings_2024(tmp_path_factory):
    """``analyse(params/2024.yaml)``."""
    from cipslib.analysis.pipeline import analyse

    return _shared("findings_2024", lambda: analyse(PARAMS / "2024.yaml"), tmp_path_factory)


@pytest.fixture(scope="session")
def findings_2025(tmp_path_factory):
    """``analyse(params/2025.yaml)``: with its trends since 2024."""
    from cipslib.analysis.pipeline import analyse

    return _shared("findings_2025", lambda: analyse(PARAMS / "2025.yaml"), tmp_path_factory)


@pytest.fixture(scope="session")
def findings_2025_alone(prepared_2025, tmp_path_factory):
    """``compute_findings`` of the prepared 2025 demo alone (no previous cycle, no trends)."""
    from cipslib.analysis.findings import compute_findings

    return _shared("findings_2025_alone", lambda: compute_findings(prepared_2025), tmp_path_factory)


@pytest.fixture(scope="session")
def units_2025(prepared_2025, prepared_2024, tmp_path_factory):
    """``compute_units`` of the prepared 2025 demo by region, with changes since 2024."""
    from cipslib.analysis.units import compute_units

    return _shared(
        "units_2025",
        lambda: compute_units(prepared_2025, "region", prepared_2024),
        tmp_path_factory,
    )


@pytest.fixture(scope="session")
def report_2024_en(tmp_path_factory):
    """``Report.build(params/2024.yaml, "en")``."""
    from cipslib.report.blocks import Report

    return _shared(
        "report_2024_en", lambda: Report.build(PARAMS / "2024.yaml", "en"), tmp_path_factory
    )


@pytest.fixture(scope="session")
def report_2025_en(tmp_path_factory):
    """``Report.build(params/2025.yaml, "en")``: with 2024 as its previous cycle."""
    from cipslib.report.blocks import Report

    return _shared(
        "report_2025_en", lambda: Report.build(PARAMS / "2025.yaml", "en"), tmp_path_factory
    )


# -- tiers and parallel runs -----------------------------------------------------------------------
# ``slow``: end-to-end renders and other tests of several seconds (make check leaves them out).
# Doctests are marked here when they compute a cycle's findings or unit figures, or render.
HEAVY_DOCTEST = re.compile(
    r"\b(render|analyse|compute_findings|compute_units|national_report"
    r"|(Report|UnitReport|Comparison)\.build)\("
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        dtest = getattr(item, "dtest", None)  # a doctest
        if dtest is not None and any(HEAVY_DOCTEST.search(ex.source) for ex in dtest.examples):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)  # before the worker reports its collection
def pytest_collection_finish(session):
    """In a worker of a parallel run (``--dist loadscope``: a module's tests run in one worker, one
    after the other, so its module-scoped fixtures are built once): the modules with slow tests
    first, so that the long renders start at once and the quick modules fill the end of the run.
    The scheduler hands out the modules in this order (``--no-loadscope-reorder``)."""
    if not hasattr(session.config, "workerinput"):
        return
    slow = {item.nodeid.split("::")[0] for item in session.items if item.get_closest_marker("slow")}
    session.items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)  # stable
