"""Seconds to render the 2025 demo report (HTML and PDF) from a cold process, and where they go.

Prints the wall time of a cold ``cips render params/2025.yaml --quiet`` (best of ``--repeat`` runs;
goal: 12 s or less on 2 cores; cipslib's bytecode compiled first, as an installed package has it),
then the steps of one cold render (run as ``cips`` runs it: its imports, its ``main`` and its exit)
on a timeline, in seconds from the process start: process start and imports, kernel start (until
it is ready), the kernel's warm-up imports of the notebook's modules, each notebook cell
(papermill's start and end times, labelled by the cell's first line), HTML export (nbconvert), PDF
layout and writing (WeasyPrint), publishing and process exit. Parent and kernel steps overlap: the
kernel starts and imports while the parent imports papermill, and nbconvert and WeasyPrint are set
up while the cells run.

Run: .venv/bin/python benchmarks/render.py [--repeat 3] [--breakdowns 1]
 or: .venv/bin/python -m benchmarks.render
"""

from __future__ import annotations

import argparse
import compileall
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params" / "2025.yaml"


def _cips() -> list[str]:
    """The ``cips`` command of this interpreter's environment (``python -m cipslib`` without it)."""
    exe = Path(sys.executable).with_name("cips")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cipslib"]


def cold(out: Path) -> float:
    """Wall seconds of one ``cips render params/2025.yaml --quiet`` in a new process."""
    t = time.perf_counter()
    subprocess.run(
        [*_cips(), "render", str(PARAMS), "--quiet", "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return time.perf_counter() - t


def _child(launched: float, out: Path) -> None:
    """In a new process: run ``cips render params/2025.yaml --quiet`` as the ``cips`` command does
    (its imports, its ``main`` and so its exit), with the render's timings; print them as JSON."""
    import functools

    import cipslib.cli
    import cipslib.report.render

    imported = time.time()
    steps: dict[str, tuple[float, float]] = {}
    # cips calls render() by this name; here it also records the time of each step
    render = cipslib.report.render.render
    cipslib.report.render.render = functools.partial(render, timings=steps)
    status = cipslib.cli.main(["render", str(PARAMS), "--quiet", "--out", str(out)])
    cipslib.report.render.render = render
    if status != 0:
        raise SystemExit(f"cips render failed (exit {status})")
    done = time.time()
    steps["process start, import cipslib (parent)"] = (launched, imported)
    folder = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    executed = json.loads(next(folder.glob("*.ipynb")).read_text(encoding="utf-8"))
    cells = []
    for number, cell in enumerate(executed["cells"], start=1):
        pm = cell.get("metadata", {}).get("papermill", {})
        if cell.get("cell_type") != "code" or not pm.get("start_time") or not pm.get("end_time"):
            continue
        source = "".join(cell.get("source", ""))
        first = next((line.strip() for line in source.splitlines() if line.strip()), "")
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            first = "(papermill's injected parameters)"
        start, end = (datetime.fromisoformat(pm[k]).timestamp() for k in ("start_time", "end_time"))
        cells.append((f"cell {number}: {first}", start, end))
    print(json.dumps({"launched": launched, "done": done, "steps": steps, "cells": cells}))


def breakdown(out: Path) -> dict:
    """The steps of one cold render (in a new process), as the child prints them."""
    launched = time.time()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(launched), str(out)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"exited": time.time()}


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def print_breakdown(result: dict) -> None:
    t0 = result["launched"]
    rows = [(label, start, end) for label, (start, end) in result["steps"].items()]
    rows += [(f"  {label}", start, end) for label, start, end in result["cells"]]
    rows.sort(key=lambda r: (r[1], -r[2]))
    width = 64
    print(f"{'step (parent and kernel steps overlap)':<{width}} {'from':>6} {'to':>6} {'s':>6}")
    for label, start, end in rows:
        print(
            f"{_short(label, width):<{width}} {start - t0:6.2f} {end - t0:6.2f} {end - start:6.2f}"
        )
    exit_, total = result["exited"] - result["done"], result["exited"] - t0
    print(f"{'process exit':<{width}} {result['done'] - t0:6.2f} {total:6.2f} {exit_:6.2f}")
    print(f"{'total, this process':<{width}} {0:6.2f} {total:6.2f} {total:6.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cold `cips render` runs (best of)")
    parser.add_argument("--breakdowns", type=int, default=1, help="step-by-step runs (fastest)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(float(args.child[0]), Path(args.child[1]))
        return
    # cipslib's bytecode up to date first, as an installed package has it (pip compiles a wheel's
    # modules, `make install` the editable ones): a cold process, not a first import after an edit
    compileall.compile_dir(ROOT / "cipslib", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        totals = [cold(tmp / f"cold{i}") for i in range(args.repeat)]
        runs = [breakdown(tmp / f"steps{i}") for i in range(args.breakdowns)]
    if totals:
        listed = ", ".join(f"{t:.1f}" for t in totals)
        print(
            "cips render params/2025.yaml --quiet (HTML and PDF), cold process: best"
            f" {min(totals):.1f} s of {len(totals)} ({listed}); goal 12 s"
        )
    if runs:
        print()
        print_breakdown(min(runs, key=lambda r: r["exited"] - r["launched"]))


if __name__ == "__main__":
    main()
