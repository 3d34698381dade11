"""The language catalogues: ``catalogues/<language>.yaml`` holds every word the reports show in that
language (sentence templates of the key findings, group names, headings, table headers, chart
labels, method text) and how the language writes numbers. Adding a language is adding a file with
the same keys, shipped here or in a folder that ``CIPS_CATALOGUES`` names
(:mod:`cipslib.inputs.languages`); the codebook gives its texts in the same language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import CipsDataError, Problem
from ..inputs.languages import (
    catalogue_files,
    catalogue_languages,
    shipped_catalogues,
    where_catalogues_are,
)
from ..inputs.yamlfile import read_yaml
from .numbers import known_locale

SENTENCE_KEYS = (
    "indicator",
    "gap",
    "across_factors",
    "change",
    "composition",
    "weakest",
    "strongest",
    "aligned",
    "not_aligned",
    "low_reliability",
)
REFERENCE = "en"
"""The shipped catalogue whose keys every catalogue must hold."""
MAX_LISTED_KEYS = 12


def catalogues_dir() -> Path:
    """The folder of the shipped catalogues."""
    return shipped_catalogues()


def available_languages() -> list[str]:
    """Every language with a catalogue: the shipped ones and those of ``CIPS_CATALOGUES``.

    Examples
    --------
    >>> available_languages()[:1]
    ['en']
    """
    return catalogue_languages()


def report_languages(codebook, *texts: Iterable[Mapping[str, Any]]) -> list[str]:
    """The languages a report on ``codebook`` can be written in: those with a catalogue and the
    codebook's wording, and a text in each mapping of ``texts`` (indicator texts, KPI names).

    Examples
    --------
    >>> from cipslib.inputs.codebook import load_codebook
    >>> report_languages(load_codebook(), [{"en": "a", "uk": "б"}])
    ['en', 'uk']
    >>> report_languages(load_codebook(), [{"en": "only English"}])
    ['en']
    """
    langs = [lang for lang in codebook.languages if lang in catalogue_languages()]
    for group in texts:
        for text in group:
            langs = [lang for lang in langs if str(text.get(lang) or "").strip()]
    return langs


def catalogue_path(language: str) -> Path:
    """The file of a language's catalogue (a user's before the shipped one)."""
    files = catalogue_files()
    if language not in files:
        raise CipsDataError(
            [
                Problem(
                    str(shipped_catalogues() / f"{language}.yaml"),
                    f"there is no language catalogue for '{language}'",
                    expected=f"one of {', '.join(files)} (catalogues in {where_catalogues_are()})",
                )
            ]
        )
    return files[language]


def load_catalogue(language: str = "en") -> dict[str, Any]:
    """The catalogue of a language, checked: it holds every key of the shipped English catalogue,
    the sentence templates of the key findings among them.

    Examples
    --------
    >>> load_catalogue("uk")["report"]["sections"]["summary"]
    'Резюме'
    """
    path = catalogue_path(language)
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


def _leaves(node: Any, path: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, str(k)))
    else:
        yield path


@lru_cache(maxsize=1)
def _reference_keys() -> frozenset[tuple[str, ...]]:
    raw = read_yaml(shipped_catalogues() / f"{REFERENCE}.yaml", "language catalogue")
    return frozenset(_leaves(raw))


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """A catalogue file, read once per version of the file."""
    raw = read_yaml(path, "language catalogue")
    if not isinstance(raw, dict):
        raise CipsDataError(
            [Problem(str(path), "a language catalogue is a mapping of texts, like en.yaml")]
        )
    missing = [k for k in SENTENCE_KEYS if k not in (raw.get("sentences") or {})]
    if missing:
        raise CipsDataError(
            [
                Problem(
                    str(path),
                    f"the template '{missing[0]}' is missing",
                    expected="templates for " + ", ".join(SENTENCE_KEYS),
                )
            ]
        )
    numbers = raw.get("numbers") if isinstance(raw.get("numbers"), dict) else {}
    if not known_locale(numbers.get("locale")):
        raise CipsDataError(
            [
                Problem(
                    str(path),
                    "numbers: 'locale' names no locale Babel knows: numbers and dates cannot be "
                    "written",
                    value=numbers.get("locale"),
                    expected="a CLDR locale such as en_GB, fr, uk, es, pt_BR, ar",
                )
            ]
        )
    if "percent" in numbers and "%" not in str(numbers["percent"]):
        raise CipsDataError(
            [
                Problem(
                    str(path),
                    "numbers: 'percent' is a CLDR percent pattern",
                    value=numbers["percent"],
                    expected='e.g. "#,##0\u00a0%" (a no-break space before the sign)',
                )
            ]
        )
    have = set(_leaves(raw))
    lacking = sorted(".".join(k) for k in _reference_keys() if k not in have)
    if lacking:
        listed = ", ".join(lacking[:MAX_LISTED_KEYS])
        more = len(lacking) - MAX_LISTED_KEYS
        raise CipsDataError(
            [
                Problem(
                    str(path),
                    f"the catalogue lacks {len(lacking)} text(s) of {REFERENCE}.yaml: {listed}"
                    + (f" and {more} more" if more > 0 else ""),
                    expected=f"every key of {shipped_catalogues() / (REFERENCE + '.yaml')}",
                )
            ]
        )
    return raw
