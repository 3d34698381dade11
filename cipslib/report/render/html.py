"""The report as HTML: nbconvert's ``basic`` template (cell outputs only) wrapped in our own page.

No code, no prompts, no stderr, no script and nothing fetched from the network; images are
embedded as data URIs; a title page and a table of contents come from the notebook. The same data
and params give byte-identical HTML. nbconvert's BeautifulSoup pass sees the page without its
base64 images, and nbconvert (with WeasyPrint, for the PDF) is imported and set up in a background
thread while the cells run (:func:`_prepare_exports`).
"""

from __future__ import annotations

import re
from html import escape
from importlib import resources
from typing import TYPE_CHECKING

from ...errors import CipsError
from ...text.catalogue import load_catalogue
from ...text.typography import punctuate, punctuate_html, space_before
from .timing import _step

if TYPE_CHECKING:  # nbformat and nbconvert are imported when needed
    import nbformat


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
        f'<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{_css()}\n</style>\n</head>\n"
        f'<body>\n<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
    )


def _space_before(language: str) -> str:
    """The marks the language puts a no-break space before ("" when its catalogue cannot be read:
    a language with no catalogue fails earlier, with its own message)."""
    try:
        return space_before(load_catalogue(language))
    except CipsError:
        return ""
