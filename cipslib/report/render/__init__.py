"""Render a cycle's report: papermill executes the notebook, nbconvert makes HTML, WeasyPrint (or a
system Chromium) makes the PDF, and the whole set is published atomically.

* The params are validated before anything runs (an unknown key lists the valid ones).
* Execution: papermill with a per-cell timeout and a progress bar, on a kernel that runs on the
  interpreter that runs cipslib.
* HTML: the cell outputs in our own page, self-contained and byte-identical for the same data.
* PDF: WeasyPrint (A4) by default; ``pdf_engine="chromium"`` prints with ``chromium --headless``.
* Atomic publish: every file is written to a temporary folder beside ``reports/<cycle>/`` and
  moved into place only when all of them succeeded. A failing cell raises :class:`RenderError`
  naming the cell and the error; the previous report stays as it was. Concurrent renders into one
  reports folder both publish complete reports, one after the other.
* Speed (much of a cold ``cips render`` is fixed costs): the kernel starts and imports the
  notebook's modules while this process imports papermill; nbconvert and WeasyPrint are set up in
  a background thread while the cells run; the kernel shuts down while the HTML and PDF are made;
  long-lived objects are frozen out of the garbage collector's walks. ``benchmarks/render.py``
  prints the time of each step.

One module per step, each importing only those below it:

============== ===================================================================================
``run``        :func:`render` and :func:`check_language`: the steps in order, the clean-up when
               one fails
``units``      the unit reports of a batch (``--by``) and their index page
``execute``    papermill (imported without ``rfc3987_syntax``), its engine, :func:`notebook_path`
``kernel``     the kernel on this interpreter, started early, its warm-up imports
``html``       nbconvert's export in the report's page (:func:`notebook_to_html`,
               :func:`html_page`), set up in the background while the cells run
``pdf``        :data:`PDF_ENGINES` (WeasyPrint, Chromium), :func:`html_to_pdf`
``publish``    the temporary folder, the folder lock, :func:`recover`, the atomic move
``background`` a thread that keeps the render's context
``timing``     the steps' wall-clock times, when asked for
``errors``     :class:`RenderError`
============== ===================================================================================
"""

from __future__ import annotations

from .errors import RenderError
from .execute import notebook_path
from .html import html_page, notebook_to_html
from .kernel import KERNEL_NAME
from .pdf import CHROMIUM_FLAGS, PDF_ENGINES, find_chromium, html_to_pdf, without_hidden_in_print
from .pdf import _font_faces as _font_faces  # tests/report/layout.py lays out with the PDF's fonts
from .publish import recover
from .run import FORMATS, check_language, render

__all__ = [
    "CHROMIUM_FLAGS",
    "FORMATS",
    "KERNEL_NAME",
    "PDF_ENGINES",
    "RenderError",
    "check_language",
    "find_chromium",
    "html_page",
    "html_to_pdf",
    "notebook_path",
    "notebook_to_html",
    "recover",
    "render",
    "without_hidden_in_print",
]
