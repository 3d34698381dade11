"""Render a cycle's report: papermill executes the notebook, nbconvert makes HTML, WeasyPrint (or a
system Chromium) makes the PDF, and the whole set is published atomically.

* The params are validated before anything runs (an unknown key lists the valid ones).
* Execution: papermill with a per-cell timeout and a progress bar. The kernel runs on the
  interpreter that runs cipslib (``sys.executable``), whatever kernelspec named ``python3`` a user
  or a conda base installed.
* HTML: nbconvert's ``basic`` template (cell outputs only) wrapped in our own page: no code, no
  prompts, no stderr, no script and nothing fetched from the network; images are embedded as data
  URIs; a title page and a table of contents come from the notebook. The same data and params give
  byte-identical HTML.
* PDF: WeasyPrint (A4) by default; ``pdf_engine="chromium"`` prints with ``chromium --headless``.
* Atomic publish: the executed notebook, HTML, PDF, ``findings.json`` and KPI tables are written to
  a temporary folder beside ``reports/<cycle>/`` and moved into place only when all of them
  succeeded. A failing cell raises :class:`RenderError` naming the cell and the error; the previous
  report stays as it was.
* Concurrent renders into one reports folder (a scheduled job and an analyst) are safe: each works
  in its own temporary folder, named with its process id; cleaning up removes only folders whose
  process is gone; recovering and publishing happen under an exclusive lock on the reports folder,
  so both renders publish complete reports, one after the other.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import nbformat

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from ..errors import CipsError
from ..inputs.params import CycleParams, load_params

FORMATS = ("html", "pdf")
# headless Chromium as root on a machine without network: no sandbox, no GPU, no background
# connections
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# the kernel name the notebooks' metadata carries; the kernel itself is always this Python
KERNEL_NAME = "python3"


class RenderError(CipsError):
    """A report could not be rendered; the message names the step (and the cell) that failed.

    ``bad_input`` is True when the cell failed on the input (data, codebook, population figures):
    the message is then cipslib's own description of the problem.
    """

    def __init__(self, message: str, bad_input: bool = False):
        super().__init__(message)
        self.bad_input = bad_input


def notebook_path(name: str = "findings_report.ipynb") -> Path:
    """A report notebook: the copy inside the installed package (a wheel ships the repository's
    top-level ``notebooks/`` as ``cipslib/report/notebooks/``), or the repository's own folder in a
    source checkout."""
    candidates = (
        Path(str(resources.files("cipslib.report") / "notebooks" / name)),
        Path(__file__).resolve().parents[2] / "notebooks" / name,
    )
    for path in candidates:
        if path.exists():
            return path
    raise RenderError(
        f"the report notebook {name} is missing "
        f"(looked in {', '.join(str(c.parent) for c in candidates)})"
    )


def _kernel_manager_class():
    """A kernel manager that starts ipykernel on this very interpreter, so the notebook runs with
    the cipslib that renders it. The kernel's own log (the note on unencrypted local TCP, the
    interrupt at shutdown) is not printed; a failing cell reaches the render through papermill."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self) -> KernelSpec:
            return KernelSpec(
                argv=[
                    sys.executable,
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                    "--IPKernelApp.log_level=CRITICAL",
                ],
                display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (cipslib)",
                language="python",
            )

    return ThisPythonKernelManager


def _css() -> str:
    return (resources.files("cipslib.report") / "report.css").read_text(encoding="utf-8")


