"""Constructed survey exports for the findings tests: officials whose answers depend only on their
role."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import cipslib
from cipslib.analysis.prepare import PreparedCycle, prepare_data
from cipslib.analysis.scoring import load_indicators
from cipslib.inputs.codebook import load_codebook
from cipslib.inputs.population import load_population
from cipslib.text.sentences import render_finding

from .conftest import write_csv

ROLE_POPULATION = """group: official
title: constructed staff by role
source: test
illustrative: true
total: 10000
margins:
  role: {manager: 2000, non_manager: 8000}
"""


def constructed_export(
    codebook, cycle: int, n: int, manager_share: float, shift: float, seed: int
) -> pd.DataFrame:
    """n officials; every perception item is 3 + 1 for managers + ``shift`` (rounded at random) plus
    noise of -1, 0 or +1, clipped to 1..5. Attitudes within a role depend on ``shift`` only."""
    rng = np.random.default_rng(seed)
    managers = rng.random(n) < manager_share
    frame = {
        "respondent_id": [f"C{cycle}-{i:05d}" for i in range(n)],
        "cycle": cycle,
        "group": 1,
        "respondent_type": 1,
        "region": rng.integers(1, 7, n),
        "role": np.where(managers, 1, 2),
        "tenure": rng.integers(1, 4, n),
        "business_type": np.nan,
        "mode": 1,
    }
    items = codebook.items_for("official", cycle)
    for _, item in items.iterrows():
        if pd.isna(item["factor"]):
            frame[item["id"]] = np.nan
            continue
        base = 3 + managers + np.floor(shift + rng.random(n))
        frame[item["id"]] = np.clip(base + rng.integers(-1, 2, n), 1, 5).astype(float)
    return pd.DataFrame(frame)


def constructed_cycle(
    tmp_path: Path, codebook, cycle: int, n: int, manager_share: float, shift: float, seed: int
) -> PreparedCycle:
    path = write_csv(
        constructed_export(codebook, cycle, n, manager_share, shift, seed),
        tmp_path / f"constructed_{cycle}.csv",
    )
    pop_file = tmp_path / "role_population.yaml"
    pop_file.write_text(ROLE_POPULATION, encoding="utf-8")
    loaded = cipslib.load_cycle(path, codebook, cycle)
    return prepare_data(loaded, {"official": load_population(pop_file, codebook)})


def sentence(findings, finding: dict, language: str = "en") -> str:
    """A key finding's sentence as a report in ``language`` writes it (the findings hold its keys
    and numbers only)."""
    if findings.inputs is not None:
        cb, inds = findings.inputs.current.codebook, findings.inputs.definitions.indicators
    else:
        cb = load_codebook()
        inds = load_indicators(cb)
    return render_finding(finding, cb, inds, language)
