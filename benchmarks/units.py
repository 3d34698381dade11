"""Unit reports: the cost of each extra unit in a ``cips render --by region`` batch.

Renders the 2025 demo cycle (HTML and PDF) from a cold process twice: the national report alone,
and the national report with one report per region. Prints both wall times, the number of units
and the extra seconds per unit (goal: at most 3 s on 2 cores), each the best of ``--repeat`` runs.

Run: .venv/bin/python benchmarks/units.py [--repeat 2] [--jobs 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cold(extra: list[str]) -> tuple[float, Path]:
    out = Path(tempfile.mkdtemp(prefix="cips-units-bench-"))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cipslib", "render", str(ROOT / "params" / "2025.yaml"),
         "--out", str(out), "--quiet", *extra],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - start, out / "2025"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    national = min(cold([])[0] for _ in range(args.repeat))
    runs = [cold(["--by", "region", "--jobs", str(args.jobs)]) for _ in range(args.repeat)]
    batch = min(t for t, _ in runs)
    units = len(json.loads((runs[0][1] / "units.json").read_text(encoding="utf-8"))["units"])
    print(f"national report alone (HTML + PDF):       {national:6.1f} s")
    print(f"with one report per region ({units} units):   {batch:6.1f} s  (--jobs {args.jobs})")
    print(f"each extra unit:                          {(batch - national) / units:6.2f} s")


if __name__ == "__main__":
    main()
