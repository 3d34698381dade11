"""Time to compute the whole result set of the 2025 demo cycle (every factor, item, subgroup and
trend).

Loading, quality screens and weighting are timed separately; the goal is for the findings themselves
(compute_findings with the 2024 cycle as previous) to take under one second. Prints the best of
several runs and the median, as figures, not as a test.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from cipslib.analysis.findings import compute_findings
from cipslib.analysis.prepare import prepare_cycle

PARAMS = Path(__file__).resolve().parents[1] / "params"


def main(repeats: int = 7) -> None:
    t0 = time.perf_counter()
    current = prepare_cycle(PARAMS / "2025.yaml")
    previous = prepare_cycle(PARAMS / "2024.yaml")
    prep = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fnd = compute_findings(current, previous)
        times.append(time.perf_counter() - t)
    rows = sum(len(t) for t in fnd.tables.values())
    print(f"respondents: {len(current.data):,} (2025) + {len(previous.data):,} (2024)")
    print(f"load, screen and weight both cycles: {prep:.2f} s")
    print(
        f"compute_findings: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
        f"over {repeats} runs ({rows:,} table rows, {len(fnd.key_findings)} key findings)"
    )


if __name__ == "__main__":
    main()
