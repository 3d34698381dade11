"""Executing a report notebook with papermill on a :class:`~.kernel._Kernel` started beforehand.

Papermill is imported without jsonschema's ``rfc3987_syntax`` (:func:`_import_papermill`); its
nbclient engine runs the cells on the kernel it is given and writes the executed notebook when
execution starts and ends, not after every cell. A failing cell raises
:class:`~.errors.RenderError` naming the cell and the error.
"""

from __future__ import annotations

import functools
import re
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RenderError
from .kernel import KERNEL_NAME, _Kernel
from .timing import _step

if TYPE_CHECKING:  # nbformat and papermill are imported when needed
    import nbformat


def notebook_path(name: str = "findings_report.ipynb") -> Path:
    """A report notebook: the copy inside the installed package (a wheel ships the repository's
    top-level ``notebooks/`` as ``cipslib/report/notebooks/``), or the repository's own folder in a
    source checkout."""
    candidates = (
        Path(str(resources.files("cipslib.report") / "notebooks" / name)),
        Path(__file__).resolve().parents[3] / "notebooks" / name,
    )
    for path in candidates:
        if path.exists():
            return path
    raise RenderError(
        f"the report notebook {name} is missing "
        f"(looked in {', '.join(str(c.parent) for c in candidates)})"
    )


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
