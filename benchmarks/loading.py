"""Seconds to load and screen the demo cycles, and to load a 2025-like export scaled up.

Run: .venv/bin/python benchmarks/loading.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

import cipslib
from cipslib.inputs.demo import demo_path
from cipslib.inputs.synthetic import simulate_cycle


def timed(label: str, fn, repeat: int = 3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<48s} {best:8.3f} s")
    return out


def main() -> None:
    cb = cipslib.load_codebook()
    timed("load codebook", cipslib.load_codebook)
    for cycle in (2024, 2025):
        data = timed(
            f"load demo {cycle} ({demo_path(cycle).suffix})",
            lambda c=cycle: cipslib.load_responses(demo_path(c), cb, c),
        )
        timed(f"quality screens {cycle} ({len(data)} rows)", lambda d=data: cipslib.screen(d, cb))
    raw = simulate_cycle(2025, cb)
    big = pd.concat([raw] * 10, ignore_index=True)
    big["respondent_id"] = [f"R{i:07d}" for i in range(len(big))]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.parquet"
        big.to_parquet(path)
        timed(
            f"load parquet export ({len(big)} rows)",
            lambda: cipslib.load_responses(path, cb, 2025),
            repeat=1,
        )


if __name__ == "__main__":
    main()
