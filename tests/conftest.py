from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import cipslib
from cipslib.inputs.synthetic import simulate_cycle

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def codebook():
    return cipslib.load_codebook()


@pytest.fixture(scope="session")
def demo2024():
    return cipslib.demo_cycle(2024)


@pytest.fixture(scope="session")
def demo2025():
    return cipslib.demo_cycle(2025)


@pytest.fixture(scope="session")
def raw2024(codebook) -> pd.DataFrame:
    """The 2024 export as the generator produces it (numeric codes, canonical column names)."""
    return simulate_cycle(2024, codebook)


def write_csv(frame: pd.DataFrame, path: Path, sep: str = ",", encoding: str = "utf-8") -> Path:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    out.to_csv(path, sep=sep, index=False, encoding=encoding)
    return path
