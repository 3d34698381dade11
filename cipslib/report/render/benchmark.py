"""The benchmark's render: ``benchmark.json`` and its report, in every language asked for, from
``notebooks/benchmark_report.ipynb`` on one kernel, published into the output folder at once
(the previous benchmark stays until the new one is complete)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ...text.catalogue import load_catalogue
from ...text.typography import tidy
from .background import _Background
from .execute import _execute, notebook_path
from .html import _prepare_exports
from .kernel import _Kernel
from .publish import _folder_lock, _publish, _temporary_folder
from .run import _abandon, _check_options, _export, _gc_frozen
from .timing import _step

NOTEBOOK = "benchmark_report.ipynb"


def render_benchmark(
    write: Callable[[Path], object],
    out: str | Path,
    languages: Sequence[str],
    *,
    formats: Sequence[str] = ("html", "pdf"),
    pdf_engine: str = "weasyprint",
    timeout: int = 600,
    progress: bool = False,
) -> Path:
    """Write a benchmark into ``out``: ``write(folder)`` puts ``benchmark.json`` (and the summary)
    into a new folder, then its report is rendered there in each of ``languages``
    (``benchmark_report_<language>.html``/``.pdf``), and the folder replaces ``out``. Nothing in
    ``out`` changes when a step fails.

    Examples
    --------
    >>> from cipslib.benchmark.output import benchmark
    >>> write = lambda folder: benchmark(package_folders, folder)
    >>> render_benchmark(write, "reports/benchmark", ["en"])  # doctest: +SKIP
    PosixPath('reports/benchmark')
    """
    _check_options(formats, pdf_engine, 1)
    out = Path(out).resolve()
    tmp = _temporary_folder(out.parent, out.name)
    kernel = background = None
    try:
        write(tmp)
        if languages:
            nb_in = notebook_path(NOTEBOOK)
            kernel = _Kernel(nb_in, tmp)
            background = _Background(_prepare_exports, pdf_engine if "pdf" in formats else None)
            for i, lang in enumerate(languages):
                stem = f"benchmark_report_{lang}"
                parameters = {"benchmark_file": str(tmp / "benchmark.json"), "language": lang}
                nb = _execute(
                    nb_in,
                    tmp / f"{stem}.ipynb",
                    parameters,
                    timeout,
                    progress,
                    tmp,
                    kernel,
                    while_running=background.start if i == 0 else None,
                )
                with _gc_frozen():
                    title = tidy(load_catalogue(lang)["benchmark"]["title"])
                    exporter = background.result()
                    _export(nb, tmp, stem, title, lang, formats, pdf_engine, exporter)
            kernel.stop()
        with _step("publish"), _folder_lock(out.parent):
            _publish(tmp, out)
    except BaseException:
        _abandon(kernel, background, tmp)
        raise
    if kernel is not None:
        kernel.close()
    return out
