"""The unit reports of a render (``cips render --by region``): one report per unit, in every
language of the codebook, on the kernel that built the national report, and the index page that
links them all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RenderError
from .execute import _execute, notebook_path
from .html import html_page, notebook_to_html
from .kernel import _Kernel
from .pdf import html_to_pdf

if TYPE_CHECKING:  # nbformat is imported when needed
    import nbformat


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
        """The unit report's HTML and PDF, in the export thread; then its links on the index."""
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
        self._link(unit, lang, folder, stem)

    def _link(self, unit: dict, lang: str, folder: Path, stem: str) -> None:
        """Record where the index links the unit's report in ``lang``: its HTML, PDF and workbook
        in the report's language, one file in each other language."""
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
        from ..unit import index_body

        links = {u["unit"]: self.links[u["unit"]] for u in self.doc["units"]}
        page = html_page(index_body(self.doc, national_link, links), self.doc["title"], self.lang)
        path = self.tmp / "index.html"
        path.write_text(page, encoding="utf-8")
        return path
