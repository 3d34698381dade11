"""The report as an A4 PDF: WeasyPrint by default, or a system Chromium (``--headless``).

An engine is a function ``(html_path, pdf_path) -> None`` registered in :data:`PDF_ENGINES`.
WeasyPrint lays out the page without its collapsed annex (:func:`without_hidden_in_print`) and
embeds matplotlib's DejaVu Sans, so the PDF has the same font on every machine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import RenderError
from .timing import _step

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
