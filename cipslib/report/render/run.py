"""A render from start to end: the params checked, the kernel started, the notebook executed, its
HTML and PDF made (and the unit reports, with ``units_by``), the whole set published at once.

Each step lives in its own module; this one only puts them in order and cleans up when one
fails, so that nothing in the output folder changes.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import CipsDataError
from ...inputs.params import CycleParams, load_params
from .background import _Background
from .errors import RenderError
from .execute import _execute, notebook_path
from .html import _prepare_exports, notebook_to_html
from .kernel import _Kernel
from .pdf import PDF_ENGINES, html_to_pdf
from .publish import _folder_lock, _publish, _temporary_folder
from .timing import _recording, _step
from .units import _UnitBatch

if TYPE_CHECKING:  # nbformat is imported when needed
    import nbformat

FORMATS = ("html", "pdf")


def check_language(params: CycleParams, language: str) -> None:
    """Raise :class:`~cipslib.errors.CipsDataError` when a report on ``params`` cannot be written
    in ``language`` (no catalogue, or no wording in the codebook), before anything runs; the
    indicators' and KPIs' texts are checked when the report is built.

    Examples
    --------
    >>> try:
    ...     check_language(load_params("params/2025.yaml"), "xx")
    ... except CipsDataError as err:
    ...     print(err.problems[1].message)
    the codebook gives no 'xx' wording, so the report cannot be in 'xx'
    """
    from ...inputs.codebook import load_codebook, shipped_codebook_path
    from ...inputs.languages import language_problems

    problems = language_problems(
        language,
        load_codebook(params.codebook_path).languages,
        str(params.source or "params"),
        str(params.codebook_path or shipped_codebook_path()),
    )
    if problems:
        raise CipsDataError(problems)


def render(
    params_path: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    out: str | Path | None = None,
    pdf_engine: str = "weasyprint",
    language: str | None = None,
    timeout: int = 600,
    progress: bool = True,
    notebook: str = "findings_report.ipynb",
    name: str | None = None,
    timings: dict[str, tuple[float, float]] | None = None,
    units_by: str | None = None,
    jobs: int = 1,
) -> Path:
    """Render one cycle's report into ``<out>/<cycle>/`` (default ``out``: the params' output
    folder).

    With ``units_by`` (or the params' ``units: by:``) the batch also renders one report per unit
    of that respondent variable into ``<cycle>/units/<unit>/`` and an ``index.html`` linking the
    national and every unit report (the units that get none are named there, without figures).
    The units run on the national report's kernel, one after the other (``jobs`` > 1: on that
    many kernels side by side), while their HTML and PDF are made in a background thread; the
    national design and findings are computed once. Everything is published at once: a unit that
    fails is named in the error and the previous reports stay in place.

    Returns the report folder. Raises :class:`~cipslib.errors.CipsError` on bad params and
    :class:`RenderError` when a step fails; in both cases nothing in the output folder changes.
    ``timings``: a dict to fill with the wall-clock ``(start, end)`` (``time.time()``) of each step,
    as ``benchmarks/render.py`` prints them.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     folder = render("params/2024.yaml", formats=["html"], out=out, progress=False)
    ...     sorted(p.name for p in folder.iterdir())
    ['findings.json', 'findings_report_2024.html', 'findings_report_2024.ipynb', 'kpis.csv',
     'kpis.xlsx', 'tables.xlsx']
    """
    with _recording(timings):
        return _render(
            Path(params_path),
            formats=formats,
            out=out,
            pdf_engine=pdf_engine,
            language=language,
            timeout=timeout,
            progress=progress,
            notebook=notebook,
            name=name,
            units_by=units_by,
            jobs=jobs,
        )


def _check_options(formats: Sequence[str], pdf_engine: str, jobs: int) -> None:
    """Raise :class:`RenderError` on a number of jobs, a format or a PDF engine the render does
    not know."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise RenderError(
            f"--jobs must be a whole number of at least 1, not {jobs}", bad_input=True
        )
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise RenderError(f"unknown format '{bad[0]}'; use html and/or pdf")
    if pdf_engine not in PDF_ENGINES:
        raise RenderError(f"unknown PDF engine '{pdf_engine}'; use one of {', '.join(PDF_ENGINES)}")


