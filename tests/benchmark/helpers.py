"""Packages for the benchmark's tests, and the estimates cipslib's national path gives on their
rows (scoring.py's respondent scores, SurveyDesign's means and proportions): the reference the
pooled SQL must reproduce."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.benchmark_pool import random_share
from cipslib.analysis.scoring import factor_scores, indicator_values, item_scores, load_indicators
from cipslib.exchange.package import TABLE, write_package
from cipslib.inputs.codebook import load_codebook
from cipslib.survey import SurveyDesign


def make(folder: Path, code: str, cycle: int, n: int = 300, seed: int = 0, drop=(), **kw) -> Path:
    """A package of random answers in ``folder/<code>-<cycle>`` (``drop``: item columns left
    out, as a questionnaire without them)."""
    share = random_share(code, cycle, n, seed, **kw)
    share.table = share.table.drop(columns=list(drop))
    out = folder / f"{code}-{cycle}"
    write_package(share, out)
    return out


def read(package: Path) -> pd.DataFrame:
    return pq.read_table(package / TABLE).to_pandas()


def rewrite(package: Path, table: pd.DataFrame | None = None, checksum: bool = True, **cips):
    """Write ``table`` as the package's table (its checksum and schema fields updated unless
    ``checksum`` is false) and set ``cips`` metadata."""
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    if table is not None:
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), package / TABLE)
        if checksum:
            data = (package / TABLE).read_bytes()
            descriptor["resources"][0]["sha256"] = hashlib.sha256(data).hexdigest()
    descriptor["cips"].update(cips)
    path.write_text(json.dumps(descriptor), encoding="utf-8")


def scored(table: pd.DataFrame) -> pd.DataFrame:
    """The package's rows with every measure as the national path computes it: factor indices
    (``factor_index.K``) and indicators (``indicator.ID``, 0/1, for the groups each names)."""
    core = load_codebook()
    items = core.items[core.items["parent"].isna()].drop_duplicates("key", keep="last")
    ids = {k: i for k, i in zip(items["key"], items["id"], strict=True) if k in table.columns}
    data = table.rename(columns=ids)
    data["group"] = data["instrument"]
    fav, score = item_scores(data, core)
    index, _ = factor_scores(data, core, fav, score)
    indicators = load_indicators(core)
    values = indicator_values(data, core, indicators)
    out = table[["administration", "cycle", "instrument", "stratum", "weight"]].copy()
    for k in index.columns:
        out[f"factor_index.{k}"] = index[k].to_numpy()
    for iid, ind in indicators.items():
        if iid in values.columns:
            v = values[iid].where(data["instrument"].isin(ind.groups))
            out[f"indicator.{iid}"] = v.to_numpy()
    return out


def reference(frame: pd.DataFrame, strata: str = "stratum") -> pd.DataFrame:
    """SurveyDesign's estimates per instrument of every measure column of ``frame`` (one design:
    weights fixed, ``strata``, each respondent a PSU), indicators in percent with their logit
    interval."""
    design = SurveyDesign(frame, weights="weight", strata=strata)
    measures = [c for c in frame.columns if c.startswith(("factor_index.", "indicator."))]
    factors = [c for c in measures if c.startswith("factor_index.")]
    parts = [design.mean(factors, by="instrument").rename(columns={"variable": "measure"})]
    for c in measures:
        if c in factors or frame[c].notna().sum() == 0:
            continue
        p = design.proportion(c, by="instrument")
        p = p[p["level"] == 1.0].drop(columns="level").rename(columns={"variable": "measure"})
        for col in ("estimate", "se", "ci_low", "ci_high"):
            p[col] = p[col] * 100.0
        parts.append(p)
    out = pd.concat(parts, ignore_index=True)
    return out[out["n"] > 0][
        ["instrument", "measure", "estimate", "se", "ci_low", "ci_high", "df", "n"]
    ]


def package_reference(package: Path) -> pd.DataFrame:
    frame = scored(read(package))
    out = reference(frame)
    out.insert(0, "cycle", int(frame["cycle"].iloc[0]))
    out.insert(0, "administration", str(frame["administration"].iloc[0]))
    return out


def assert_same(mine: pd.DataFrame, ref: pd.DataFrame, keys: list[str], tol: float = 1e-9):
    """Every reference row has its row in ``mine`` and the other way round; values agree."""
    both = ref.merge(mine, on=keys, how="outer", suffixes=("_ref", ""), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"][keys]
    for c in ("estimate", "se", "ci_low", "ci_high"):
        a, b = both[f"{c}_ref"].to_numpy(float), both[c].to_numpy(float)
        assert np.allclose(a, b, rtol=0, atol=tol, equal_nan=True), (c, np.nanmax(abs(a - b)))
    for c in ("df", "n"):
        assert (both[f"{c}_ref"].astype(int) == both[c].astype(int)).all(), c