def _strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep what a reader should see: outputs of code cells, without stderr, errors or execution
    counts."""
    nb = nbformat.from_dict(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue  # the notebook's own explanatory markdown is for analysts, not readers
        cell.outputs = [
            o
            for o in cell.get("outputs", [])
            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            and o.get("output_type") != "error"
        ]
        cell.execution_count = None
        for o in cell.outputs:
            if "execution_count" in o:
                o["execution_count"] = None
            o.get("metadata", {}).pop("needs_background", None)
        cell.metadata = {}
        cell["id"] = f"c{len(cells)}"  # papermill gives its injected cell a random id
        cells.append(cell)
    nb.cells = cells
    nb.metadata = {"language_info": {"name": "python"}}
    return nb


def notebook_to_html(nb: nbformat.NotebookNode, title: str, language: str = "en") -> str:
    """A self-contained HTML page of the notebook's outputs (deterministic for the same outputs)."""
    import logging

    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    exporter.log.setLevel(logging.ERROR)
    body, _ = exporter.from_notebook_node(_strip(nb))
    body = re.sub(r"<script\b[^>]*>.*?</script>", "", body, flags=re.S | re.I)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_css()}\n</style>\n</head>\n"
        f'<body>\n<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
    )


def _weasyprint_pdf(html_path: Path, pdf_path: Path) -> None:
    import logging

    from weasyprint import CSS
    from weasyprint import HTML as WeasyHTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    WeasyHTML(filename=str(html_path)).write_pdf(
        str(pdf_path), stylesheets=[CSS(string=_font_faces())]
    )


def _chromium_pdf(html_path: Path, pdf_path: Path) -> None:
    exe = find_chromium()
    if exe is None:
        raise RenderError(
            "--pdf-engine chromium needs a Chromium browser on the PATH (chromium or "
            "chromium-browser); none was found"
        )
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not pdf_path.exists():
        raise RenderError(
            f"Chromium could not print the PDF (exit {done.returncode}): "
            f"{done.stderr.strip().splitlines()[-1:] or ''}"
        )


PDF_ENGINES = {"weasyprint": _weasyprint_pdf, "chromium": _chromium_pdf}
"""PDF engines by name: each prints an HTML file to an A4 PDF. Add an engine by adding an entry."""


def html_to_pdf(html_path: Path, pdf_path: Path, engine: str = "weasyprint") -> Path:
    """Print an HTML report to an A4 PDF with one of :data:`PDF_ENGINES`."""
    if engine not in PDF_ENGINES:
        raise RenderError(f"unknown PDF engine '{engine}'; use one of {', '.join(PDF_ENGINES)}")
    PDF_ENGINES[engine](html_path, pdf_path)
    return pdf_path


def _font_faces() -> str:
    """@font-face rules for DejaVu Sans from matplotlib's own fonts (Latin and Cyrillic), so the PDF
    embeds the same font on every machine, whatever fonts the system has."""
    import matplotlib

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    rules = []
    for file, weight, style in (
        ("DejaVuSans.ttf", "normal", "normal"),
        ("DejaVuSans-Bold.ttf", "bold", "normal"),
        ("DejaVuSans-Oblique.ttf", "normal", "italic"),
        ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
    ):
        if (fonts / file).exists():
            rules.append(
                f'@font-face {{ font-family: "DejaVu Sans"; src: url("{(fonts / file).as_uri()}"); '
                f"font-weight: {weight}; font-style: {style}; }}"
            )
    return "\n".join(rules)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _execute(
    notebook: Path, out_nb: Path, parameters: dict, timeout: int, progress: bool, cwd: Path
) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(notebook),
            str(out_nb),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            execution_timeout=timeout,
            progress_bar=progress,
            cwd=str(cwd),
            log_output=False,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as exc:
        if exc.ename in ("CipsDataError", "CipsError", "RenderError", "DesignError"):
            raise RenderError(f"{exc.evalue}", bad_input=True) from None
        last = (exc.traceback[-1] if exc.traceback else "").strip()
        last = re.sub(r"\x1b\[[0-9;]*m", "", last)
        raise RenderError(
            f"cell {exc.exec_count} of {notebook.name} failed: {exc.ename}: {exc.evalue}"
            + (f" ({last})" if last and exc.evalue not in last else "")
        ) from None


def _publish(tmp: Path, final: Path) -> None:
    """Move a complete report folder into place, keeping the previous one until the new one is
    there."""
    old = final.parent / f".{final.name}.previous"
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)