def _title(params: CycleParams, language: str) -> str:
    """The report's title in ``language`` (the params' English one when it has none in it)."""
    title = (
        params.title.get(language, params.title.get("en", ""))
        if isinstance(params.title, dict)
        else params.title
    )
    return title or f"CIPS {params.cycle}"


@contextmanager
def _gc_frozen() -> Iterator[None]:
    """What exists now lives until the end of the render: the garbage collector, which runs often
    while WeasyPrint lays out the pages, need not walk it (unless the caller froze objects of its
    own: the freeze is not nested)."""
    frozen = gc.get_freeze_count() == 0
    if frozen:
        gc.freeze()
    try:
        yield
    finally:
        if frozen:
            gc.unfreeze()


def _export(
    nb: nbformat.NotebookNode,
    tmp: Path,
    stem: str,
    title: str,
    language: str,
    formats: Sequence[str],
    pdf_engine: str,
    exporter,
) -> None:
    """The national report's HTML and PDF, from its executed notebook, into ``tmp``."""
    with _step("HTML export (nbconvert)"):
        page = notebook_to_html(nb, title, language, exporter=exporter)
        html_path = tmp / f"{stem}.html"
        if "html" in formats or "pdf" in formats:
            html_path.write_text(page, encoding="utf-8")
    if "pdf" in formats:
        with _step("PDF (total)"):
            html_to_pdf(html_path, tmp / f"{stem}.pdf", pdf_engine)
    if "html" not in formats:
        html_path.unlink()


def _abandon(kernel: _Kernel | None, background: _Background | None, tmp: Path) -> None:
    """After a failed step: stop the kernel at once, let the background thread finish and remove
    the temporary folder (the published folder stays as it was)."""
    if kernel is not None:
        kernel.close(now=True)
    if background is not None:
        background.wait()
    shutil.rmtree(tmp, ignore_errors=True)


def _render(
    params_path: Path,
    *,
    formats: Sequence[str],
    out: str | Path | None,
    pdf_engine: str,
    language: str | None,
    timeout: int,
    progress: bool,
    notebook: str,
    name: str | None,
    units_by: str | None = None,
    jobs: int = 1,
) -> Path:
    params_path = Path(params_path).resolve()
    params: CycleParams = load_params(params_path)
    national = notebook == "findings_report.ipynb"
    by = (units_by or params.units["by"]) if national else None
    _check_options(formats, pdf_engine, jobs)
    lang = language or params.language
    if lang != params.language:
        check_language(params, lang)
    out_root = Path(out).resolve() if out else params.output
    folder = name or str(params.cycle)
    tmp = _temporary_folder(out_root, folder)
    stem = f"{Path(notebook).stem}_{folder.removeprefix('comparison-')}"
    kernel = background = None
    try:
        nb_in = notebook_path(notebook)
        kernel = _Kernel(nb_in, params_path.parent)
        parameters = {
            "params_file": str(params_path),
            "params_dir": str(params_path.parent),
            "output_dir": str(tmp),
            "language": lang,
        }
        if by:
            parameters["units_by"] = by
        background = _Background(_prepare_exports, pdf_engine if "pdf" in formats else None)
        nb = _execute(
            nb_in,
            tmp / f"{stem}.ipynb",
            parameters,
            timeout,
            progress,
            params_path.parent,
            kernel,
            while_running=background.start,
        )
        if not by:
            kernel.stop()  # it exits while the HTML and PDF are made
        exporter = background.result()
        with _gc_frozen():
            _export(nb, tmp, stem, _title(params, lang), lang, formats, pdf_engine, exporter)
            if by:
                batch = _UnitBatch(
                    tmp, params_path, by, lang, formats, pdf_engine, timeout, exporter
                )
                with _step("unit reports"):
                    batch.run(kernel, jobs, progress)
                kernel.stop()
                batch.write_index(f"{stem}.{'html' if 'html' in formats else 'pdf'}")
            with _step("publish"), _folder_lock(out_root):
                _publish(tmp, out_root / folder)
    except BaseException:
        _abandon(kernel, background, tmp)
        raise
    kernel.close()
    return out_root / folder
