"""The benchmark of a pool of exchange packages at scale: synthetic packages (random answers,
written by the exchange writer) for 0.3M and 2.8M respondents (the second: every WCO member, 186
administrations x 3 iterations x 5,000 respondents), then ``cips benchmark``'s work on them.

Prints, per size, the seconds (wall, and CPU of every thread, with the machine's load: on a
shared machine the wall time says as much about the others as about the benchmark) and the peak
memory (the resident set of the process that runs :func:`cipslib.benchmark.output.benchmark`,
DuckDB included: a fresh process per size, imports included, the packages' making not). The target
at 2.8M rows on 2 cores: 20 s and 2 GiB.

Run: .venv/bin/python benchmarks/benchmark_pool.py [--administrations 20 186] [--iterations 3]
[--respondents 5000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cipslib.exchange.package import Share, core_version, write_package
from cipslib.inputs.codebook import Codebook, load_codebook

FIRST_CYCLE = 2019
MISSING = 0.05  # share of answers left missing (don't know, refusal, not answered)


def core_items(core: Codebook) -> pd.DataFrame:
    """The core items, one row per key (the last item with the key), as a package holds them."""
    items = core.items[core.items["parent"].isna()]
    return items.drop_duplicates("key", keep="last").reset_index(drop=True)


def random_share(
    code: str,
    cycle: int,
    n: int,
    seed: int,
    core: Codebook | None = None,
    lean: float | None = None,
    counts: dict[str, int] | None = None,
    missing: float = MISSING,
) -> Share:
    """A package's contents with random answers: ``n`` respondents of the core codebook's
    instruments (3 in 5 officials, or ``counts`` per instrument), positive weights, each core
    item asked of its instruments answered on its core scale, ``lean`` tilting answers up the
    scale (random when None), a share ``missing`` of the answers left missing.

    Examples
    --------
    >>> s = random_share("Z01", 2024, 50, seed=1)
    >>> len(s.table), s.meta["administration"], bool((s.table["weight"] > 0).all())
    (50, 'Z01', True)
    """
    core = core if core is not None else load_codebook()
    rng = np.random.default_rng(seed)
    groups = list(core.instruments)
    if counts is None:
        instrument = rng.choice(groups, size=n, p=[0.6, 0.4] if len(groups) == 2 else None)
    else:
        instrument = rng.permutation(np.repeat(list(counts), list(counts.values())))
    n = len(instrument)
    table = pd.DataFrame(
        {
            "administration": code,
            "cycle": int(cycle),
            "instrument": instrument,
            "stratum": instrument,
            "weight": rng.uniform(0.5, 1.5, n) * 20.0,
        }
    )
    lean = rng.normal(0.0, 0.4) if lean is None else lean
    for _, item in core_items(core).iterrows():
        codes = np.array(core.scales[item["scale"]].codes, dtype=float)
        p = np.exp(lean * np.arange(len(codes)))
        values = rng.choice(codes, size=n, p=p / p.sum())
        asked = np.isin(instrument, list(item["instruments"])) & (rng.random(n) >= missing)
        table[item["key"]] = pd.array(np.where(asked, values, np.nan), dtype="Float64")
    meta = {
        "administration": code,
        "cycle": int(cycle),
        "min_cell": 10,
        "codebook": "synthetic",
        "core": core_version(core),
        "left_out": [],
        "instruments": sorted(set(instrument)),
        "respondents": int(n),
    }
    return Share(table, meta=meta)


def make_pool(folder: Path, administrations: int, iterations: int, respondents: int) -> list[Path]:
    """Write ``administrations`` x ``iterations`` random packages into ``folder``."""
    core = load_codebook()
    out = []
    rng = np.random.default_rng(2026)
    for a in range(administrations):
        code = f"W{a + 1:03d}"
        lean = rng.normal(0.0, 0.4)
        for i in range(iterations):
            cycle = FIRST_CYCLE + 2 * i
            seed = a * 100 + i
            share = random_share(code, cycle, respondents, seed, core, lean + 0.05 * i)
            path = folder / f"{code}-{cycle}"
            write_package(share, path)
            out.append(path)
    return out


def run(folders: list[str], out: str) -> dict:
    """Time :func:`benchmark` on ``folders`` in this process (imports included): wall and CPU
    seconds (every thread's), its peak resident memory."""
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    start, start_cpu = time.perf_counter(), cpu()
    from cipslib.benchmark.output import benchmark

    result = benchmark(folders, out)
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "cpu": cpu_seconds, "peak_mib": peak, "rows": result.respondents}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--administrations", type=int, nargs="+", default=[20, 186])
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--respondents", type=int, default=5000)
    parser.add_argument("--keep", help="make the packages in this folder and keep them")
    parser.add_argument("--run", nargs="+", help=argparse.SUPPRESS)  # the measured child
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run(args.run, args.out)))
        return
    for count in args.administrations:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(args.keep or tmp) / f"pool-{count}"
            start = time.perf_counter()
            folders = make_pool(folder, count, args.iterations, args.respondents)
            made = time.perf_counter() - start
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--run",
                    *map(str, folders),
                    "--out",
                    str(folder / "out"),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            r = json.loads(child.stdout.strip().splitlines()[-1])
            load = os.getloadavg()[0]
            print(
                f"{r['rows']:,} rows ({count} administrations x {args.iterations} x "
                f"{args.respondents}, {len(folders)} packages, made in {made:.0f} s): "
                f"benchmark {r['seconds']:.1f} s ({r['cpu']:.1f} s of CPU on {os.cpu_count()} "
                f"cores, load {load:.1f}), peak memory {r['peak_mib']:.0f} MiB"
            )


if __name__ == "__main__":
    main()
