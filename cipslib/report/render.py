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
* Speed (much of a cold ``cips render`` is fixed costs): the kernel starts before papermill is
  imported and, with a silent warm-up request, imports the notebook's modules while this process
  imports papermill (without jsonschema's ``rfc3987_syntax``); papermill gets a client that is
  ready; nbconvert and WeasyPrint are imported and set up in a background thread while the cells
  run; the executed notebook is written when execution starts and ends, not after every cell; the
  kernel shuts down while the HTML and PDF are made; long-lived objects are frozen out of the
  garbage collector's walks (in the kernel after its imports, here during HTML and PDF); nbconvert's
  BeautifulSoup pass sees the page without its base64 images. ``benchmarks/render.py`` prints the
  time of each step.
"""

from __future__ import annotations

import ast
import contextvars
import functools
import gc
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nbformat, papermill, nbconvert and WeasyPrint are imported when needed
    import nbformat

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from ..errors import CipsDataError, CipsError
from ..inputs.params import CycleParams, load_params
from ..text.catalogue import load_catalogue
from ..text.typography import punctuate, punctuate_html, space_before

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

# where render() records the wall-clock (start, end) of its steps, when asked (``timings=``)
_TIMINGS: contextvars.ContextVar[dict[str, tuple[float, float]] | None] = contextvars.ContextVar(
    "cipslib_render_timings", default=None
)


def _record(label: str, start: float, end: float | None = None) -> None:
    timings = _TIMINGS.get()
    if timings is not None:
        timings[label] = (start, time.time() if end is None else end)


@contextmanager
def _step(label: str) -> Iterator[None]:
    start = time.time()
    try:
        yield
    finally:
        _record(label, start)


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


def _notebook_imports(notebook: Path) -> list[tuple[str, list[str]]]:
    """What a notebook imports at the top level of its code cells, in order: ``(module, names)``
    for ``from module import names`` and ``(module, [])`` for ``import module`` (cells with IPython
    magics are read without them)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    imports: dict[str, list[str]] = {}
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        source = "\n".join(
            line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    imports.setdefault(alias.name, [])
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = imports.setdefault(node.module, [])
                names += [a.name for a in node.names if a.name != "*" and a.name not in names]
    return list(imports.items())


# Run silently in the new kernel before the notebook: imports the notebook's modules and looks up
# the names it imports from them (a package may import its modules on first use), binding no name,
# while this process imports papermill. A module that fails to import fails again, with its
# traceback, in the cell that imports it. Then the objects of the imported modules, which live as
# long as the kernel, leave the garbage collector's watch (gc.freeze): its full collections, many
# while the cells build findings and charts, no longer walk them (a tenth of the cells' time).
_WARM_UP = """\
def _cipslib_warm_up(imports):
    import gc
    import importlib

    for name, attributes in imports:
        try:
            module = importlib.import_module(name)
            for attribute in attributes:
                getattr(module, attribute, None)
        except Exception:
            pass
    gc.freeze()


_cipslib_warm_up({imports!r})
del _cipslib_warm_up
"""


class _Kernel:
    """The notebook's kernel, started early: the kernel process starts (and imports the notebook's
    modules) while this process imports papermill; papermill gets its manager and a client that is
    ready, and the kernel shuts down while the HTML and PDF are made."""

    def __init__(self, notebook: Path, cwd: Path):
        from jupyter_core.utils import run_sync

        self._run = run_sync
        self.started = time.time()
        self.km = _kernel_manager_class()(kernel_name=KERNEL_NAME)
        # what nbclient passes when it starts an IPython kernel: history in memory, not on disk
        run_sync(self.km.start_kernel)(
            cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"]
        )
        self.kc = self.km.client()
        self.kc.start_channels()  # the channels nbclient starts, without stdin requests
        self.kc.allow_stdin = False
        self._warm_up = self.kc.execute(
            _WARM_UP.format(imports=_notebook_imports(notebook)),
            silent=True,
            store_history=False,
            allow_stdin=False,
        )
        self._stopping = False
        self._is_ready = False

    def ready(self, timeout: float) -> None:
        """Wait until the kernel has run the warm-up and its output channel is connected (what
        nbclient's ``wait_for_ready`` checks, without waiting for the channel to be quiet); once:
        later notebooks run on the same kernel (unit reports) find it ready."""
        if not self._is_ready:
            self._run(self._ready)(timeout)
            self._is_ready = True

    async def _ready(self, timeout: float) -> None:
        from queue import Empty

        deadline = time.monotonic() + timeout

        async def reply(msg_id: str) -> dict:
            """The reply to ``msg_id``; fails when the kernel dies or the time is up."""
            while True:
                try:
                    msg = await self.kc.get_shell_msg(timeout=1)
                except Empty:
                    if not await self.km.is_alive():
                        raise RuntimeError("the kernel died before it was ready") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the kernel did not answer in {timeout} s") from None
                    continue
                if msg.get("parent_header", {}).get("msg_id") == msg_id:
                    return msg

        async def idle(msg_id: str) -> bool:
            """Whether the output channel shows the kernel idle after ``msg_id`` (within 0.5 s)."""
            while True:
                try:
                    msg = await self.kc.get_iopub_msg(timeout=0.5)
                except Empty:
                    return False
                if (
                    msg.get("parent_header", {}).get("msg_id") == msg_id
                    and msg.get("msg_type") == "status"
                    and msg.get("content", {}).get("execution_state") == "idle"
                ):
                    return True

        self._record_warm_up(await reply(self._warm_up))
        # the warm-up's "idle" status on the output channel shows that channel connected; one that
        # connected too late for it gets a kernel_info request's status instead
        msg_id = self._warm_up
        while not await idle(msg_id):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel did not answer in {timeout} s")
            msg_id = self.kc.kernel_info()
            await reply(msg_id)

    def _record_warm_up(self, reply: dict) -> None:
        """Record when the kernel was ready (it began the warm-up) and when the warm-up ended."""
        began, ended = reply.get("metadata", {}).get("started"), reply.get("header", {}).get("date")
        if began and ended:
            began, ended = (d if hasattr(d, "timestamp") else _iso_time(d) for d in (began, ended))
            _record("kernel start (until ready)", self.started, began.timestamp())
            _record(
                "kernel: the notebook's imports (warm-up)", began.timestamp(), ended.timestamp()
            )

    def stop(self) -> None:
        """Ask the kernel to exit (it does so while this process goes on)."""
        if self._stopping:
            return
        self._stopping = True
        self.kc.stop_channels()
        self._run(self.km.request_shutdown)()

    def close(self, now: bool = False) -> None:
        """Wait for the kernel to exit (kill it at once with ``now``) and remove its files."""
        if now or not self._stopping:
            if not self._stopping:
                self.kc.stop_channels()
                self._stopping = True
            self._run(self.km.shutdown_kernel)(now=True)
            return
        with _step("kernel shutdown: waiting for it at the end"):
            self._run(self.km.finish_shutdown)()
            self._run(self.km.cleanup_resources)()


def _iso_time(text: str):
    from datetime import datetime

    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


@functools.cache
def _papermill_engine() -> str:
    """papermill's nbclient engine with two changes: it runs the notebook on the :class:`_Kernel`
    it is given (``kernel``), and writes the executed notebook when execution starts (as papermill
    does) and ends, not after each cell."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            kernel=None,
            **kwargs,
        ):
            kwargs.pop("input_path", None)
            kwargs.pop("startup_timeout", None)
            timeout = kwargs.pop("timeout", None)
            timeout = execution_timeout or timeout
            nb_man.output_path = None  # already written; papermill writes it again at the end
            client = PapermillNotebookClient(
                nb_man,
                km=kernel.km,
                timeout=timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            kernel.ready(start_timeout)
            client.kc = kernel.kc
            return client.execute()

    papermill_engines.register("cipslib", Engine)
    return "cipslib"


def _css() -> str:
    return (resources.files("cipslib.report") / "report.css").read_text(encoding="utf-8")


def _strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep what a reader should see: outputs of code cells, without stderr, errors or execution
    counts."""
    import nbformat

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
            and not _empty_html(o)
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


def _empty_html(output) -> bool:
    """An HTML output with nothing in it (a table a report has no rows for): left out, so that
    nothing stands between a heading and what it heads (an empty block there lets the PDF engine
    break the page under the heading)."""
    data = output.get("data") or {}
    text = data.get("text/html")
    if text is None or set(data) - {"text/html", "text/plain"}:
        return False
    text = "".join(text) if isinstance(text, list) else str(text)
    return not text.strip()


_IMAGE_TYPES = ("image/png", "image/jpeg")


def _set_images_aside(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Replace the base64 data of the (stripped) notebook's images by short keys and return them:
    nbconvert's HTML pass (BeautifulSoup over the whole page) then handles a small page, and the
    data goes back in unchanged (base64 has nothing to escape)."""
    images: dict[str, str] = {}
    for cell in nb.cells:
        for output in cell.outputs:
            data = output.get("data", {})
            for mime in _IMAGE_TYPES:
                if isinstance(data.get(mime), str):
                    key = f"cipslib-image-{len(images)}"
                    images[f'src="data:{mime};base64,{key}"'] = (
                        f'src="data:{mime};base64,{data[mime]}"'
                    )
                    data[mime] = key
    return images


def _html_exporter():
    """nbconvert's HTML exporter as the report uses it: the ``basic`` template (cell outputs only),
    without inputs, prompts or anchor links."""
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
    return exporter


# a 1x1 PNG, for the exporter's warm-up
_DOT_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg"
    "=="
)


def _prepare_exports(pdf_engine: str | None):
    """Import and set up what the HTML (and the PDF) need, in a background thread while the cells
    run: nbconvert, its template (compiled by converting a one-cell notebook, which also builds
    BeautifulSoup's tables and selectors) and WeasyPrint."""
    with _step("parent: prepare nbconvert and WeasyPrint (background)"):
        import nbformat.v4 as v4

        exporter = _html_exporter()
        output = v4.new_output(
            "display_data", data={"image/png": _DOT_PNG, "text/plain": "."}, metadata={}
        )
        html_output = v4.new_output("display_data", data={"text/html": "<p>.</p>"})
        nb = v4.new_notebook(cells=[v4.new_code_cell(outputs=[html_output, output])])
        notebook_to_html(nb, "", exporter=exporter)
        if pdf_engine == "weasyprint":
            import weasyprint  # noqa: F401
    return exporter


def notebook_to_html(
    nb: nbformat.NotebookNode, title: str, language: str = "en", *, exporter=None
) -> str:
    """A self-contained HTML page of the notebook's outputs (deterministic for the same outputs).

    ``exporter``: an nbconvert exporter made by :func:`_html_exporter` (one is made when not
    given)."""
    if exporter is None:
        exporter = _html_exporter()
    stripped = _strip(nb)
    images = _set_images_aside(stripped)
    body, _ = exporter.from_notebook_node(stripped)
    body = re.sub(r"<script\b[^>]*>.*?</script>", "", body, flags=re.S | re.I)
    if images:
        body = re.sub(
            r'src="data:image/(?:png|jpeg);base64,cipslib-image-\d+"',
            lambda m: images.get(m.group(0), m.group(0)),
            body,
        )
    return html_page(body, title, language)


def html_page(body: str, title: str, language: str = "en") -> str:
    """A self-contained page around ``body`` with the report's style sheet, its text punctuated
    as the language does (:mod:`cipslib.text.typography`)."""
    marks = _space_before(language)
    body, title = punctuate_html(body, marks), punctuate(title, marks)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_css()}\n</style>\n</head>\n"
        f'<body>\n<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
    )


def _space_before(language: str) -> str:
    """The marks the language puts a no-break space before ("" when its catalogue cannot be read:
    a language with no catalogue fails earlier, with its own message)."""
    try:
        return space_before(load_catalogue(language))
    except CipsError:
        return ""


_DETAILS_TAG = re.compile(r"<(/?)details\b[^>]*>")


def without_hidden_in_print(page: str) -> str:
    """The page without its collapsed annex (``<details class="annex">``, nested ``<details>``
    included), which the print stylesheet hides: WeasyPrint then lays out only what it prints.

    Examples
    --------
    >>> without_hidden_in_print('<p>a</p><details class="annex"><details>x</details></details><p>b')
    '<p>a</p><p>b'
    """
    start = page.find('<details class="annex">')
    if start < 0:
        return page
    depth = 0
    for tag in _DETAILS_TAG.finditer(page, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return page[:start] + page[tag.end() :]
    return page


def _weasyprint_pdf(html_path: Path, pdf_path: Path) -> None:
    import logging

    from weasyprint import CSS
    from weasyprint import HTML as WeasyHTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with _step("PDF layout (WeasyPrint render)"):
        page = without_hidden_in_print(html_path.read_text(encoding="utf-8"))
        document = WeasyHTML(string=page, base_url=str(html_path)).render(
            stylesheets=[CSS(string=_font_faces())]
        )
    with _step("PDF write (WeasyPrint write_pdf)"):
        document.write_pdf(str(pdf_path))


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
    from importlib.util import find_spec

    # matplotlib's own folder, without importing matplotlib (matplotlib.get_data_path())
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return ""
    fonts = Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf"
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


def _import_papermill() -> None:
    """Import papermill without ``rfc3987_syntax``. papermill imports nbformat, which imports
    jsonschema, which imports ``rfc3987_syntax`` when it is installed (jupyter-events brings it):
    building its lark grammars takes a second at import and a fifth of one at exit, for jsonschema's
    ``iri`` string format, which notebook validation never checks. So, unless jsonschema is already
    imported, it is imported without it (jsonschema then checks no ``iri`` format in this process)
    and ``rfc3987_syntax`` stays importable."""
    if "papermill" in sys.modules or "jsonschema" in sys.modules:
        return
    hide = "rfc3987_syntax" not in sys.modules
    if hide:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes the import fail
    try:
        import papermill  # noqa: F401
    finally:
        if hide and "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None:
            del sys.modules["rfc3987_syntax"]


def _execute(
    notebook: Path,
    out_nb: Path,
    parameters: dict,
    timeout: int,
    progress: bool,
    cwd: Path | None,
    kernel: _Kernel,
    while_running=None,
) -> nbformat.NotebookNode:
    """Execute the notebook on ``kernel`` with papermill; return the executed notebook (also
    written to ``out_nb``). ``while_running()`` is called once papermill is imported, just before
    the cells run. ``cwd``: papermill changes this process's folder to it while the cells run;
    None (the kernel has its own folder from its start) where notebooks run side by side in
    threads, which would otherwise restore each other's folder in the wrong order."""
    with _step("parent: import papermill, nbformat"):
        _import_papermill()
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        engine = _papermill_engine()
    if while_running is not None:
        while_running()
    try:
        with _step("execute notebook (papermill)"):
            return pm.execute_notebook(
                str(notebook),
                str(out_nb),
                parameters=parameters,
                engine_name=engine,
                kernel_name=KERNEL_NAME,
                execution_timeout=timeout,
                progress_bar=progress,
                cwd=str(cwd) if cwd is not None else None,
                log_output=False,
                kernel=kernel,
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
    from ..inputs.codebook import load_codebook, shipped_codebook_path
    from ..inputs.languages import language_problems

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
    token = _TIMINGS.set(timings)
    try:
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
    finally:
        _TIMINGS.reset(token)


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
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise RenderError(
            f"--jobs must be a whole number of at least 1, not {jobs}", bad_input=True
        )
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise RenderError(f"unknown format '{bad[0]}'; use html and/or pdf")
    if pdf_engine not in PDF_ENGINES:
        raise RenderError(f"unknown PDF engine '{pdf_engine}'; use one of {', '.join(PDF_ENGINES)}")
    lang = language or params.language
    if lang != params.language:
        check_language(params, lang)
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
    kernel = background = None
    frozen = False
    try:
        nb_in = notebook_path(notebook)
        kernel = _Kernel(nb_in, params_path.parent)
        executed = tmp / f"{stem}.ipynb"
        parameters = {
            "params_file": str(params_path),
            "params_dir": str(params_path.parent),
            "output_dir": str(tmp),
            "language": lang,
        }
        if by:
            parameters["units_by"] = by
        engine = pdf_engine if "pdf" in formats else None
        background = _Background(_prepare_exports, engine)
        nb = _execute(
            nb_in,
            executed,
            parameters,
            timeout,
            progress,
            params_path.parent,
            kernel,
            while_running=background.start,
        )
        if not by:
            kernel.stop()  # it exits while the HTML and PDF are made
        title = (
            params.title.get(lang, params.title.get("en", ""))
            if isinstance(params.title, dict)
            else params.title
        )
        title = title or f"CIPS {params.cycle}"
        exporter = background.result()
        # what exists now lives until the end of the render: the garbage collector, which runs
        # often while WeasyPrint lays out the pages, need not walk it (unless the caller froze
        # objects of its own: the freeze is not nested)
        frozen = gc.get_freeze_count() == 0
        if frozen:
            gc.freeze()
        with _step("HTML export (nbconvert)"):
            page = notebook_to_html(nb, title, lang, exporter=exporter)
            html_path = tmp / f"{stem}.html"
            if "html" in formats or "pdf" in formats:
                html_path.write_text(page, encoding="utf-8")
        if "pdf" in formats:
            with _step("PDF (total)"):
                html_to_pdf(html_path, tmp / f"{stem}.pdf", pdf_engine)
        if "html" not in formats:
            html_path.unlink()
        if by:
            batch = _UnitBatch(tmp, params_path, by, lang, formats, pdf_engine, timeout, exporter)
            with _step("unit reports"):
                batch.run(kernel, jobs, progress)
            kernel.stop()
            batch.write_index(f"{stem}.{'html' if 'html' in formats else 'pdf'}")
        with _step("publish"), _folder_lock(out_root):
            _publish(tmp, out_root / folder)
    except BaseException:
        if kernel is not None:
            kernel.close(now=True)
        if background is not None:
            background.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if frozen:
            gc.unfreeze()
    kernel.close()
    return out_root / folder


class _UnitBatch:
    """The unit reports of a render: each unit's notebook runs on a kernel that already holds the
    national report (built once), in the report's language and then in each other language of the
    codebook (``units/<unit>/<lang>/``, on the same figures); its HTML and PDF are made in a
    background thread while the next one runs, and the index page links them all, with each
    unit's workbook."""

    def __init__(self, tmp, params_path, by, lang, formats, pdf_engine, timeout, exporter):
        self.tmp, self.params_path, self.by, self.lang = tmp, params_path, by, lang
        self.formats, self.pdf_engine, self.timeout = formats, pdf_engine, timeout
        self.exporter = exporter
        self.doc = json.loads((tmp / "units.json").read_text(encoding="utf-8"))
        self.notebook = notebook_path("unit_report.ipynb")
        self.links: dict[str, dict[str, str]] = {}

    @property
    def runs(self) -> list[tuple[dict, str]]:
        """(unit, language) of every unit report: the report's language first."""
        languages = [self.lang, *self.doc.get("languages", [])]
        return [(unit, lang) for lang in languages for unit in self.doc["units"]]

    def run(self, kernel: _Kernel, jobs: int, progress: bool) -> None:
        """Run every unit: this thread on ``kernel``, and with ``jobs`` > 1 further threads each on
        a kernel of its own (a kernel's client stays in the thread that made it)."""
        from concurrent.futures import ThreadPoolExecutor

        from tqdm.auto import tqdm

        runs = self.runs
        workers = max(1, min(jobs, len(runs)))
        bar = tqdm(total=len(runs), unit="report", desc="unit reports", disable=not progress)
        with ThreadPoolExecutor(max_workers=1) as exports:
            pending = []

            def work(k: _Kernel, share: list[tuple[dict, str]]) -> None:
                for unit, lang in share:
                    nb = self._execute(k, unit, lang)
                    pending.append(exports.submit(self._export, unit, lang, nb))
                    bar.update()

            def own_kernel(share: list[tuple[dict, str]]) -> None:
                k = _Kernel(self.notebook, self.params_path.parent)
                try:
                    work(k, share)
                finally:
                    k.close(now=True)

            try:
                with ThreadPoolExecutor(max_workers=max(1, workers - 1)) as others:
                    extra = [others.submit(own_kernel, runs[i::workers]) for i in range(1, workers)]
                    work(kernel, runs[0::workers])
                    for future in extra:
                        future.result()
                for future in pending:
                    future.result()
            finally:
                bar.close()

    def _folder(self, unit: dict, lang: str) -> tuple[Path, str]:
        folder = self.tmp / "units" / unit["unit"]
        if lang != self.lang:
            folder = folder / lang
        folder.mkdir(parents=True, exist_ok=True)
        return folder, f"unit_report_{self.doc['cycle']}_{unit['unit']}"

    def _name(self, unit: dict, lang: str) -> tuple[str, str]:
        """The unit's name and the report's title in ``lang``."""
        if lang == self.lang:
            return unit["name"], self.doc["title"]
        return unit["names"][lang], self.doc["titles"][lang]

    def _execute(self, kernel: _Kernel, unit: dict, lang: str) -> nbformat.NotebookNode:
        folder, stem = self._folder(unit, lang)
        parameters = {
            "params_file": str(self.params_path),
            "params_dir": str(self.params_path.parent),
            "by": self.by,
            "unit": unit["unit"],
            "language": lang,
            "output_dir": str(folder),
        }
        try:
            return _execute(
                self.notebook,
                folder / f"{stem}.ipynb",
                parameters,
                self.timeout,
                False,
                None,
                kernel,
            )
        except RenderError as exc:
            raise RenderError(f"unit '{unit['name']}': {exc}", bad_input=exc.bad_input) from None

    def _export(self, unit: dict, lang: str, nb) -> None:
        folder, stem = self._folder(unit, lang)
        name, title = self._name(unit, lang)
        try:
            page = notebook_to_html(nb, f"{title}: {name}", lang, exporter=self.exporter)
            html_path = folder / f"{stem}.html"
            html_path.write_text(page, encoding="utf-8")
            if "pdf" in self.formats:
                html_to_pdf(html_path, folder / f"{stem}.pdf", self.pdf_engine)
            if "html" not in self.formats:
                html_path.unlink()
        except Exception as exc:
            raise RenderError(f"unit '{unit['name']}': {type(exc).__name__}: {exc}") from None
        where = folder.relative_to(self.tmp).as_posix()
        links = self.links.setdefault(unit["unit"], {})
        kinds = [k for k in ("html", "pdf") if k in self.formats]
        if lang == self.lang:
            links.update({k: f"{where}/{stem}.{k}" for k in kinds})
            if (folder / "tables.xlsx").exists():
                links["xlsx"] = f"{where}/tables.xlsx"
        else:
            links[lang] = f"{where}/{stem}.{kinds[0]}"

    def write_index(self, national_link: str) -> Path:
        from .unit import index_body

        links = {u["unit"]: self.links[u["unit"]] for u in self.doc["units"]}
        page = html_page(index_body(self.doc, national_link, links), self.doc["title"], self.lang)
        path = self.tmp / "index.html"
        path.write_text(page, encoding="utf-8")
        return path


class _Background:
    """``fn(*args)`` in a daemon thread started by :meth:`start`, with this thread's context (so it
    records its timings); :meth:`result` waits for it and returns its value (or does the work here
    when the thread never started)."""

    def __init__(self, fn, *args):
        self._fn, self._args = fn, args
        self._thread = None
        self._value = self._error = None

    def _run(self, context: contextvars.Context) -> None:
        try:
            self._value = context.run(self._fn, *self._args)
        except BaseException as exc:  # re-raised by result()
            self._error = exc

    def start(self) -> None:
        import threading

        self._thread = threading.Thread(
            target=self._run, args=(contextvars.copy_context(),), daemon=True
        )
        self._thread.start()

    def result(self):
        if self._thread is None:
            return self._fn(*self._args)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value

    def wait(self) -> None:
        """Let the thread finish (a render that failed exits only after it)."""
        if self._thread is not None:
            self._thread.join()
