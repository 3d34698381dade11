"""Wall time of rendering the 2025 demo cycle to HTML and PDF from a cold start (a fresh `cips
render` process, as `make report` runs it), and the time of each step. Goal: 12 seconds or less on 2
cores."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def cold(fmt: str, out: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cipslib",
            "render",
            str(ROOT / "params" / "2025.yaml"),
            "--format",
            fmt,
            "--out",
            str(out),
            "--quiet",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def steps(out: Path) -> dict[str, float]:
    import papermill as pm

    from cipslib.report.render import _notebook_params, html_to_pdf, notebook_to_html

    params = ROOT / "params" / "2025.yaml"
    nb_out = out / "nb.ipynb"
    t0 = time.perf_counter()
    pm.execute_notebook(
        str(ROOT / "notebooks" / "findings_report.ipynb"),
        str(nb_out),
        parameters=_notebook_params(params) | {"params_dir": str(params.parent)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(params.parent),
    )
    t1 = time.perf_counter()
    page = notebook_to_html(nbformat.read(nb_out, as_version=4), "bench")
    html_path = out / "r.html"
    html_path.write_text(page, encoding="utf-8")
    t2 = time.perf_counter()
    html_to_pdf(html_path, out / "r.pdf")
    t3 = time.perf_counter()
    return {
        "execute notebook (papermill)": t1 - t0,
        "HTML (nbconvert)": t2 - t1,
        "PDF (WeasyPrint)": t3 - t2,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        total = cold("html,pdf", tmp / "a")
        html_only = cold("html", tmp / "b")
        parts = steps(tmp)
    print(f"cips render 2025, HTML and PDF, cold start: {total:.1f} s (goal 12 s)")
    print(f"cips render 2025, HTML only, cold start:    {html_only:.1f} s")
    for name, seconds in parts.items():
        print(f"  {name:<30} {seconds:5.1f} s")


if __name__ == "__main__":
    main()
