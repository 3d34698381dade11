"""Reading YAML configuration files with errors that say which file and which line is wrong.

Booleans follow YAML 1.2: only ``true`` and ``false`` (any case) are booleans. YAML 1.1's ``yes``,
``no``, ``on`` and ``off`` stay strings, so a level, code or key named ``no`` (Norwegian, "number",
an answer code) is never silently turned into ``False``; where a setting expects a boolean, the
schema's own check reports the string.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import CipsDataError, Problem

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is present
_BOOL = "tag:yaml.org,2002:bool"


class _Loader(_BASE):
    """Safe loading with YAML 1.2 booleans (see the module docstring)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: str | Path, what: str) -> Any:
    """Parse a YAML file; ``what`` names it in messages ("codebook", "population figures", ...)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise CipsDataError([Problem(name, f"the {what} file does not exist")])
    if path.is_dir():
        raise CipsDataError([Problem(name, f"expected a {what} YAML file but this is a folder")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CipsDataError(
            [
                Problem(
                    name,
                    f"the {what} file is not UTF-8 text (byte {exc.start})",
                    expected="a YAML file saved as UTF-8",
                )
            ]
        ) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CipsDataError(
            [Problem(name, f"the {what} file is not valid YAML: {problem}", row=row)]
        ) from None
    if data is None:
        raise CipsDataError([Problem(name, f"the {what} file is empty")])
    return data


def read_definitions(path: str | Path, what: str, key: str) -> dict:
    """The non-empty mapping under ``key`` of a definitions file (indicators, KPIs), or a clear
    error."""
    raw = read_yaml(path, what)
    specs = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(specs, dict) or not specs:
        raise CipsDataError([Problem(str(path), f"expected a '{key}' mapping of id to definition")])
    return specs
