"""Showing report blocks in a notebook: :func:`show` displays them in order, figures as PNG images.

A figure becomes PNG bytes with :func:`figure_png` (the same bytes for the same data, whatever the
notebook's plotting backend) and carries its titles and caption as alternative text
(:func:`figure_alt`). Drawing a chart (laying out its text and rasterising it with Agg) holds the
interpreter, so threads do not draw two charts at once; on Linux with more than one core the
figures of one :func:`show` call are drawn side by side in forked copies of the process, which
already hold the figures, and only the PNG bytes come back (:func:`figure_pngs`,
:func:`cipslib.parallel.side_by_side`).
"""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Callable, Iterable, Sequence

from ..parallel import side_by_side
from ..text.typography import tidy


def figure_png(fig) -> bytes:
    """A figure as PNG bytes, without metadata that would vary between runs: RGB at 100 dpi, on
    white where the figure is transparent. RGB, not matplotlib's RGBA: the PDF engine would split
    every image into colour and alpha and compress both again (WeasyPrint), and the HTML is smaller.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> png = figure_png(Figure(figsize=(2, 1)))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", png == figure_png(Figure(figsize=(2, 1)))
    (True, True)
    """
    from PIL import Image

    dpi = 100
    pixels = io.BytesIO()
    fig.savefig(pixels, format="rgba", dpi=dpi)  # drawn by Agg, as for a PNG, not encoded
    size = tuple(int(inches * dpi) for inches in fig.get_size_inches())  # Agg's own rounding
    if len(pixels.getvalue()) != size[0] * size[1] * 4:  # another size (savefig.bbox: tight)
        pixels = io.BytesIO()
        fig.savefig(pixels, format="png", dpi=dpi)
        image = Image.open(pixels).convert("RGBA")
    else:
        image = Image.frombuffer("RGBA", size, pixels.getvalue(), "raw", "RGBA", 0, 1)
    if image.getextrema()[3][0] < 255:  # transparent somewhere: on white, as on the page
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="png", compress_level=1, dpi=(dpi, dpi))
    return out.getvalue()


def figure_pngs(figures: Sequence, workers: int | None = None) -> list[bytes]:
    """:func:`figure_png` of each figure, in order, the figures drawn side by side by up to
    ``workers`` processes (:func:`cipslib.parallel.side_by_side`: forked copies of this process
    that already hold the figures; the same bytes as drawn one by one).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figures = [Figure(figsize=(2, 1 + k / 10)) for k in range(3)]
    >>> figure_pngs(figures, workers=2) == [figure_png(f) for f in figures]
    True
    """
    return side_by_side([functools.partial(figure_png, f) for f in figures], workers)


class Drawn:
    """A figure already drawn: its PNG bytes and alternative text, shown as the figure would be."""

    def __init__(self, png: bytes, alt: str):
        self.png, self.alt = png, alt


def each(keys: Iterable, make: Callable) -> list:
    """The blocks ``make(key)`` gives for every key (``make(*key)`` for a tuple), in order, made
    side by side: each share of the keys is made in a forked copy of the process
    (:func:`cipslib.parallel.side_by_side`), which also draws its figures; they come back as
    :class:`Drawn` PNG images with their alternative text, the same bytes as :func:`show` draws.
    For one call to show a section of many similar pages.

    Examples
    --------
    >>> from cipslib.report.context import HTML
    >>> show(each([1, 2], lambda k: (HTML(f"<h3>{k}</h3>"), HTML(f"<p>{k * k}</p>"))))
    <h3>1</h3>
    <p>1</p>
    <h3>2</h3>
    <p>4</p>
    """
    return _flat(side_by_side([functools.partial(_made_and_drawn, make, key) for key in keys]))


def _made_and_drawn(make: Callable, key) -> list:
    made = make(*key) if isinstance(key, tuple) else make(key)
    blocks = [b for b in _flat([made]) if b is not None]
    drawn = [Drawn(figure_png(b), figure_alt(b)) if hasattr(b, "savefig") else b for b in blocks]
    _close([b for b in blocks if hasattr(b, "savefig")])
    return drawn


def _close(figures: list) -> None:
    """Close the figures pyplot manages (an analyst's), so they are not shown twice; the report's
    own figures are not pyplot's."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    for fig in figures if pyplot is not None else []:
        pyplot.close(fig)


def figure_alt(fig) -> str:
    """Alternative text of a chart: its title, panel titles and caption, each once, as sentences
    on one line (the figure's title is also one of its texts).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> _ = fig.suptitle("The ten\\nfactors"), fig.text(0, 0, "Further right is better.")
    >>> figure_alt(fig)
    'The ten factors. Further right is better.'
    """
    parts = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) is not None else []
    parts += [ax.get_title() for ax in fig.axes]
    parts += [t.get_text() for t in fig.texts]
    sentences = dict.fromkeys(tidy(p).rstrip(".") for p in parts)
    return ". ".join(s for s in sentences if s) + "." if any(sentences) else "Chart"


def show(*things) -> None:
    """Display report blocks and figures in a notebook, in order; a list or tuple stands for its
    items, so one call can show every factor's blocks. Figures become PNG images with their
    alternative text (the figures of one call drawn side by side, :func:`figure_pngs`) and are
    closed when pyplot manages them, so they appear once. None is skipped.

    Examples
    --------
    >>> from cipslib.report.context import HTML
    >>> show(HTML("<p>Hello</p>"))  # a notebook shows the paragraph, a console its text
    <p>Hello</p>
    >>> show(HTML("<h2>Factors</h2>"), [(HTML(f"<h3>{k}</h3>"), None) for k in (1, 2)])
    <h2>Factors</h2>
    <h3>1</h3>
    <h3>2</h3>
    """
    from IPython.display import Image, display

    things = [t for t in _flat(things) if t is not None]
    figures = [t for t in things if hasattr(t, "savefig")]
    pngs = dict(zip(map(id, figures), figure_pngs(figures), strict=True))
    _close(figures)
    for thing in things:
        if id(thing) in pngs:
            thing = Drawn(pngs[id(thing)], figure_alt(thing))
        if isinstance(thing, Drawn):
            display(Image(data=thing.png, format="png", metadata={"alt": thing.alt}))
        else:
            display(thing)


def _flat(things) -> list:
    out = []
    for thing in things:
        out.extend(_flat(thing) if isinstance(thing, (list, tuple)) else [thing])
    return out


__all__ = ["Drawn", "each", "figure_alt", "figure_png", "figure_pngs", "show"]
