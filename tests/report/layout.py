"""Lay out a rendered report's HTML as the PDF engine does (WeasyPrint, with the fonts the render
embeds) and report what a reader of the PDF would notice: text or images past the margins of their
page (a table that runs off the page), and pages whose last text is a heading, a table's title or
the caption of a group of rows (stranded at the page's foot, away from what it heads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cipslib.report.render import _font_faces, without_hidden_in_print

HEADING_TAGS = ("h1", "h2", "h3", "h4")
LEAVES = ("TextBox", "InlineReplacedBox", "BlockReplacedBox")
TOLERANCE = 1.0  # CSS px


@dataclass
class Page:
    number: int
    landscape: bool
    outside: list[str] = field(default_factory=list)  # what runs past the margins
    last: str = ""  # the page's last text
    last_is_heading: bool = False


def _walk(box, ancestors=()):
    yield box, ancestors
    for child in getattr(box, "children", None) or []:
        yield from _walk(child, (*ancestors, box))


def _heads(ancestors) -> bool:
    """Whether a box inside ``ancestors`` is a heading, a table's title or a row group's
    caption."""
    for box in ancestors:
        tag = getattr(box, "element_tag", None)
        element = getattr(box, "element", None)
        classes = (element.get("class") or "").split() if element is not None else []
        if tag in HEADING_TAGS or (tag == "p" and "table-title" in classes):
            return True
        if tag == "tr" and "row-group" in classes:
            return True
    return False


def pages(html_path: Path) -> list[Page]:
    """Every page of the report as the PDF engine lays it out."""
    from weasyprint import CSS, HTML

    page = without_hidden_in_print(Path(html_path).read_text(encoding="utf-8"))
    document = HTML(string=page, base_url=str(html_path)).render(
        stylesheets=[CSS(string=_font_faces())]
    )
    out = []
    for number, laid in enumerate(document.pages, start=1):
        box = laid._page_box
        left = box.content_box_x()
        right = left + box.width
        facts = Page(number, laid.width > laid.height)
        for leaf, ancestors in _walk(box):
            kind = type(leaf).__name__
            if kind not in LEAVES or any(type(a).__name__ == "MarginBox" for a in ancestors):
                continue
            text = getattr(leaf, "text", None) or kind
            x0 = leaf.position_x
            x1 = x0 + leaf.margin_width()
            if x1 > right + TOLERANCE or x0 < left - TOLERANCE:
                facts.outside.append(
                    f"{text[:40]!r} at {x0:.0f}..{x1:.0f} px (page {left:.0f}..{right:.0f})"
                )
            if text.strip():
                facts.last, facts.last_is_heading = text, _heads(ancestors)
        out.append(facts)
    return out


def problems(html_path: Path, laid: list[Page] | None = None) -> list[str]:
    """What is wrong with the PDF's layout: boxes past the margins, headings at a page's foot.
    ``laid``: the report's pages when the caller has laid it out already (``pages(html_path)``)."""
    found = []
    for page in pages(html_path) if laid is None else laid:
        found += [f"page {page.number}: {what} runs past the margin" for what in page.outside[:3]]
        if page.last_is_heading:
            found.append(f"page {page.number} ends with the heading {page.last!r}")
    return found