@contextmanager
def _folder_lock(folder: Path):
    """Hold an exclusive lock on the reports folder (``flock`` on the folder itself, so nothing is
    left behind) while a render recovers and publishes; without ``fcntl`` (Windows) there is no
    lock."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _temp_prefix(name: str) -> str:
    """Temporary folders carry the process id of their render: ``.<name>-render-<pid>-<random>``."""
    return f".{name}-render-{os.getpid()}-"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, run by another user
        return True
    return True


def recover(out_root: Path, cycle: str) -> None:
    """Undo what an interrupted publish left: restore the previous report if the new one never
    arrived, and remove the temporary folders of renders whose process is gone (a render still
    running keeps its own). Call it with the folder lock held."""
    final = out_root / cycle
    old = out_root / f".{cycle}.previous"
    if old.exists():
        if final.exists():
            shutil.rmtree(old)
        else:
            os.replace(old, final)
    for leftover in out_root.glob(f".{cycle}-render-*"):
        pid = leftover.name.removeprefix(f".{cycle}-render-").split("-")[0]
        if not (pid.isdigit() and _process_alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)


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
) -> Path:
    """Render one cycle's report into ``<out>/<cycle>/`` (default ``out``: the params' output
    folder).

    Returns the report folder. Raises :class:`~cipslib.errors.CipsError` on bad params and
    :class:`RenderError` when a step fails; in both cases nothing in the output folder changes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     folder = render("params/2024.yaml", formats=["html"], out=out, progress=False)
    ...     sorted(p.name for p in folder.iterdir())
    ['findings.json', 'findings_report_2024.html', 'findings_report_2024.ipynb', 'kpis.csv',
     'kpis.xlsx', 'tables.xlsx']
    """
    params_path = Path(params_path).resolve()
    params: CycleParams = load_params(params_path)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise RenderError(f"unknown format '{bad[0]}'; use html and/or pdf")
    if pdf_engine not in PDF_ENGINES:
        raise RenderError(f"unknown PDF engine '{pdf_engine}'; use one of {', '.join(PDF_ENGINES)}")
    lang = language or params.language
    out_root = Path(out).resolve() if out else params.output
    folder = name or str(params.cycle)
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out_root, prefix=".cips-write-", delete=True)
        probe.close()
    except OSError as exc:
        raise RenderError(
            f"cannot write to the output folder {out_root}: {exc.strerror}", bad_input=True
        ) from None
    with _folder_lock(out_root):
        recover(out_root, folder)
    tmp = Path(tempfile.mkdtemp(dir=out_root, prefix=_temp_prefix(folder)))
    stem = f"{Path(notebook).stem}_{folder.removeprefix('comparison-')}"
    try:
        nb_in = notebook_path(notebook)
        executed = tmp / f"{stem}.ipynb"
        parameters = (
            _notebook_params(params_path)
            if notebook == "findings_report.ipynb"
            else {"params_file": str(params_path)}
        )
        parameters |= {
            "params_dir": str(params_path.parent),
            "output_dir": str(tmp),
            "language": lang,
        }
        _execute(nb_in, executed, parameters, timeout, progress, params_path.parent)
        nb = nbformat.read(executed, as_version=4)
        title = (
            params.title.get(lang, params.title.get("en", ""))
            if isinstance(params.title, dict)
            else params.title
        )
        title = title or f"CIPS {params.cycle}"
        page = notebook_to_html(nb, title, lang)
        html_path = tmp / f"{stem}.html"
        if "html" in formats or "pdf" in formats:
            html_path.write_text(page, encoding="utf-8")
        if "pdf" in formats:
            html_to_pdf(html_path, tmp / f"{stem}.pdf", pdf_engine)
        if "html" not in formats:
            html_path.unlink()
        with _folder_lock(out_root):
            _publish(tmp, out_root / folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_root / folder


def _notebook_params(params_path: Path) -> dict:
    """The params file's settings as papermill parameters (what ``papermill -f params.yaml``
    passes)."""
    from ..inputs.yamlfile import read_yaml

    raw = read_yaml(params_path, "params")
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in raw.items()} | {
        "fieldwork": {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in (raw.get("fieldwork") or {}).items()
        }
    }
