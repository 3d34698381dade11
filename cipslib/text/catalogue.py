"""The language catalogues: ``catalogues/<language>.yaml`` holds every word the reports show in that
language (sentence templates of the key findings, group names, headings, table headers, chart
labels, method text). Adding a language is adding a file with the same keys."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import CipsDataError, Problem
from ..inputs.yamlfile import read_yaml

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


def catalogues_dir() -> Path:
    return Path(str(resources.files("cipslib.text") / "catalogues"))


def available_languages() -> list[str]:
    return sorted(p.stem for p in catalogues_dir().glob("*.yaml"))


@lru_cache(maxsize=8)
def load_catalogue(language: str = "en") -> dict[str, Any]:
    """The catalogue of a language, checked for every sentence template of the key findings."""
    path = catalogues_dir() / f"{language}.yaml"
    if not path.exists():
        raise CipsDataError(
            [
                Problem(
                    str(path),
                    f"there are no sentence templates for language '{language}'",
                    expected="one of " + ", ".join(available_languages()),
                )
            ]
        )
    raw = read_yaml(path, "sentence templates")
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
    return raw
