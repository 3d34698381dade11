"""The notebook's kernel, started early and warmed up.

The kernel runs on the interpreter that runs cipslib (``sys.executable``), whatever kernelspec
named ``python3`` a user or a conda base installed. It starts before papermill is imported and,
with a silent warm-up request, imports the notebook's modules while this process imports
papermill; then the objects of those modules leave the garbage collector's watch (``gc.freeze``
in the kernel). Papermill gets a client that is ready (:mod:`.execute`), and the kernel shuts
down while the HTML and PDF are made.
"""

from __future__ import annotations

import ast
import json
import sys
import time
from pathlib import Path

from .timing import _record, _step

# the kernel name the notebooks' metadata carries; the kernel itself is always this Python
KERNEL_NAME = "python3"


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
